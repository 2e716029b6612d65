// A stand-in for internal/dashboard's Go server, for developing the single-page
// app before (or without) the Go side: it follows the same contract — /auth/login,
// /auth/session, /auth/project, /auth/logout, /api/<service-type>/..., the
// X-CSRF-Token check, /api/_endpoints, /auth/openrc, /auth/clouds.yaml — against a
// real gostack cloud, and serves internal/dashboard/web/dist. The browser tests run
// against the real `gostack up`; this file only exists so that the app can be
// worked on while the Go server is not there.
//
//   node devserver.mjs --keystone http://127.0.0.1:5000/v3 --port 8000 [--dist DIR]
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    keystone: { type: 'string' },
    port: { type: 'string', default: '8000' },
    dist: { type: 'string', default: new URL('../../internal/dashboard/web/dist', import.meta.url).pathname },
  },
});
if (!opts.keystone) throw new Error('--keystone URL is required');
const keystone = opts.keystone.replace(/\/$/, '');
const sessions = new Map();

async function ks(method, p, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers['X-Auth-Token'] = token;
  const r = await fetch(keystone + p, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, token: r.headers.get('x-subject-token'), json: text ? JSON.parse(text) : null };
}

function errMessage(j, fallback) {
  return (j && j.error && j.error.message) || fallback;
}

async function scope(sess, projectId) {
  const r = await ks('POST', '/auth/tokens', {
    auth: { identity: { methods: ['token'], token: { id: sess.unscoped } }, scope: { project: { id: projectId } } },
  });
  if (r.status !== 201) return r;
  sess.token = r.token;
  sess.body = r.json.token;
  return r;
}

function sessionJSON(sess) {
  const t = sess.body;
  const roles = t.roles.map((x) => x.name);
  sess.csrf = crypto.randomBytes(24).toString('base64url');
  return {
    user: { id: t.user.id, name: t.user.name, domain: t.user.domain },
    project: { id: t.project.id, name: t.project.name },
    projects: sess.projects,
    roles,
    is_admin: roles.includes('admin'),
    services: [...new Set(t.catalog.map((s) => s.type))],
    region: 'RegionOne',
    csrf: sess.csrf,
  };
}

function endpoint(sess, type) {
  const svc = sess.body.catalog.find((s) => s.type === type);
  const ep = svc && svc.endpoints.find((e) => e.interface === 'public');
  return ep && ep.url.replace(/\/$/, '');
}

function send(res, status, obj, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(obj === undefined ? '' : JSON.stringify(obj));
}

async function readJSON(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

function cookieSession(req) {
  const m = /(?:^|;\s*)gostack_session=([^;]+)/.exec(req.headers.cookie || '');
  return m && sessions.get(m[1]);
}

const passHeaders = /^(content-type|content-length|x-openstack-nova-api-version|openstack-api-version|x-openstack-request-id|x-object-.*|x-container-.*|content-.*|x-delete-.*|destination|accept|etag|if-.*|range)$/i;
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie', 'upgrade', 'te', 'trailer']);

async function proxy(req, res, sess, url) {
  const rest = url.pathname.slice('/api/'.length);
  const slash = rest.indexOf('/');
  const type = slash < 0 ? rest : rest.slice(0, slash);
  const base = endpoint(sess, type);
  if (!base) return send(res, 404, { error: `no service of type ${type} in the catalog` });
  const target = new URL(base + (slash < 0 ? '' : rest.slice(slash)) + url.search);
  const headers = { 'X-Auth-Token': sess.token };
  for (const [k, v] of Object.entries(req.headers)) if (passHeaders.test(k)) headers[k] = v;
  const up = http.request(target, { method: req.method, headers }, (ur) => {
    const h = {};
    for (const [k, v] of Object.entries(ur.headers)) if (!hopByHop.has(k)) h[k] = v;
    res.writeHead(ur.statusCode, h);
    ur.pipe(res);
  });
  up.on('error', (e) => send(res, 502, { error: e.message }));
  req.pipe(up);
}

const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };

function serveStatic(res, file) {
  fs.readFile(file, (err, data) => {
    if (err) return send(res, 404, { error: 'not found' });
    res.writeHead(200, {
      'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Content-Security-Policy': "default-src 'self'; frame-src http://127.0.0.1:* http://localhost:*; img-src 'self' data:",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
    });
    res.end(data);
  });
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  const sess = cookieSession(req);
  const unsafe = !['GET', 'HEAD'].includes(req.method);
  if (unsafe && (p.startsWith('/api/') || p === '/auth/project' || p === '/auth/logout')) {
    if (!sess) return send(res, 401, { error: 'not logged in' });
    if (req.headers['x-csrf-token'] !== sess.csrf) return send(res, 403, { error: 'CSRF token missing or wrong' });
  }
  if (p === '/auth/login' && req.method === 'POST') {
    const b = await readJSON(req);
    const r = await ks('POST', '/auth/tokens', {
      auth: { identity: { methods: ['password'], password: { user: { name: b.username, password: b.password, domain: { name: b.domain || 'Default' } } } } },
    });
    if (r.status !== 201) return send(res, 401, { error: errMessage(r.json, 'login failed') });
    const s = { unscoped: r.token };
    const pr = await ks('GET', '/auth/projects', null, r.token);
    s.projects = (pr.json.projects || []).map((x) => ({ id: x.id, name: x.name }));
    if (!s.projects.length) return send(res, 401, { error: 'you have no role on any project' });
    const want = s.projects.find((x) => x.name === b.project) || s.projects.find((x) => x.name === 'admin') || s.projects[0];
    const sr = await scope(s, want.id);
    if (sr.status !== 201) return send(res, 401, { error: errMessage(sr.json, 'scope failed') });
    const id = crypto.randomBytes(24).toString('base64url');
    sessions.set(id, s);
    return send(res, 200, sessionJSON(s), { 'Set-Cookie': `gostack_session=${id}; HttpOnly; SameSite=Strict; Path=/` });
  }
  if (p.startsWith('/auth/') || p.startsWith('/api/')) {
    if (!sess) return send(res, 401, { error: 'not logged in' });
  }
  if (p === '/auth/session') return send(res, 200, sessionJSON(sess));
  if (p === '/auth/project' && req.method === 'POST') {
    const b = await readJSON(req);
    const r = await scope(sess, b.project_id);
    if (r.status !== 201) return send(res, 403, { error: errMessage(r.json, 'no role on that project') });
    return send(res, 200, sessionJSON(sess));
  }
  if (p === '/auth/logout' && req.method === 'POST') {
    await ks('DELETE', '/auth/tokens', null, sess.token).catch(() => {});
    for (const [k, v] of sessions) if (v === sess) sessions.delete(k);
    return send(res, 204, undefined, { 'Set-Cookie': 'gostack_session=; Max-Age=0; Path=/' });
  }
  if (p === '/auth/openrc' || p === '/auth/clouds.yaml') {
    const t = sess.body;
    const body = p === '/auth/openrc'
      ? `export OS_AUTH_URL=${keystone}\nexport OS_PROJECT_ID=${t.project.id}\nexport OS_PROJECT_NAME="${t.project.name}"\nexport OS_USERNAME="${t.user.name}"\necho "Please enter your OpenStack Password: "\nread -sr OS_PASSWORD_INPUT\nexport OS_PASSWORD=$OS_PASSWORD_INPUT\n`
      : `clouds:\n  gostack:\n    auth:\n      auth_url: ${keystone}\n      username: "${t.user.name}"\n      project_id: ${t.project.id}\n`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Disposition': `attachment; filename="${p.slice(6)}"` });
    return res.end(body);
  }
  if (p === '/api/_endpoints') {
    const out = [];
    for (const s of sess.body.catalog) for (const e of s.endpoints) out.push({ type: s.type, name: s.name, interface: e.interface, region: e.region, url: e.url });
    return send(res, 200, out);
  }
  if (p.startsWith('/api/')) return proxy(req, res, sess, url);
  if (p.startsWith('/static/')) return serveStatic(res, path.join(opts.dist, path.normalize(p)));
  return serveStatic(res, path.join(opts.dist, 'index.html'));
}

http.createServer((req, res) => handle(req, res).catch((e) => send(res, 500, { error: String(e) })))
  .listen(Number(opts.port), '127.0.0.1', () => console.log(`devserver on http://127.0.0.1:${opts.port}`));
