// Instances: the list (polled every 3 s so that status changes show without a
// reload), the launch wizard (launch.js), the per-instance actions, and the detail page with
// the console log and the VNC console (the console proxy's own noVNC page in an
// iframe, so that noVNC is not part of this app's bundle).
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, Link, useLoad, options, ErrorBox, navigate } from '../ui.js';
import { Launch } from './launch.js';

const action = (id, body) => post(`/api/compute/servers/${id}/action`, body);

function addresses(s) {
  return Object.entries(s.addresses || {})
    .map(([net, list]) => `${net}: ${list.map((a) => a.addr).join(', ')}`)
    .join('; ');
}

function Resize({ server, onClose, reload }) {
  const [flavor, setFlavor] = useState('');
  const flavors = useLoad(() => get('/api/compute/flavors/detail').then((r) => r.flavors));
  const list = (flavors.data || []).filter((x) => x.name !== server.flavor.original_name);
  return html`<${FormModal} title=${`Resize ${server.name}`} submit="Resize" onClose=${onClose} reload=${reload}
    onSubmit=${() => action(server.id, { resize: { flavorRef: flavor || (list[0] && list[0].id) } })}>
    <${Field} label="New flavor" value=${flavor} onInput=${setFlavor} options=${options(list)} required />
  </${FormModal}>`;
}

function Snapshot({ server, onClose, reload }) {
  const [name, setName] = useState(`${server.name}-snapshot`);
  return html`<${FormModal} title=${`Snapshot ${server.name}`} submit="Create snapshot" onClose=${onClose} reload=${reload}
    onSubmit=${() => action(server.id, { createImage: { name } })}>
    <${Field} label="Snapshot name" value=${name} onInput=${setName} required />
  </${FormModal}>`;
}

function ConsoleLog({ id }) {
  const log = useLoad(() => action(id, { 'os-getConsoleOutput': { length: 200 } }).then((r) => r.output), [id]);
  return html`<${ErrorBox} error=${log.error} /><pre class="console-log" tabindex="0" aria-label="Console log">${log.data || ''}</pre>
    <button type="button" class="small" onClick=${log.reload}>Refresh log</button>`;
}

// ServerActions are the buttons of one instance, shown by its state.
function ServerActions({ s, reload, setError, setDialog }) {
  const st = s.status;
  const a = (label, body, extra = {}) => html`<${Act} label=${label} name=${s.name} run=${() => action(s.id, body)}
    reload=${reload} onError=${setError} ...${extra} />`;
  return html`<div class="row-actions">
    ${st === 'SHUTOFF' && a('Start', { 'os-start': null })}
    ${st === 'ACTIVE' && a('Stop', { 'os-stop': null })}
    ${(st === 'ACTIVE' || st === 'SHUTOFF') && a('Reboot', { reboot: { type: st === 'ACTIVE' ? 'SOFT' : 'HARD' } })}
    ${st === 'VERIFY_RESIZE' && a('Confirm resize', { confirmResize: null })}
    ${st === 'VERIFY_RESIZE' && a('Revert resize', { revertResize: null })}
    ${(st === 'ACTIVE' || st === 'SHUTOFF') && html`<button type="button" class="small" aria-label=${`Resize ${s.name}`}
      onClick=${() => setDialog({ kind: 'resize', s })}>Resize</button>`}
    ${(st === 'ACTIVE' || st === 'SHUTOFF') && html`<button type="button" class="small" aria-label=${`Snapshot ${s.name}`}
      onClick=${() => setDialog({ kind: 'snapshot', s })}>Snapshot</button>`}
    <${Link} class="button small" href=${`/project/instances/${s.id}`} aria-label=${`Console of ${s.name}`}>Console</${Link}>
    <${Act} label="Delete" name=${s.name} danger confirm=${`Delete instance ${s.name}?`} run=${() => del(`/api/compute/servers/${s.id}`)}
      reload=${reload} onError=${setError} />
  </div>`;
}

function Dialogs({ dialog, setDialog, reload, session }) {
  if (!dialog) return null;
  const close = () => setDialog(null);
  if (dialog.kind === 'launch') return html`<${Launch} onClose=${close} reload=${reload} session=${session} preset=${dialog.preset} />`;
  if (dialog.kind === 'resize') return html`<${Resize} server=${dialog.s} onClose=${close} reload=${reload} />`;
  if (dialog.kind === 'snapshot') return html`<${Snapshot} server=${dialog.s} onClose=${close} reload=${reload} />`;
  return null;
}

export function Instances({ session }) {
  const preset = Object.fromEntries(new URLSearchParams(location.search));
  const [dialog, setDialog] = useState(preset.launch ? { kind: 'launch', preset } : null);
  const [error, setError] = useState(null);
  const list = useLoad(() => get('/api/compute/servers/detail').then((r) => r.servers), [], 3000);
  const cols = [
    { label: 'Name', get: (s) => html`<${Link} href=${`/project/instances/${s.id}`}>${s.name}</${Link}>` },
    { label: 'Status', get: (s) => html`<${Status} value=${s['OS-EXT-STS:task_state'] ? `${s.status} (${s['OS-EXT-STS:task_state']})` : s.status} />` },
    { label: 'Flavor', get: (s) => s.flavor && s.flavor.original_name },
    { label: 'Addresses', get: addresses },
    { label: 'Actions', get: (s) => html`<${ServerActions} s=${s} reload=${list.reload} setError=${setError} setDialog=${setDialog} />` },
  ];
  return html`<${Page} title="Instances" error=${error || list.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'launch' })}>Launch instance</button>`}>
    <${Table} label="Instances" rows=${list.data} cols=${cols} empty="No instances. Launch one." />
    <${Dialogs} dialog=${dialog} setDialog=${setDialog} reload=${list.reload} session=${session} />
  </${Page}>`;
}

export function InstanceDetail({ params, session }) {
  const [error, setError] = useState(null);
  const [dialog, setDialog] = useState(null);
  const s = useLoad(() => get(`/api/compute/servers/${params.id}`).then((r) => r.server), [params.id], 3000);
  const consoleURL = useLoad(
    () => post(`/api/compute/servers/${params.id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } })
      .then((r) => r.remote_console.url),
    [params.id],
  );
  const srv = s.data;
  return html`<${Page} title=${srv ? `Instance ${srv.name}` : 'Instance'} error=${error || s.error}
    actions=${srv && html`<${ServerActions} s=${srv} reload=${() => (srv.status ? s.reload() : navigate('/project/instances'))}
      setError=${setError} setDialog=${setDialog} />`}>
    ${srv && html`<dl class="facts">
      <dt>ID</dt><dd>${srv.id}</dd>
      <dt>Status</dt><dd><${Status} value=${srv.status} /></dd>
      <dt>Flavor</dt><dd>${srv.flavor && srv.flavor.original_name}</dd>
      <dt>Addresses</dt><dd>${addresses(srv) || '—'}</dd>
      <dt>Key pair</dt><dd>${srv.key_name || '—'}</dd>
      <dt>Created</dt><dd>${srv.created}</dd>
    </dl>`}
    <h2>Console</h2>
    <${ErrorBox} error=${consoleURL.error} />
    ${consoleURL.data && html`<p><a href=${consoleURL.data} target="_blank" rel="noopener">Open the console in its own window</a></p>
      <iframe class="console" title="VNC console" src=${consoleURL.data}></iframe>`}
    <h2>Console log</h2>
    <${ConsoleLog} id=${params.id} />
    <${Dialogs} dialog=${dialog} setDialog=${setDialog} reload=${s.reload} session=${session} />
  </${Page}>`;
}
