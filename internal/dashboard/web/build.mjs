// Builds the dashboard into dist/: index.html plus content-hashed JS and CSS under
// dist/static/, which internal/dashboard embeds with go:embed. Run with
// `npm ci && npm run build`; the output is committed so that `go build` never
// needs Node.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(here, 'dist');
fs.rmSync(dist, { recursive: true, force: true });

const result = await esbuild.build({
  entryPoints: [path.join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outdir: path.join(dist, 'static'),
  entryNames: 'app-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(dist, path.resolve(p)));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gostack</title>
${css ? `<link rel="stylesheet" href="/${css}">\n` : ''}<script type="module" src="/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The gostack dashboard needs JavaScript.</noscript>
</body>
</html>
`;
fs.writeFileSync(path.join(dist, 'index.html'), html);

let gz = 0;
for (const p of outputs) {
  const size = zlib.gzipSync(fs.readFileSync(path.join(dist, p)), { level: 9 }).length;
  if (p.endsWith('.js')) gz += size;
  console.log(`${p}  ${size} bytes gzipped`);
}
console.log(`JavaScript shipped: ${gz} bytes gzipped`);
