// Images: the list, upload with a progress bar (the image record is created with
// POST, then its data is PUT with XMLHttpRequest so that upload progress can be
// shown), editing name and visibility (a JSON patch), delete and launch. Like
// Horizon, the list is filtered to the project's own images by default, with
// the images shared with the project, the public ones and the community ones a
// choice away; each filter is Glance's own query (owner= or visibility=), so
// the counts and the paging are the API's.
import { useState } from 'preact/hooks';
import { get, post, del, patch, upload } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, useLoad, bytes, navigate } from '../ui.js';

const FORMATS = ['raw', 'qcow2', 'iso', 'vmdk', 'vdi', 'vhd', 'vhdx', 'ami', 'aki', 'ari'];
const VISIBILITY = ['private', 'shared', 'community', 'public'];

function Upload({ onClose, reload }) {
  const [f, setF] = useState({ name: '', file: null, disk: 'raw', visibility: 'private' });
  const [progress, setProgress] = useState(null);
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const submit = async () => {
    const img = await post('/api/image/v2/images', {
      name: f.name || (f.file && f.file.name),
      disk_format: f.disk,
      container_format: 'bare',
      visibility: f.visibility,
    });
    setProgress(0);
    try {
      await upload('PUT', `/api/image/v2/images/${img.id}/file`, f.file, { 'Content-Type': 'application/octet-stream' }, setProgress);
    } catch (e) {
      // The record without data would stay queued forever: remove it.
      await del(`/api/image/v2/images/${img.id}`).catch(() => {});
      throw e;
    }
  };
  const pct = progress === null ? null : Math.round(progress * 100);
  return html`<${FormModal} title="Upload image" submit="Upload" onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="Image name" value=${f.name} onInput=${set('name')} />
    <${Field} label="Image file" type="file" onInput=${set('file')} required />
    <${Field} label="Disk format" value=${f.disk} onInput=${set('disk')} options=${FORMATS.map((v) => ({ value: v, label: v }))} />
    <${Field} label="Visibility" value=${f.visibility} onInput=${set('visibility')} options=${VISIBILITY.map((v) => ({ value: v, label: v }))} />
    ${pct !== null && html`<div class="upload-progress">
      <progress id="upload-progress" max="100" value=${pct} aria-label="Upload progress">${pct}%</progress>
      <span aria-live="polite">${pct}%</span></div>`}
  </${FormModal}>`;
}

function Edit({ image, onClose, reload }) {
  const [name, setName] = useState(image.name || '');
  const [visibility, setVisibility] = useState(image.visibility);
  const submit = () => {
    const ops = [];
    if (name !== image.name) ops.push({ op: image.name === null ? 'add' : 'replace', path: '/name', value: name });
    if (visibility !== image.visibility) ops.push({ op: 'replace', path: '/visibility', value: visibility });
    if (!ops.length) return Promise.resolve();
    return patch(`/api/image/v2/images/${image.id}`, JSON.stringify(ops), {
      headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
    });
  };
  return html`<${FormModal} title=${`Edit image ${image.name || image.id}`} onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="Image name" value=${name} onInput=${setName} />
    <${Field} label="Visibility" value=${visibility} onInput=${setVisibility} options=${VISIBILITY.map((v) => ({ value: v, label: v }))} />
  </${FormModal}>`;
}

// FILTERS are the list's views: the label and the Glance query of each.
const FILTERS = [
  { key: 'project', label: 'Project', query: (session) => `owner=${encodeURIComponent(session.project.id)}` },
  { key: 'shared', label: 'Shared with me', query: () => 'visibility=shared' },
  { key: 'public', label: 'Public', query: () => 'visibility=public' },
  { key: 'community', label: 'Community', query: () => 'visibility=community' },
];

export function Images({ session }) {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [filter, setFilter] = useState('project');
  const q = FILTERS.find((x) => x.key === filter).query(session);
  // The answer carries its query, so that a table never shows one filter's
  // rows under another's while the new list is on its way.
  const list = useLoad(() => get(`/api/image/v2/images?limit=1000&${q}`).then((r) => ({ q, images: r.images })), [q], 5000);
  const rows = list.data && list.data.q === q ? list.data.images : null;
  const cols = [
    { label: 'Name', get: (i) => i.name || i.id },
    { label: 'Status', get: (i) => html`<${Status} value=${i.status} />` },
    { label: 'Visibility', get: (i) => i.visibility },
    { label: 'Format', get: (i) => i.disk_format },
    { label: 'Size', get: (i) => bytes(i.size) },
    {
      label: 'Actions',
      get: (i) => html`<div class="row-actions">
        ${i.status === 'active' && html`<button type="button" class="small" aria-label=${`Launch from ${i.name}`}
          onClick=${() => navigate(`/project/instances?launch=1&image=${i.id}`)}>Launch</button>`}
        <button type="button" class="small" aria-label=${`Edit ${i.name}`} onClick=${() => setDialog({ kind: 'edit', i })}>Edit</button>
        <${Act} label="Delete" name=${i.name} danger confirm=${`Delete image ${i.name}?`} run=${() => del(`/api/image/v2/images/${i.id}`)}
          reload=${list.reload} onError=${setError} />
      </div>`,
    },
  ];
  const close = () => setDialog(null);
  return html`<${Page} title="Images" error=${error || list.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'upload' })}>Upload image</button>`}>
    <fieldset class="filter"><legend>Show</legend>
      ${FILTERS.map((x) => html`<label><input type="radio" name="image-filter" value=${x.key} checked=${filter === x.key}
        onChange=${() => setFilter(x.key)} />${x.label}</label>`)}
    </fieldset>
    <div class="image-view" data-view=${filter} data-ready=${rows ? 'yes' : 'no'}>
      <${Table} label="Images" rows=${rows} cols=${cols}
        empty=${`No ${FILTERS.find((x) => x.key === filter).label.toLowerCase()} images.`} /></div>
    ${dialog && dialog.kind === 'upload' && html`<${Upload} onClose=${close} reload=${list.reload} />`}
    ${dialog && dialog.kind === 'edit' && html`<${Edit} image=${dialog.i} onClose=${close} reload=${list.reload} />`}
  </${Page}>`;
}
