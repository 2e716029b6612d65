// End-to-end browser test of gostack's dashboard (issue #17, bars 1–3): Playwright
// (playwright-core) drives Debian's chromium headless through the flows a person
// would use, saves a screenshot of every page, runs axe-core on every page (no
// serious or critical violation allowed), and measures the first page load after
// login and the JavaScript shipped, gzipped. Beyond the bar's flows it drives
// the rest the issue names: key pairs (create, import), server groups, the launch
// wizard step by step (keyboard, focus, quota table, scheduler hint), resize and
// snapshot, the console log, the volume life cycle, the security-group rule
// editor, floating IPs, and the Images page's project/shared/public/community
// filters.
//
// Environment: DASHBOARD_URL (required), ADMIN_USER / ADMIN_PASSWORD (required),
// IMAGE_NAME, FLAVOR_NAME, RESIZE_FLAVOR_NAME, NETWORK_NAME, EXTERNAL_NETWORK_NAME
// and COMMUNITY_IMAGE_NAME (what run.sh created for the flows),
// SHOTS_DIR (default /tmp/gostack-browser-shots), CHROMIUM (default
// /usr/bin/chromium). Output: one line per step, the measurements, then
// "browser: N passed, N failed".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
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
const RESIZE_FLAVOR = env('RESIZE_FLAVOR_NAME', 'm1.small');
const EXTERNAL = env('EXTERNAL_NETWORK_NAME', 'public');
const COMMUNITY_IMAGE = env('COMMUNITY_IMAGE_NAME', 'community-image');
const SHOTS = env('SHOTS_DIR', '/tmp/gostack-browser-shots');
const JS_BUDGET = 300 * 1024;
const LOAD_BUDGET_MS = 1000;
const MEMBER = { user: `web-member-${process.pid}`, password: `Pw-${process.pid}-member!` };
const PROJECT = `web-proj-${process.pid}`;
const SHARED_IMAGE = `web-shared-${process.pid}`;
let sharedImage = null;

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
    // What the page showed when the step failed, beside the other screenshots.
    await page.screenshot({ path: path.join(SHOTS, `FAIL-${String(shotN).padStart(2, '0')}-${name.replace(/\W+/g, '-').slice(0, 40)}.png`), fullPage: true }).catch(() => {});
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

// status waits for a table row's Status cell to read exactly `want`.
const status = (page, table, name, want, timeout = 60000) =>
  row(page, table, name).locator('td[data-label=Status]', { hasText: new RegExp(`^${want}$`) }).waitFor({ timeout });

// sshPublicKey makes a fresh Ed25519 public key in OpenSSH's one-line format
// and its MD5 fingerprint as Nova reports it, for the key-pair import.
function sshPublicKey(comment) {
  const { publicKey } = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const str = (b) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  const md5 = crypto.createHash('md5').update(blob).digest('hex').match(/../g).join(':');
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, fingerprint: md5 };
}

// api calls the cloud through the dashboard as the page's session does (the
// session's CSRF token on every change), for set-up the UI has no page for.
const api = (page, method, url, body) =>
  page.evaluate(async ([method, url, body]) => {
    const { csrf } = await fetch('/auth/session').then((r) => r.json());
    const r = await fetch(url, {
      method,
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }, [method, url, body]);

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
const keyName = `web-key-${process.pid}`;
const importedKey = `web-imported-${process.pid}`;
const group = `web-group-${process.pid}`;
await step('key pairs: create shows the private key once; import a public key', async () => {
  await go(page, '/project/keypairs', 'Key pairs');
  await page.getByRole('button', { name: 'Create key pair' }).click();
  let d = dialog(page, 'Create key pair');
  await d.getByLabel('Key pair name').fill(keyName);
  await d.getByRole('button', { name: 'Create', exact: true }).click();
  const shown = dialog(page, `Private key of ${keyName}`);
  await shown.waitFor();
  const pem = await shown.locator('pre').innerText();
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error(`the private key shown is ${JSON.stringify(pem.slice(0, 60))}`);
  await shown.getByRole('button', { name: `Download ${keyName}.pem` }).waitFor();
  await check(page, 'keypair-private-key');
  await shown.getByRole('button', { name: 'Close' }).click();
  await shown.waitFor({ state: 'detached' });
  await row(page, 'Key pairs', keyName).waitFor();
  // Once: a reload lists the pair, and nothing on the page holds the key any more.
  await go(page, '/project/keypairs', 'Key pairs');
  await row(page, 'Key pairs', keyName).waitFor();
  if ((await page.content()).includes('PRIVATE KEY')) throw new Error('the private key is still on the page after a reload');

  const pub = sshPublicKey('browser-test');
  await page.getByRole('button', { name: 'Import public key' }).click();
  d = dialog(page, 'Import public key');
  await d.getByLabel('Key pair name').fill(importedKey);
  await d.getByLabel('Public key').fill(pub.line);
  await d.getByRole('button', { name: 'Import', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  const fp = (await row(page, 'Key pairs', importedKey).locator('td[data-label=Fingerprint]').innerText()).trim();
  if (fp !== pub.fingerprint) throw new Error(`imported key's fingerprint is ${fp}, want ${pub.fingerprint}`);
  if (await dialog(page, `Private key of ${importedKey}`).count()) throw new Error('an imported key showed a private key');
  await check(page, 'keypairs');
});

await step('server groups: create with a policy, delete', async () => {
  await go(page, '/project/server-groups', 'Server groups');
  for (const [name, policy] of [[group, 'anti-affinity'], [`${group}-soft`, 'soft-affinity']]) {
    await page.getByRole('button', { name: 'Create server group' }).click();
    const d = dialog(page, 'Create server group');
    await d.getByLabel('Server group name').fill(name);
    await d.getByLabel('Policy').selectOption(policy);
    await check(page, 'server-group-create');
    await d.getByRole('button', { name: 'Create', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await row(page, 'Server groups', name).locator('td[data-label=Policy]', { hasText: new RegExp(`^${policy}$`) }).waitFor();
  }
  await check(page, 'server-groups');
  await page.getByRole('button', { name: `Delete ${group}-soft`, exact: true }).click();
  await row(page, 'Server groups', `${group}-soft`).waitFor({ state: 'detached' });
  await row(page, 'Server groups', group).waitFor();
});

await step('launch wizard: steps, keyboard, quota table; the instance turns ACTIVE in its group', async () => {
  await go(page, '/project/instances', 'Instances');
  await check(page, 'instances');
  await page.getByRole('button', { name: 'Launch instance' }).click();
  const d = dialog(page, 'Launch instance');
  const launch = d.getByRole('button', { name: 'Launch', exact: true });
  const current = d.locator('nav[aria-label="Launch steps"] [aria-current=step]');
  // at waits for step n to be shown, current in the step list, and focused.
  const at = async (n, title) => {
    await d.getByRole('heading', { level: 3, name: `Step ${n} of 8: ${title}` }).waitFor();
    const cur = (await current.innerText()).trim();
    if (!cur.startsWith(title)) throw new Error(`the step list marks "${cur}" as current, want ${title}`);
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'wizard-step', null, { timeout: 3000 });
  };
  const next = () => d.getByRole('button', { name: 'Next', exact: true }).click();
  await at(1, 'Details');
  const steps = await d.locator('nav[aria-label="Launch steps"] li').allInnerTexts();
  if (steps.length !== 8) throw new Error(`the step list has ${steps.length} steps: ${steps}`);
  if (await launch.isEnabled()) throw new Error('Launch is enabled before the instance has a name');
  // Keyboard only: type the name, Tab past Count to Next (Back is disabled on
  // the first step), Enter.
  await d.getByLabel('Instance name').fill(server);
  await d.getByLabel('Count').focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  if (focused !== 'Next') throw new Error(`Tab from Count reaches "${focused}", want Next`);
  await page.keyboard.press('Enter');
  await at(2, 'Source');
  await d.getByLabel('Image').selectOption({ label: IMAGE });
  await next();
  await at(3, 'Flavor');
  const flavorLabel = await d.getByLabel('Flavor').locator('option', { hasText: FLAVOR }).first().textContent();
  await d.getByLabel('Flavor').selectOption({ label: flavorLabel });
  // The quota table shows what this flavor adds: m1.tiny is 1 VCPU and 256 MiB.
  const quota = d.getByRole('table', { name: 'Quota use of this launch' });
  const adds = async (r) => (await quota.locator('tr', { has: page.getByRole('rowheader', { name: r }) }).locator('td').nth(1).innerText()).trim();
  const [vcpus, ram, instances] = [await adds('VCPUs'), await adds('RAM'), await adds('Instances')];
  console.log(`     quota table for ${FLAVOR}: +${vcpus.slice(1)} VCPUs, ${ram} RAM, ${instances} instances`);
  if (vcpus !== '+1' || ram !== '+256 MiB' || instances !== '+1') throw new Error(`quota table adds ${vcpus}, ${ram}, ${instances}`);
  await check(page, 'launch-wizard-flavor');
  const instRow = quota.locator('tr', { has: page.getByRole('rowheader', { name: 'Instances' }) });
  const cell = async (label) => Number((await instRow.locator(`td[data-label="${label}"]`).innerText()).trim());
  const tooMany = (await cell('Limit')) - (await cell('In use')) + 1;
  // Networks is required (the project sees networks), so Launch waits for it.
  if (await launch.isEnabled()) throw new Error('Launch is enabled before a network is chosen');
  const need = await d.locator('nav[aria-label="Launch steps"] li.need').allInnerTexts();
  if (need.length !== 1 || !need[0].includes('Networks')) throw new Error(`steps marked required: ${need}`);
  await next();
  await at(4, 'Networks');
  await d.getByLabel('Networks').selectOption({ label: NETWORK });
  if (!(await launch.isEnabled())) throw new Error('Launch is still disabled with every required step filled');
  // One instance more than the instance quota leaves: the Flavor step says so
  // and Launch waits; back to one, and it is enabled again.
  const stepButton = (title) => d.locator('nav[aria-label="Launch steps"] button', { hasText: title });
  await stepButton('Details').click();
  await at(1, 'Details');
  await d.getByLabel('Count').fill(String(tooMany));
  await stepButton('Flavor').click();
  await at(3, 'Flavor');
  await quota.locator('tr.over', { has: page.getByRole('rowheader', { name: 'Instances' }) }).getByText('over quota').waitFor();
  if (await launch.isEnabled()) throw new Error('Launch is enabled for a launch over quota');
  await check(page, 'launch-wizard-over-quota');
  await stepButton('Details').click();
  await d.getByLabel('Count').fill('1');
  await stepButton('Networks').click();
  await at(4, 'Networks');
  if (!(await launch.isEnabled())) throw new Error('Launch stays disabled after the count is back within quota');
  await next();
  await at(5, 'Security groups');
  await next();
  await at(6, 'Key pair');
  await d.getByLabel('Key pair').selectOption({ label: keyName });
  await next();
  await at(7, 'Configuration');
  await d.getByLabel('User data').fill('#cloud-config\nhostname: web-vm\n');
  await next();
  await at(8, 'Server groups');
  await d.getByLabel('Server group').selectOption({ label: `${group} (anti-affinity)` });
  await d.getByRole('button', { name: 'Back', exact: true }).click();
  await at(7, 'Configuration');
  if ((await d.getByLabel('User data').inputValue()) !== '#cloud-config\nhostname: web-vm\n') throw new Error('Back lost the user data');
  // The step list jumps straight to a step.
  await stepButton('Server groups').click();
  await at(8, 'Server groups');
  await check(page, 'launch-wizard');
  await launch.click();
  await d.waitFor({ state: 'detached' });
  // The list polls every 3 s: the status changes without a reload.
  await status(page, 'Instances', server, 'ACTIVE', 90000);
  await check(page, 'instances-active');
  // The scheduler hint put it in the group.
  await go(page, '/project/server-groups', 'Server groups');
  await row(page, 'Server groups', group).getByRole('link', { name: server }).waitFor();
  await go(page, '/project/instances', 'Instances');
});

await step('open the instance console page and its console log', async () => {
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
  // The console log is the driver's, through os-getConsoleOutput.
  const log = page.getByLabel('Console log');
  await page.waitForFunction(() => (document.querySelector('pre.console-log') || {}).textContent, null, { timeout: 10000 });
  const text = await log.innerText();
  console.log(`     console log: ${text.split('\n').length} lines, last "${text.trim().split('\n').pop()}"`);
  await page.getByRole('button', { name: 'Refresh log' }).click();
  await noAlert(page);
  // The facts name the key pair the wizard chose.
  const facts = await page.locator('dl.facts').innerText();
  if (!facts.includes(keyName)) throw new Error(`the instance's facts do not name key pair ${keyName}:\n${facts}`);
  await check(page, 'instance-console');
});

await step('instance resize (confirm) and snapshot', async () => {
  await go(page, '/project/instances', 'Instances');
  await status(page, 'Instances', server, 'ACTIVE');
  await page.getByRole('button', { name: `Resize ${server}`, exact: true }).click();
  let d = dialog(page, `Resize ${server}`);
  await d.getByLabel('New flavor').selectOption({ label: RESIZE_FLAVOR });
  await check(page, 'instance-resize');
  await d.getByRole('button', { name: 'Resize', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  await status(page, 'Instances', server, 'VERIFY_RESIZE', 90000);
  await check(page, 'instance-verify-resize');
  await page.getByRole('button', { name: `Confirm resize ${server}`, exact: true }).click();
  await status(page, 'Instances', server, 'ACTIVE', 90000);
  await row(page, 'Instances', server).locator('td[data-label=Flavor]', { hasText: new RegExp(`^${RESIZE_FLAVOR}$`) }).waitFor();

  await page.getByRole('button', { name: `Snapshot ${server}`, exact: true }).click();
  d = dialog(page, `Snapshot ${server}`);
  await d.getByLabel('Snapshot name').fill(`${server}-snapshot`);
  await d.getByRole('button', { name: 'Create snapshot' }).click();
  await d.waitFor({ state: 'detached' });
  await go(page, '/project/images', 'Images');
  await status(page, 'Images', `${server}-snapshot`, 'active', 90000);
  await check(page, 'instance-snapshot');
});

const vol = `web-vol-${process.pid}`;
await step('volume: create, attach, extend, snapshot, backup, detach, delete', async () => {
  await go(page, '/project/volumes', 'Volumes');
  await page.getByRole('button', { name: 'Create volume' }).click();
  let d = dialog(page, 'Create volume');
  await d.getByLabel('Volume name').fill(vol);
  await d.getByLabel('Size (GiB)').fill('1');
  await d.getByRole('button', { name: 'Create', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  await status(page, 'Volumes', vol, 'available');
  // one dialog with one field, submitted with its action's name
  const oneField = async (action, label, value) => {
    await page.getByRole('button', { name: `${action} ${vol}`, exact: true }).click();
    const dd = dialog(page, `${action} ${vol}`);
    const field = dd.getByLabel(label);
    if (value.option) await field.selectOption({ label: value.option });
    else await field.fill(value.text);
    await dd.getByRole('button', { name: action, exact: true }).click();
    await dd.waitFor({ state: 'detached' });
  };
  await oneField('Attach', 'Instance', { option: server });
  await status(page, 'Volumes', vol, 'in-use');
  await row(page, 'Volumes', vol).locator('td[data-label="Attached to"]', { hasText: server }).waitFor();
  await check(page, 'volume-attached');
  // Extended while attached (Block Storage 3.42).
  await oneField('Extend', 'New size (GiB)', { text: '2' });
  await row(page, 'Volumes', vol).locator('td[data-label=Size]', { hasText: /^2 GiB$/ }).waitFor();
  await status(page, 'Volumes', vol, 'in-use');
  await oneField('Snapshot', 'Snapshot name', { text: `${vol}-snap` });
  await status(page, 'Volume snapshots', `${vol}-snap`, 'available');
  await oneField('Backup', 'Backup name', { text: `${vol}-backup` });
  await status(page, 'Volume backups', `${vol}-backup`, 'available', 90000);
  await check(page, 'volume-snapshot-backup');
  await page.getByRole('button', { name: `Detach ${vol}`, exact: true }).click();
  await status(page, 'Volumes', vol, 'available');
  await row(page, 'Volumes', vol).locator('td[data-label="Attached to"]', { hasText: /^—$/ }).waitFor();
  // A volume with snapshots cannot go: the snapshot first, then the volume.
  await page.getByRole('button', { name: `Delete ${vol}-snap`, exact: true }).click();
  await row(page, 'Volume snapshots', `${vol}-snap`).waitFor({ state: 'detached', timeout: 30000 });
  await page.getByRole('button', { name: `Delete ${vol}`, exact: true }).click();
  await row(page, 'Volumes', vol).waitFor({ state: 'detached', timeout: 30000 });
  await noAlert(page);
  await row(page, 'Volume backups', `${vol}-backup`).waitFor();
  await check(page, 'volumes');
});

const sg = `web-sg-${process.pid}`;
await step('security group: create, add a rule in the rule editor', async () => {
  await go(page, '/project/security-groups', 'Security groups');
  await page.getByRole('button', { name: 'Create security group' }).click();
  let d = dialog(page, 'Create security group');
  await d.getByLabel('Group name').fill(sg);
  await d.getByLabel('Description').fill('made by the browser test');
  await d.getByRole('button', { name: 'Create', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  const card = page.getByRole('region', { name: `Security group ${sg}` });
  await card.waitFor();
  await page.getByRole('button', { name: `Add rule to ${sg}` }).click();
  d = dialog(page, `Add rule to ${sg}`);
  await d.getByLabel('Direction').selectOption('ingress');
  await d.getByLabel('Protocol').selectOption('tcp');
  await d.getByLabel('Port range from').fill('22');
  await d.getByLabel('Remote CIDR').fill('192.0.2.0/24');
  await check(page, 'security-group-rule-editor');
  await d.getByRole('button', { name: 'Add rule', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  const rule = card.getByRole('table', { name: `Rules of ${sg}` }).locator('tbody tr', { hasText: 'ingress IPv4 tcp port 22' });
  await rule.locator('td', { hasText: /^192\.0\.2\.0\/24$/ }).waitFor();
  await check(page, 'security-groups');
});

await step('floating IP: allocate, associate to the instance, disassociate', async () => {
  await go(page, '/project/floating-ips', 'Floating IPs');
  await page.getByRole('button', { name: 'Allocate IP' }).click();
  let d = dialog(page, 'Allocate floating IP');
  await d.getByLabel('Pool (external network)').selectOption({ label: EXTERNAL });
  await d.getByRole('button', { name: 'Allocate', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  const first = page.getByRole('table', { name: 'Floating IPs' }).locator('tbody tr').first();
  await first.waitFor();
  const addr = (await first.locator('td[data-label=Address]').innerText()).trim();
  if (!/^172\.24\.4\.\d+$/.test(addr)) throw new Error(`allocated ${addr}, want an address of ${EXTERNAL}`);
  await page.getByRole('button', { name: `Associate ${addr}`, exact: true }).click();
  d = dialog(page, `Associate ${addr}`);
  const port = d.getByLabel('Instance port');
  await port.selectOption({ label: (await port.locator('option', { hasText: `${server}:` }).first().textContent()).trim() });
  await d.getByRole('button', { name: 'Associate', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  const r = row(page, 'Floating IPs', addr);
  await r.locator('td[data-label=Instance]', { hasText: new RegExp(`^${server}$`) }).waitFor();
  const fixed = (await r.locator('td[data-label="Mapped fixed address"]').innerText()).trim();
  if (!/^10\.0\.0\.\d+$/.test(fixed)) throw new Error(`mapped to ${fixed}, want the instance's address on ${NETWORK}`);
  console.log(`     floating IP ${addr} → ${fixed} (${server})`);
  await check(page, 'floating-ip-associated');
  await page.getByRole('button', { name: `Disassociate ${addr}`, exact: true }).click();
  await r.locator('td[data-label="Mapped fixed address"]', { hasText: /^—$/ }).waitFor();
  await r.getByRole('button', { name: `Associate ${addr}`, exact: true }).waitFor();
  await check(page, 'floating-ips');
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

// imageView picks one of the Images page's filters and returns the names listed
// once that filter's answer is on the page.
async function imageView(page, label, key) {
  await page.getByRole('radio', { name: label }).check();
  await page.locator(`.image-view[data-view="${key}"][data-ready=yes]`).waitFor();
  return (await page.locator('.image-view td[data-label=Name]').allInnerTexts()).map((x) => x.trim());
}

await step('images: the project\'s own by default, then shared, public and community', async () => {
  await go(page, '/project/images', 'Images');
  if (!(await page.getByRole('radio', { name: 'Project' }).isChecked())) throw new Error('the Images page does not start on the project filter');
  const own = await imageView(page, 'Project', 'project');
  if (!own.includes(`web-image-${process.pid}`) || !own.includes(`${server}-snapshot`)) throw new Error(`project view: ${own}`);
  const pub = await imageView(page, 'Public', 'public');
  if (!pub.includes(IMAGE) || pub.includes(`web-image-${process.pid}`) || pub.includes(COMMUNITY_IMAGE)) throw new Error(`public view: ${pub}`);
  await check(page, 'images-public');
  const community = await imageView(page, 'Community', 'community');
  if (!community.includes(COMMUNITY_IMAGE) || community.includes(IMAGE)) throw new Error(`community view: ${community}`);
  const shared = await imageView(page, 'Shared with me', 'shared');
  if (shared.includes(IMAGE) || shared.includes(COMMUNITY_IMAGE)) throw new Error(`shared view: ${shared}`);
  await noAlert(page);
  console.log(`     images: project ${own.length}, public ${pub.length}, community ${community.length}, shared ${shared.length}`);
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
  // An image shared with the new project, for the member's "Shared with me".
  const [proj] = (await api(page, 'GET', `/api/identity/projects?name=${PROJECT}`)).projects;
  const img = await api(page, 'POST', '/api/image/v2/images', { name: SHARED_IMAGE, visibility: 'shared', disk_format: 'raw', container_format: 'bare' });
  await api(page, 'POST', `/api/image/v2/images/${img.id}/members`, { member: proj.id });
  sharedImage = { id: img.id, member: proj.id };
});

await step('every other page loads without an error, with axe', async () => {
  const pages = [
    ['/identity/roles', 'Roles'], ['/identity/groups', 'Groups'], ['/admin/hypervisors', 'Hypervisors'],
    ['/admin/services', 'System services'], ['/admin/flavors', 'Flavors'], ['/admin/instances', 'All instances'],
    ['/admin/images', 'All images'], ['/admin/volumes', 'All volumes'], ['/admin/networks', 'All networks'],
    ['/project/keypairs', 'Key pairs'], ['/project/server-groups', 'Server groups'], ['/project/volumes', 'Volumes'], ['/project/security-groups', 'Security groups'],
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

await step('as a member, the Images page shows the project\'s own (none), then public and shared', async () => {
  await go(page, '/project/images', 'Images');
  const own = await imageView(page, 'Project', 'project');
  if (own.length) throw new Error(`a new project's own images: ${own}`);
  await page.getByText('No project images.').waitFor();
  const pub = await imageView(page, 'Public', 'public');
  if (!pub.includes(IMAGE)) throw new Error(`the member's public view: ${pub}`);
  // Glance lists a shared image once the member accepts it.
  if (!sharedImage) throw new Error('the admin step did not share an image');
  await api(page, 'PUT', `/api/image/v2/images/${sharedImage.id}/members/${sharedImage.member}`, { status: 'accepted' });
  const shared = await imageView(page, 'Shared with me', 'shared');
  if (shared.join() !== SHARED_IMAGE) throw new Error(`the member's shared view: ${shared}`);
  const own2 = await imageView(page, 'Project', 'project');
  if (own2.length) throw new Error(`the member's project view lists ${own2}`);
  await imageView(page, 'Shared with me', 'shared');
  await check(page, 'member-images');
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
  // The launch wizard fits: the step list above the step, Next and Launch in reach.
  await page.getByRole('button', { name: 'Launch instance' }).click();
  const d = dialog(page, 'Launch instance');
  await d.getByRole('heading', { level: 3, name: 'Step 1 of 8: Details' }).waitFor();
  const box = await d.getByRole('button', { name: 'Next', exact: true }).boundingBox();
  if (!box || box.x + box.width > 390) throw new Error(`the wizard's Next button is off screen at phone width: ${JSON.stringify(box)}`);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scroll > 390) throw new Error(`the page scrolls sideways at phone width (${scroll} px)`);
  await check(page, 'phone-launch-wizard');
  await d.getByRole('button', { name: 'Close' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
});

await browser.close();
const passed = results.filter((r) => r.ok).length;
console.log(`screenshots: ${SHOTS}`);
console.log(`measures: first page load after login ${measures.firstLoadMs} ms; JavaScript shipped ${measures.jsGzip} bytes gzipped`);
console.log(`browser: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
