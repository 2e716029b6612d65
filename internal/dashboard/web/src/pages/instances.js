// Instances: the list (polled every 3 s so that status changes show without a
// reload), the launch wizard, the per-instance actions, and the detail page with
// the console log and the VNC console (the console proxy's own noVNC page in an
// iframe, so that noVNC is not part of this app's bundle).
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, Link, useLoad, options, ErrorBox, Modal, navigate } from '../ui.js';

const action = (id, body) => post(`/api/compute/servers/${id}/action`, body);

function addresses(s) {
  return Object.entries(s.addresses || {})
    .map(([net, list]) => `${net}: ${list.map((a) => a.addr).join(', ')}`)
    .join('; ');
}

// Launch is the launch wizard: steps shown as fieldsets of one form, so that the
// whole request can be reviewed and sent at once.
function Launch({ onClose, reload, session, preset = {} }) {
  const [f, setF] = useState({
    name: '', source: preset.volume ? 'volume' : 'image', image: preset.image || '', volume: preset.volume || '',
    flavor: '', networks: [], groups: ['default'], key: '', userData: '', count: 1,
  });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const opts = useLoad(async () => {
    const has = (t) => session.services.includes(t);
    const [images, flavors, networks, groups, keys, volumes] = await Promise.all([
      get('/api/image/v2/images?status=active').then((r) => r.images),
      get('/api/compute/flavors/detail').then((r) => r.flavors),
      has('network') ? get('/api/network/v2.0/networks').then((r) => r.networks) : [],
      has('network') ? get(`/api/network/v2.0/security-groups?project_id=${session.project.id}`).then((r) => r.security_groups) : [],
      get('/api/compute/os-keypairs').then((r) => r.keypairs.map((k) => k.keypair)),
      has('volumev3') ? get('/api/volumev3/volumes/detail?status=available').then((r) => r.volumes) : [],
    ]);
    setF((o) => ({
      ...o,
      image: o.image || (images[0] && images[0].id) || '',
      volume: o.volume || (volumes[0] && volumes[0].id) || '',
      flavor: o.flavor || (flavors[0] && flavors[0].id) || '',
    }));
    return { images, flavors, networks, groups, keys, volumes };
  });
  const d = opts.data || { images: [], flavors: [], networks: [], groups: [], keys: [], volumes: [] };
  const submit = async () => {
    const server = {
      name: f.name,
      flavorRef: f.flavor,
      min_count: f.count,
      max_count: f.count,
      networks: f.networks.length ? f.networks.map((uuid) => ({ uuid })) : 'none',
    };
    if (f.source === 'image') server.imageRef = f.image;
    else server.block_device_mapping_v2 = [{ boot_index: 0, uuid: f.volume, source_type: 'volume', destination_type: 'volume' }];
    if (f.groups.length && d.networks.length) server.security_groups = f.groups.map((name) => ({ name }));
    if (f.key) server.key_name = f.key;
    if (f.userData) server.user_data = btoa(unescape(encodeURIComponent(f.userData)));
    await post('/api/compute/servers', { server });
  };
  return html`<${FormModal} title="Launch instance" submit="Launch" onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${ErrorBox} error=${opts.error} />
    <fieldset><legend>1. Details</legend>
      <${Field} label="Instance name" value=${f.name} onInput=${set('name')} required />
      <${Field} label="Count" type="number" min="1" value=${f.count} onInput=${set('count')} />
    </fieldset>
    <fieldset><legend>2. Source</legend>
      <${Field} label="Boot from" value=${f.source} onInput=${set('source')}
        options=${[{ value: 'image', label: 'Image' }, { value: 'volume', label: 'Volume' }]} />
      ${f.source === 'image'
        ? html`<${Field} label="Image" value=${f.image} onInput=${set('image')} options=${options(d.images)} required />`
        : html`<${Field} label="Volume" value=${f.volume} onInput=${set('volume')} options=${options(d.volumes)} required />`}
    </fieldset>
    <fieldset><legend>3. Flavor</legend>
      <${Field} label="Flavor" value=${f.flavor} onInput=${set('flavor')} required
        options=${options(d.flavors, (x) => `${x.name} (${x.vcpus} VCPU, ${x.ram} MiB, ${x.disk} GiB)`)} />
    </fieldset>
    <fieldset><legend>4. Networks</legend>
      <${Field} label="Networks" multiple value=${f.networks} onInput=${set('networks')} options=${options(d.networks)}
        hint="Hold Ctrl or Shift to choose several; none leaves the instance without a network." />
    </fieldset>
    <fieldset><legend>5. Security groups and key pair</legend>
      <${Field} label="Security groups" multiple value=${f.groups} onInput=${set('groups')} options=${options(d.groups, (x) => x.name, (x) => x.name)} />
      <${Field} label="Key pair" value=${f.key} onInput=${set('key')} options=${[{ value: '', label: '(none)' }, ...options(d.keys, (k) => k.name, (k) => k.name)]} />
    </fieldset>
    <fieldset><legend>6. Configuration</legend>
      <${Field} label="User data" type="textarea" value=${f.userData} onInput=${set('userData')} hint="cloud-init script or cloud-config, sent base64-encoded." />
    </fieldset>
  </${FormModal}>`;
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
