// End-to-end browser test of gostack's dashboard (issue #17, bars 1–3): Playwright
// (playwright-core) drives Debian's chromium headless through the flows a person
// would use, saves a screenshot of every page, runs axe-core on every page (no
// serious or critical violation allowed), and measures the first page load after
// login and the JavaScript shipped, gzipped.
//
// Environment: DASHBOARD_URL (required), ADMIN_USER / ADMIN_PASSWORD (required),
// IMAGE_NAME and FLAVOR_NAME and NETWORK_NAME (what run.sh created for the launch),
// SHOTS_DIR (default /tmp/gostack-browser-shots), CHROMIUM (default
// /usr/bin/chromium). Output: one line per step, the measurements, then
// "browser: N passed, N failed".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = (k, d) => {
  const v = process.env[k] || d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const BASE = env('DASHBOARD_URL').replace(/\/$/, '');
const ADMIN = { user: env('ADMIN_USER'), password: env('ADMIN_PASSWORD') };
const IMAGE = env('IMAGE_NAME', 'cirros');
const FLAVOR = env('FLAVOR_NAME', 'm1.tiny');
const NETWORK = env('NETWORK_NAME', 'private');
const SHOTS = env('SHOTS_DIR', '/tmp/gostack-browser-shots');
const JS_BUDGET = 300 * 1024;
const LOAD_BUDGET_MS = 1000;
const MEMBER = { user: `web-member-${process.pid}`, password: `Pw-${process.pid}-member!` };
const PROJECT = `web-proj-${process.pid}`;

fs.mkdirSync(SHOTS, { recursive: true });
const results = [];
const measures = {};
let shotN = 0;

// check screenshots the page and runs axe-core on it; a serious or critical
// violation fails the step that called it, with the list of what and where.
async function check(page, name) {
  const file = path.join(SHOTS, `${String(++shotN).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await page.evaluate(axeSource);
  // The console iframe is the console proxy's own noVNC page, not this app.
  const res = await page.evaluate(() => window.axe.run(document, { iframes: false, resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const list = bad.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}`).join('\n')}`).join('\n');
    throw new Error(`axe on ${name}: ${bad.length} serious/critical violations\n${list}`);
  }
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name} (${Date.now() - t0} ms)\n${String(e.stack || e).split('\n').slice(0, 12).join('\n')}`);
  }
}

// dialog returns the open modal dialog, whose title is given.
const dialog = (page, title) => page.getByRole('dialog', { name: title });
// row returns the table row whose text contains the given name.
const row = (page, table, name) => page.getByRole('table', { name: table }).locator('tbody tr', { hasText: name });
// alertFree waits a moment for error alerts and fails with their text.
async function noAlert(page) {
  const alerts = page.locator('[role=alert]');
  if (await alerts.count()) throw new Error(`the page shows an error: ${await alerts.allInnerTexts()}`);
}

async function login(page, who) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('User name').waitFor();
  await page.getByLabel('Domain').fill('Default');
  await page.getByLabel('User name').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

async function go(page, href, title) {
  await page.goto(`${BASE}${href}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
page.setDefaultTimeout(20000);
// Every script the app loads, to add up what it ships.
const scripts = new Map();
page.on('response', async (r) => {
  if (r.request().resourceType() === 'script' && r.url().startsWith(BASE)) {
    try {
      scripts.set(r.url(), await r.body());
    } catch {
      // A redirect or aborted load has no body; it ships nothing.
    }
  }
});
page.on('dialog', (d) => d.accept());
// Errors the app throws are test failures waiting to happen: show them.
page.on('pageerror', (e) => console.log(`     page error: ${e.message}`));

await step('login page and admin login', async () => {
  await page.goto(`${BASE}/`);
  await page.getByLabel('User name').waitFor();
  await check(page, 'login');
  // A wrong password shows Keystone's own message.
  await page.getByLabel('User name').fill(ADMIN.user);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[role=alert]').waitFor();
  console.log(`     bad password: "${(await page.locator('[role=alert]').innerText()).trim()}"`);
  await page.getByLabel('Password').fill(ADMIN.password);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.usage-card .usage').first().waitFor();
  measures.loginToOverviewMs = Date.now() - t0;
  await check(page, 'overview');
});

await step('first page load after login', async () => {
  // A cold load of a page with the session cookie: HTML, JS, CSS, session,
  // then the overview's three quota calls, until the usage bars are drawn.
  const fresh = await context.newPage();
  await fresh.route('**/*', (r) => r.continue({ headers: { ...r.request().headers(), 'cache-control': 'no-cache' } }));
  const t0 = Date.now();
  await fresh.goto(`${BASE}/project`);
  await fresh.locator('.usage-card .usage').first().waitFor();
  measures.firstLoadMs = Date.now() - t0;
  const nav = await fresh.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { domContentLoaded: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) };
  });
  await fresh.close();
  console.log(`     first page load after login: ${measures.firstLoadMs} ms to the overview's usage bars (DOMContentLoaded ${nav.domContentLoaded} ms)`);
  if (measures.firstLoadMs >= LOAD_BUDGET_MS) throw new Error(`first page load took ${measures.firstLoadMs} ms, over ${LOAD_BUDGET_MS} ms`);
});

await step('JavaScript shipped under 300 KB gzipped', async () => {
  let raw = 0;
  let gz = 0;
  for (const body of scripts.values()) {
    raw += body.length;
    gz += zlib.gzipSync(body, { level: 9 }).length;
  }
  measures.jsGzip = gz;
  console.log(`     JavaScript shipped: ${scripts.size} files, ${raw} bytes, ${gz} bytes gzipped (budget ${JS_BUDGET})`);
  if (!scripts.size || !raw) throw new Error('no script was loaded from the dashboard');
  if (gz >= JS_BUDGET) throw new Error(`${gz} bytes gzipped is over ${JS_BUDGET}`);
});

const server = `web-vm-${process.pid}`;
await step('launch an instance and see it turn ACTIVE', async () => {
  await go(page, '/project/instances', 'Instances');
  await check(page, 'instances');
  await page.getByRole('button', { name: 'Launch instance' }).click();
  const d = dialog(page, 'Launch instance');
  await d.getByLabel('Instance name').fill(server);
  await d.getByLabel('Image').selectOption({ label: IMAGE });
  await d.getByLabel('Flavor').selectOption({ index: 0 });
  const flavorLabel = await d.getByLabel('Flavor').locator('option', { hasText: FLAVOR }).first().textContent();
  await d.getByLabel('Flavor').selectOption({ label: flavorLabel });
  await d.getByLabel('Networks').selectOption({ label: NETWORK });
  await check(page, 'launch-wizard');
  await d.getByRole('button', { name: 'Launch' }).click();
  await d.waitFor({ state: 'detached' });
  // The list polls every 3 s: the status changes without a reload.
  await row(page, 'Instances', server).locator('td[data-label=Status]', { hasText: /^ACTIVE$/ }).waitFor({ timeout: 90000 });
  await check(page, 'instances-active');
});

await step('open the instance console page', async () => {
  await page.getByRole('link', { name: `Console of ${server}` }).click();
  await page.getByRole('heading', { level: 1, name: `Instance ${server}` }).waitFor();
  const frame = page.locator('iframe[title="VNC console"]');
  await frame.waitFor();
  const src = await frame.getAttribute('src');
  if (!/vnc_lite\.html\?token=/.test(src)) throw new Error(`console iframe src is ${src}`);
  // The console proxy's page loads inside the frame (CSP frame-src allows it).
  const f = await (await frame.elementHandle()).contentFrame();
  await f.waitForLoadState('load');
  const title = await f.title().catch(() => '');
  console.log(`     console: ${src.replace(/token=.*/, 'token=…')} (frame title "${title}")`);
  await page.locator('pre.console-log').waitFor();
  await check(page, 'instance-console');
});

const net = `web-net-${process.pid}`;
const router = `web-router-${process.pid}`;
await step('create a network, subnet and router and see them in the topology', async () => {
  await go(page, '/project/networks', 'Networks');
  await page.getByRole('button', { name: 'Create network' }).click();
  let d = dialog(page, 'Create network');
  await d.getByLabel('Network name').fill(net);
  await d.getByLabel('Subnet name').fill(`${net}-subnet`);
  await d.getByLabel('Network address (CIDR)').fill('10.77.0.0/24');
  await d.getByRole('button', { name: 'Create' }).click();
  await d.waitFor({ state: 'detached' });
  await row(page, 'Networks', net).waitFor();
  await check(page, 'networks');

  await go(page, '/project/routers', 'Routers');
  await page.getByRole('button', { name: 'Create router' }).click();
  d = dialog(page, 'Create router');
  await d.getByLabel('Router name').fill(router);
  await d.getByRole('button', { name: 'Create' }).click();
  await d.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `Add interface to ${router}` }).click();
  d = dialog(page, `Add interface to ${router}`);
  await d.getByLabel('Subnet').selectOption({ label: `${net}-subnet (10.77.0.0/24)` });
  await d.getByRole('button', { name: 'Add interface' }).click();
  await d.waitFor({ state: 'detached' });
  await row(page, 'Routers', router).getByText(`${net}-subnet`).waitFor();
  await check(page, 'routers');

  await go(page, '/project/topology', 'Network topology');
  const netNode = page.locator(`svg.topology a.network[data-name="${net}"]`);
  await netNode.waitFor();
  await page.locator(`svg.topology a.router[data-name="${router}"]`).waitFor();
  await page.locator(`svg.topology a.instance[data-name="${server}"]`).waitFor();
  const links = await page.locator('svg.topology line.link').count();
  if (links < 2) throw new Error(`the topology draws ${links} links, want the router's and the instance's`);
  await check(page, 'topology');
  // Nodes are links: selecting the network opens its page.
  await netNode.click();
  await page.getByRole('heading', { level: 1, name: `Network ${net}` }).waitFor();
  await check(page, 'network-detail');
});

await step('upload an image and see the progress bar move', async () => {
  const file = path.join(os.tmpdir(), `gostack-browser-${process.pid}.img`);
  fs.writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 7));
  const name = `web-image-${process.pid}`;
  try {
    await go(page, '/project/images', 'Images');
    await check(page, 'images');
    await page.getByRole('button', { name: 'Upload image' }).click();
    const d = dialog(page, 'Upload image');
    await d.getByLabel('Image name').fill(name);
    await d.getByLabel('Image file').setInputFiles(file);
    // Record every value the progress bar takes, from the page itself.
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const p = document.querySelector('#upload-progress');
        if (p) window.__progress.push(Number(p.getAttribute('value')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    });
    await d.getByRole('button', { name: 'Upload' }).click();
    await d.waitFor({ state: 'detached', timeout: 120000 });
    const seen = await page.evaluate(() => window.__progress);
    const between = seen.filter((v) => v > 0 && v < 100);
    console.log(`     progress values: ${[...new Set(seen)].join(', ')}`);
    if (!between.length || !seen.includes(100)) throw new Error(`the progress bar did not move through 0 < v < 100 to 100: ${seen}`);
    await row(page, 'Images', name).locator('td[data-label=Status]', { hasText: 'active' }).waitFor({ timeout: 60000 });
    await check(page, 'images-uploaded');
  } finally {
    fs.rmSync(file, { force: true });
  }
});

await step('create a container and upload an object', async () => {
  const container = `web-container-${process.pid}`;
  await go(page, '/project/containers', 'Containers');
  await page.getByRole('button', { name: 'Create container' }).click();
  let d = dialog(page, 'Create container');
  await d.getByLabel('Container name').fill(container);
  await d.getByRole('button', { name: 'Create' }).click();
  await d.waitFor({ state: 'detached' });
  await page.getByRole('link', { name: container }).click();
  await page.getByRole('heading', { level: 1, name: `Container ${container}` }).waitFor();
  await page.getByRole('button', { name: 'Upload object' }).click();
  d = dialog(page, 'Upload object');
  await d.getByLabel('File').setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the browser test\n') });
  await d.getByRole('button', { name: 'Upload' }).click();
  await d.waitFor({ state: 'detached' });
  const link = page.getByRole('link', { name: 'hello.txt' });
  await link.waitFor();
  // The object downloads through the dashboard with its content intact.
  const body = await page.evaluate((href) => fetch(href).then((r) => r.text()), await link.getAttribute('href'));
  if (body !== 'hello from the browser test\n') throw new Error(`downloaded ${JSON.stringify(body)}`);
  await page.getByRole('button', { name: 'Make public' }).click();
  await page.getByText('Public: anyone can read').waitFor();
  await check(page, 'container');
});

await step('as admin, create a project and a user and assign a role', async () => {
  await go(page, '/identity/projects', 'Projects');
  await page.getByRole('button', { name: 'Create project' }).click();
  let d = dialog(page, 'Create project');
  await d.getByLabel('Project name').fill(PROJECT);
  await d.getByRole('button', { name: 'Create' }).click();
  await d.waitFor({ state: 'detached' });
  await row(page, 'Projects', PROJECT).waitFor();
  await check(page, 'identity-projects');

  await go(page, '/identity/users', 'Users');
  await page.getByRole('button', { name: 'Create user' }).click();
  d = dialog(page, 'Create user');
  await d.getByLabel('User name').fill(MEMBER.user);
  await d.getByLabel('Password').fill(MEMBER.password);
  await d.getByRole('button', { name: 'Create' }).click();
  await d.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `Assign role to ${MEMBER.user}` }).click();
  d = dialog(page, `Assign role to ${MEMBER.user}`);
  await d.getByLabel('Project').selectOption({ label: PROJECT });
  await d.getByLabel('Role').selectOption({ label: 'member' });
  await d.getByRole('button', { name: 'Assign' }).click();
  await d.waitFor({ state: 'detached' });
  await row(page, 'Users', MEMBER.user).getByText(`member on ${PROJECT}`).waitFor();
  await check(page, 'identity-users');
});

await step('every other page loads without an error, with axe', async () => {
  const pages = [
    ['/identity/roles', 'Roles'], ['/identity/groups', 'Groups'], ['/admin/hypervisors', 'Hypervisors'],
    ['/admin/services', 'System services'], ['/admin/flavors', 'Flavors'], ['/admin/instances', 'All instances'],
    ['/admin/images', 'All images'], ['/admin/volumes', 'All volumes'], ['/admin/networks', 'All networks'],
    ['/project/keypairs', 'Key pairs'], ['/project/volumes', 'Volumes'], ['/project/security-groups', 'Security groups'],
    ['/project/floating-ips', 'Floating IPs'], ['/project/api-access', 'API access'],
  ];
  for (const [href, title] of pages) {
    await go(page, href, title);
    // Loaded: no "Loading…" left on the page.
    await page.waitForFunction(() => !document.querySelector('main').innerText.includes('Loading…'));
    await noAlert(page);
    await check(page, href.slice(1).replace('/', '-'));
  }
});

await step('as a member, admin pages are refused', async () => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
  await login(page, MEMBER);
  const sections = await page.getByRole('navigation', { name: 'Main' }).locator('h2').allInnerTexts();
  if (sections.includes('Admin') || sections.includes('Identity')) throw new Error(`a member sees nav sections ${sections}`);
  const project = await page.getByLabel('Current project').locator('option:checked').innerText();
  if (project !== PROJECT) throw new Error(`member's project is ${project}, want ${PROJECT}`);
  await check(page, 'member-overview');
  for (const [href, title] of [['/admin/hypervisors', 'Hypervisors'], ['/identity/users', 'Users']]) {
    await go(page, href, title);
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    const text = (await alert.innerText()).trim();
    console.log(`     member on ${href}: "${text}"`);
    if (!text.startsWith('403')) throw new Error(`want the API's 403, got "${text}"`);
    await check(page, `member-refused-${href.split('/').pop()}`);
  }
});

await step('phone width: the navigation folds away and opens', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await go(page, '/project', 'Overview');
  const nav = page.getByRole('navigation', { name: 'Main' });
  if (await nav.isVisible()) throw new Error('the navigation is open at phone width before the menu button');
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.getByRole('link', { name: 'Instances' }).click();
  await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
  await check(page, 'phone-instances');
  await page.setViewportSize({ width: 1280, height: 800 });
});

await browser.close();
const passed = results.filter((r) => r.ok).length;
console.log(`screenshots: ${SHOTS}`);
console.log(`measures: first page load after login ${measures.firstLoadMs} ms; JavaScript shipped ${measures.jsGzip} bytes gzipped`);
console.log(`browser: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
