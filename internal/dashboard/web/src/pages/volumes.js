// Volumes: create, attach to and detach from instances (through Compute, as
// Horizon does), extend, snapshots and backups, delete.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, useLoad, options } from '../ui.js';

const V = '/api/volumev3';

// EXTEND_VERSION is the Block Storage microversion (3.42) from which a volume
// can be extended while it is attached, as Horizon allows.
const EXTEND_VERSION = { 'OpenStack-API-Version': 'volume 3.42' };
const inUse = (vol) => vol.status === 'in-use';

function Create({ onClose, reload }) {
  const [f, setF] = useState({ name: '', size: 1, description: '' });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  return html`<${FormModal} title="Create volume" submit="Create" onClose=${onClose} reload=${reload}
    onSubmit=${() => post(`${V}/volumes`, { volume: { name: f.name, size: f.size, description: f.description } })}>
    <${Field} label="Volume name" value=${f.name} onInput=${set('name')} required />
    <${Field} label="Size (GiB)" type="number" min="1" value=${f.size} onInput=${set('size')} required />
    <${Field} label="Description" value=${f.description} onInput=${set('description')} />
  </${FormModal}>`;
}

function OneField({ title, label, initial, type, submit, onClose, reload, opts }) {
  const [value, setValue] = useState(initial);
  return html`<${FormModal} title=${title} onClose=${onClose} reload=${reload} onSubmit=${() => submit(value)} submit=${title.split(' ')[0]}>
    <${Field} label=${label} type=${type} value=${value} onInput=${setValue} options=${opts} required />
  </${FormModal}>`;
}

export function Volumes() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const d = useLoad(async () => {
    const [vols, snaps, backups, servers] = await Promise.all([
      get(`${V}/volumes/detail`), get(`${V}/snapshots/detail`),
      get(`${V}/backups/detail`).catch(() => ({ backups: [] })), get('/api/compute/servers/detail'),
    ]);
    return { vols: vols.volumes, snaps: snaps.snapshots, backups: backups.backups, servers: servers.servers };
  }, [], 3000);
  const v = d.data || { vols: null, snaps: null, backups: null, servers: [] };
  const serverName = (id) => (v.servers.find((s) => s.id === id) || { name: id }).name;
  const close = () => setDialog(null);
  const act = (label, vol, run, extra = {}) => html`<${Act} label=${label} name=${vol.name} run=${run} reload=${d.reload} onError=${setError} ...${extra} />`;
  const open = (kind, vol) => html`<button type="button" class="small" aria-label=${`${kind} ${vol.name}`} onClick=${() => setDialog({ kind, vol })}>${kind}</button>`;
  const cols = [
    { label: 'Name', get: (x) => x.name || x.id },
    { label: 'Size', get: (x) => `${x.size} GiB` },
    { label: 'Status', get: (x) => html`<${Status} value=${x.status} />` },
    { label: 'Attached to', get: (x) => x.attachments.map((a) => `${serverName(a.server_id)} on ${a.device}`).join(', ') || '—' },
    {
      label: 'Actions',
      get: (x) => html`<div class="row-actions">
        ${x.status === 'available' && open('Attach', x)}
        ${x.attachments.map((a) => act('Detach', x, () => del(`/api/compute/servers/${a.server_id}/os-volume_attachments/${x.id}`)))}
        ${(x.status === 'available' || inUse(x)) && open('Extend', x)}
        ${open('Snapshot', x)}
        ${open('Backup', x)}
        ${act('Delete', x, () => del(`${V}/volumes/${x.id}`), { danger: true, confirm: `Delete volume ${x.name}?` })}
      </div>`,
    },
  ];
  const dl = dialog;
  return html`<${Page} title="Volumes" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create volume</button>`}>
    <${Table} label="Volumes" rows=${v.vols} cols=${cols} empty="No volumes." />
    <h2>Volume snapshots</h2>
    <${Table} label="Volume snapshots" rows=${v.snaps} empty="No snapshots." cols=${[
      { label: 'Name', get: (s) => s.name || s.id }, { label: 'Size', get: (s) => `${s.size} GiB` },
      { label: 'Status', get: (s) => html`<${Status} value=${s.status} />` },
      { label: 'Actions', get: (s) => act('Delete', s, () => del(`${V}/snapshots/${s.id}`), { danger: true, confirm: `Delete snapshot ${s.name}?` }) },
    ]} />
    <h2>Volume backups</h2>
    <${Table} label="Volume backups" rows=${v.backups} empty="No backups." cols=${[
      { label: 'Name', get: (s) => s.name || s.id }, { label: 'Size', get: (s) => `${s.size} GiB` },
      { label: 'Status', get: (s) => html`<${Status} value=${s.status} />` },
      { label: 'Actions', get: (s) => act('Delete', s, () => del(`${V}/backups/${s.id}`), { danger: true, confirm: `Delete backup ${s.name}?` }) },
    ]} />
    ${dl && dl.kind === 'create' && html`<${Create} onClose=${close} reload=${d.reload} />`}
    ${dl && dl.kind === 'Attach' && html`<${OneField} title=${`Attach ${dl.vol.name}`} label="Instance" initial=${(v.servers[0] || {}).id}
      opts=${options(v.servers)} onClose=${close} reload=${d.reload}
      submit=${(sid) => post(`/api/compute/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: dl.vol.id } })} />`}
    ${dl && dl.kind === 'Extend' && html`<${OneField} title=${`Extend ${dl.vol.name}`} label="New size (GiB)" type="number" initial=${dl.vol.size + 1}
      onClose=${close} reload=${d.reload} submit=${(size) => post(`${V}/volumes/${dl.vol.id}/action`, { 'os-extend': { new_size: size } }, { headers: EXTEND_VERSION })} />`}
    ${dl && dl.kind === 'Snapshot' && html`<${OneField} title=${`Snapshot ${dl.vol.name}`} label="Snapshot name" initial=${`${dl.vol.name}-snap`}
      onClose=${close} reload=${d.reload} submit=${(name) => post(`${V}/snapshots`, { snapshot: { volume_id: dl.vol.id, name, force: true } })} />`}
    ${dl && dl.kind === 'Backup' && html`<${OneField} title=${`Backup ${dl.vol.name}`} label="Backup name" initial=${`${dl.vol.name}-backup`}
      onClose=${close} reload=${d.reload} submit=${(name) => post(`${V}/backups`, { backup: { volume_id: dl.vol.id, name, incremental: false, force: inUse(dl.vol) } })} />`}
  </${Page}>`;
}
