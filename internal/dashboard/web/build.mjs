// Builds the dashboard into dist/: index.html plus content-hashed JS and CSS under
// dist/static/, which internal/dashboard embeds with go:embed. Run with
// `npm ci && npm run build`; the output is committed so that `go build` never
// needs Node.
//
// The build writes into a temporary directory beside dist/ (outside the embed)
// and then renames its files into dist/: first the new hashed assets, which
// cannot collide with the old ones, then index.html, whose rename replaces the
// old one atomically, and only then removes the assets the new index.html no
// longer names. A `go build` running at the same time therefore always embeds
// an index.html whose assets are present, never an empty or half-written dist/.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(here, 'dist');
const tmp = fs.mkdtempSync(path.join(here, '.dist-build-'));
// A failed build leaves dist/ as it was and no temporary directory behind.
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const result = await esbuild.build({
  entryPoints: [path.join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outdir: path.join(tmp, 'static'),
  entryNames: 'app-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(tmp, path.resolve(p)));
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
fs.writeFileSync(path.join(tmp, 'index.html'), html);

let gz = 0;
const sizes = outputs.map((p) => zlib.gzipSync(fs.readFileSync(path.join(tmp, p)), { level: 9 }).length);

// Into place: assets, then index.html, then the old assets go.
fs.mkdirSync(path.join(dist, 'static'), { recursive: true });
for (const p of outputs) fs.renameSync(path.join(tmp, p), path.join(dist, p));
fs.renameSync(path.join(tmp, 'index.html'), path.join(dist, 'index.html'));
const keep = new Set(outputs.map((p) => path.basename(p)));
for (const f of fs.readdirSync(path.join(dist, 'static'))) {
  if (!keep.has(f)) fs.rmSync(path.join(dist, 'static', f), { force: true });
}
fs.rmSync(tmp, { recursive: true, force: true });

for (const [i, p] of outputs.entries()) {
  const size = sizes[i];
  if (p.endsWith('.js')) gz += size;
  console.log(`${p}  ${size} bytes gzipped`);
}
console.log(`JavaScript shipped: ${gz} bytes gzipped`);
