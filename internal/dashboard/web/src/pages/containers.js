// Object store: containers (create, delete, make public with Swift's
// X-Container-Read: .r:*,.rlistings) and, inside one, pseudo-folders (listing
// with delimiter "/"), upload with progress, download, delete.
import { useState } from 'preact/hooks';
import { get, post, put, del, request, upload } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Link, useLoad, bytes, navigate } from '../ui.js';

const S = '/api/object-store';
const enc = (p) => p.split('/').map(encodeURIComponent).join('/');
const PUBLIC = '.r:*,.rlistings';

function ContainerList() {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState(null);
  const [name, setName] = useState('');
  const [pub, setPub] = useState(false);
  const d = useLoad(() => get(`${S}?format=json`));
  const cols = [
    { label: 'Name', get: (c) => html`<${Link} href=${`/project/containers/${encodeURIComponent(c.name)}`}>${c.name}</${Link}>` },
    { label: 'Objects', get: (c) => c.count },
    { label: 'Size', get: (c) => bytes(c.bytes) },
    { label: 'Actions', get: (c) => html`<${Act} label="Delete" name=${c.name} danger confirm=${`Delete container ${c.name}? It must be empty.`}
      run=${() => del(`${S}/${encodeURIComponent(c.name)}`)} reload=${d.reload} onError=${setError} />` },
  ];
  return html`<${Page} title="Containers" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create container</button>`}>
    <${Table} label="Containers" rows=${d.data} cols=${cols} rowId=${(c) => c.name} empty="No containers." />
    ${dialog && html`<${FormModal} title="Create container" submit="Create" onClose=${() => setDialog(false)} reload=${d.reload}
      onSubmit=${() => put(`${S}/${encodeURIComponent(name)}`, '', { headers: pub ? { 'X-Container-Read': PUBLIC } : {} })}>
      <${Field} label="Container name" value=${name} onInput=${setName} required />
      <${Field} label="Public (anyone may read and list)" type="checkbox" value=${pub} onInput=${setPub} />
    </${FormModal}>`}
  </${Page}>`;
}

function Upload({ container, prefix, onClose, reload }) {
  const [file, setFile] = useState(null);
  const [progress, setProgress] = useState(null);
  const submit = () => {
    setProgress(0);
    return upload('PUT', `${S}/${encodeURIComponent(container)}/${enc(prefix + file.name)}`, file,
      { 'Content-Type': file.type || 'application/octet-stream' }, setProgress);
  };
  return html`<${FormModal} title="Upload object" submit="Upload" onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="File" type="file" onInput=${setFile} required />
    ${progress !== null && html`<progress max="100" value=${Math.round(progress * 100)} aria-label="Upload progress"></progress>`}
  </${FormModal}>`;
}

function ObjectList({ container }) {
  const prefix = new URLSearchParams(location.search).get('prefix') || '';
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [folder, setFolder] = useState('');
  const base = `${S}/${encodeURIComponent(container)}`;
  const d = useLoad(async () => {
    const [list, head] = await Promise.all([
      get(`${base}?format=json&delimiter=/&prefix=${encodeURIComponent(prefix)}`),
      request('HEAD', base, { raw: true }),
    ]);
    return { list, read: head.headers.get('X-Container-Read') || '' };
  }, [container, prefix]);
  const v = d.data;
  const isPublic = v && v.read.includes('.r:*');
  const open = (p) => navigate(`/project/containers/${encodeURIComponent(container)}${p ? `?prefix=${encodeURIComponent(p)}` : ''}`);
  const cols = [
    {
      label: 'Name',
      get: (o) => (o.subdir
        ? html`<a href=${`?prefix=${encodeURIComponent(o.subdir)}`} onClick=${(e) => { e.preventDefault(); open(o.subdir); }}>📁 ${o.subdir.slice(prefix.length)}</a>`
        : html`<a href=${`${base}/${enc(o.name)}`} download=${o.name.split('/').pop()}>${o.name.slice(prefix.length)}</a>`),
    },
    { label: 'Size', get: (o) => (o.subdir ? '' : bytes(o.bytes)) },
    { label: 'Modified', get: (o) => o.last_modified || '' },
    { label: 'Actions', get: (o) => (o.subdir ? null : html`<${Act} label="Delete" name=${o.name} danger confirm=${`Delete ${o.name}?`}
      run=${() => del(`${base}/${enc(o.name)}`)} reload=${d.reload} onError=${setError} />`) },
  ];
  const crumbs = prefix.split('/').filter(Boolean);
  const close = () => setDialog(null);
  return html`<${Page} title=${`Container ${container}`} error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog('upload')}>Upload object</button>
      <button type="button" onClick=${() => setDialog('folder')}>Create folder</button>
      ${v && html`<${Act} label=${isPublic ? 'Make private' : 'Make public'} reload=${d.reload} onError=${setError}
        run=${() => post(base, '', { headers: { 'X-Container-Read': isPublic ? '' : PUBLIC } })} />`}`}>
    <nav aria-label="Folder" class="crumbs"><${Link} href="/project/containers">Containers</${Link}> /
      <a href="?" onClick=${(e) => { e.preventDefault(); open(''); }}>${container}</a>
      ${crumbs.map((c, i) => html` / <a href="?" onClick=${(e) => { e.preventDefault(); open(`${crumbs.slice(0, i + 1).join('/')}/`); }}>${c}</a>`)}
    </nav>
    ${isPublic && html`<p>Public: anyone can read this container's objects and list it.</p>`}
    <${Table} label="Objects" rows=${v && v.list} cols=${cols} rowId=${(o) => o.subdir || o.name} empty="This folder is empty." />
    ${dialog === 'upload' && html`<${Upload} container=${container} prefix=${prefix} onClose=${close} reload=${d.reload} />`}
    ${dialog === 'folder' && html`<${FormModal} title="Create folder" submit="Create" onClose=${close} reload=${d.reload}
      onSubmit=${() => put(`${base}/${enc(`${prefix}${folder}/`)}`, '', { headers: { 'Content-Type': 'application/directory' } })}>
      <${Field} label="Folder name" value=${folder} onInput=${setFolder} required />
    </${FormModal}>`}
  </${Page}>`;
}

export function Containers({ params }) {
  return params.name ? html`<${ObjectList} container=${params.name} />` : html`<${ContainerList} />`;
}
