// Admin pages: hypervisors, compute services and network agents with their
// up/down state, flavors, and every project's instances, images, volumes and
// networks. A member who opens one sees the API's own refusal (403), because the
// dashboard asks with the member's token and the services' policy answers.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, useLoad, bytes } from '../ui.js';

function Listing({ title, load, cols, every = 0, actions, children, rowId }) {
  const d = useLoad(load, [], every);
  return html`<${Page} title=${title} error=${d.error} actions=${actions && actions(d)}>
    ${!(d.error && !d.data) && html`<${Table} label=${title} rows=${d.data} cols=${typeof cols === 'function' ? cols(d) : cols} rowId=${rowId} />`}
    ${children && children(d)}
  </${Page}>`;
}

export function Hypervisors() {
  return html`<${Listing} title="Hypervisors" every=${5000} load=${() => get('/api/compute/os-hypervisors/detail').then((r) => r.hypervisors)} cols=${[
    { label: 'Host', get: (x) => x.hypervisor_hostname },
    { label: 'Type', get: (x) => x.hypervisor_type },
    { label: 'State', get: (x) => html`<${Status} value=${x.state} />` },
    { label: 'Status', get: (x) => html`<${Status} value=${x.status} />` },
    { label: 'VCPUs (used / total)', get: (x) => (x.vcpus === undefined ? '—' : `${x.vcpus_used} / ${x.vcpus}`) },
    { label: 'RAM (used / total)', get: (x) => (x.memory_mb === undefined ? '—' : `${x.memory_mb_used} / ${x.memory_mb} MiB`) },
    { label: 'Instances', get: (x) => (x.running_vms === undefined ? (x.servers || []).length : x.running_vms) },
  ]} />`;
}

export function Services({ session }) {
  const agents = useLoad(
    () => (session.services.includes('network') ? get('/api/network/v2.0/agents').then((r) => r.agents) : Promise.resolve([])),
  );
  return html`<${Listing} title="System services" every=${5000} load=${() => get('/api/compute/os-services').then((r) => r.services)} cols=${[
    { label: 'Service', get: (x) => x.binary },
    { label: 'Host', get: (x) => x.host },
    { label: 'Zone', get: (x) => x.zone },
    { label: 'Status', get: (x) => html`<${Status} value=${x.status} />` },
    { label: 'State', get: (x) => html`<${Status} value=${x.state} />` },
    { label: 'Updated', get: (x) => x.updated_at },
  ]}>${() => html`<h2>Network agents</h2>
    ${agents.error && html`<div class="error" role="alert">${agents.error.message}</div>`}
    <${Table} label="Network agents" rows=${agents.data} empty="No network agents." cols=${[
      { label: 'Agent', get: (a) => a.agent_type },
      { label: 'Binary', get: (a) => a.binary },
      { label: 'Host', get: (a) => a.host },
      { label: 'Alive', get: (a) => html`<${Status} value=${a.alive ? 'UP' : 'DOWN'} />` },
      { label: 'Admin state', get: (a) => (a.admin_state_up ? 'Up' : 'Down') },
    ]} />`}</${Listing}>`;
}

export function Flavors() {
  const [error, setError] = useState(null);
  const [dialog, setDialog] = useState(false);
  const [f, setF] = useState({ name: '', vcpus: 1, ram: 512, disk: 1, public: true });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  return html`<${Listing} title="Flavors" load=${() => get('/api/compute/flavors/detail?is_public=None').then((r) => r.flavors)}
    actions=${() => html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create flavor</button>`}
    cols=${(d) => [
      { label: 'Name', get: (x) => x.name },
      { label: 'VCPUs', get: (x) => x.vcpus },
      { label: 'RAM', get: (x) => `${x.ram} MiB` },
      { label: 'Disk', get: (x) => `${x.disk} GiB` },
      { label: 'Public', get: (x) => (x['os-flavor-access:is_public'] ? 'Yes' : 'No') },
      { label: 'Actions', get: (x) => html`<${Act} label="Delete" name=${x.name} danger confirm=${`Delete flavor ${x.name}?`}
        run=${() => del(`/api/compute/flavors/${x.id}`)} reload=${d.reload} onError=${setError} />` },
    ]}>${(d) => html`<${ErrorBoxLite} error=${error} />
      ${dialog && html`<${FormModal} title="Create flavor" submit="Create" onClose=${() => setDialog(false)} reload=${d.reload}
        onSubmit=${() => post('/api/compute/flavors', { flavor: { name: f.name, vcpus: f.vcpus, ram: f.ram, disk: f.disk, 'os-flavor-access:is_public': f.public } })}>
        <${Field} label="Flavor name" value=${f.name} onInput=${set('name')} required />
        <${Field} label="VCPUs" type="number" min="1" value=${f.vcpus} onInput=${set('vcpus')} />
        <${Field} label="RAM (MiB)" type="number" min="1" value=${f.ram} onInput=${set('ram')} />
        <${Field} label="Root disk (GiB)" type="number" min="0" value=${f.disk} onInput=${set('disk')} />
        <${Field} label="Public" type="checkbox" value=${f.public} onInput=${set('public')} />
      </${FormModal}>`}`}</${Listing}>`;
}

function ErrorBoxLite({ error }) {
  return error ? html`<div class="error" role="alert">${error.status ? `${error.status} ` : ''}${error.message}</div>` : null;
}

export function AllInstances() {
  return html`<${Listing} title="All instances" every=${3000} load=${() => get('/api/compute/servers/detail?all_tenants=1').then((r) => r.servers)} cols=${[
    { label: 'Name', get: (s) => s.name },
    { label: 'Project', get: (s) => s.tenant_id },
    { label: 'Host', get: (s) => s['OS-EXT-SRV-ATTR:host'] || '—' },
    { label: 'Status', get: (s) => html`<${Status} value=${s.status} />` },
    { label: 'Flavor', get: (s) => s.flavor && s.flavor.original_name },
  ]} />`;
}

export function AllImages() {
  return html`<${Listing} title="All images" load=${() => get('/api/image/v2/images?limit=1000&visibility=all').then((r) => r.images)} cols=${[
    { label: 'Name', get: (i) => i.name || i.id },
    { label: 'Owner', get: (i) => i.owner },
    { label: 'Visibility', get: (i) => i.visibility },
    { label: 'Status', get: (i) => html`<${Status} value=${i.status} />` },
    { label: 'Size', get: (i) => bytes(i.size) },
  ]} />`;
}

export function AllVolumes() {
  return html`<${Listing} title="All volumes" load=${() => get('/api/volumev3/volumes/detail?all_tenants=1').then((r) => r.volumes)} cols=${[
    { label: 'Name', get: (v) => v.name || v.id },
    { label: 'Project', get: (v) => v['os-vol-tenant-attr:tenant_id'] || '' },
    { label: 'Size', get: (v) => `${v.size} GiB` },
    { label: 'Status', get: (v) => html`<${Status} value=${v.status} />` },
  ]} />`;
}

export function AllNetworks() {
  return html`<${Listing} title="All networks" load=${() => get('/api/network/v2.0/networks').then((r) => r.networks)} cols=${[
    { label: 'Name', get: (n) => n.name },
    { label: 'Project', get: (n) => n.project_id },
    { label: 'Shared', get: (n) => (n.shared ? 'Yes' : 'No') },
    { label: 'External', get: (n) => (n['router:external'] ? 'Yes' : 'No') },
    { label: 'Status', get: (n) => html`<${Status} value=${n.status} />` },
  ]} />`;
}
