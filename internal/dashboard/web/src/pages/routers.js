// Routers: create with an optional external gateway, add and remove subnet
// interfaces, delete.
import { useState } from 'preact/hooks';
import { get, post, put, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, useLoad, options } from '../ui.js';

const N = '/api/network/v2.0';

function Create({ onClose, reload, externals }) {
  const [name, setName] = useState('');
  const [ext, setExt] = useState('');
  const submit = () => {
    const router = { name, admin_state_up: true };
    if (ext) router.external_gateway_info = { network_id: ext };
    return post(`${N}/routers`, { router });
  };
  return html`<${FormModal} title="Create router" submit="Create" onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="Router name" value=${name} onInput=${setName} required />
    <${Field} label="External network" value=${ext} onInput=${setExt} options=${[{ value: '', label: '(none)' }, ...options(externals)]} />
  </${FormModal}>`;
}

function AddInterface({ router, subnets, onClose, reload }) {
  const [subnet, setSubnet] = useState((subnets[0] && subnets[0].id) || '');
  return html`<${FormModal} title=${`Add interface to ${router.name}`} submit="Add interface" onClose=${onClose} reload=${reload}
    onSubmit=${() => put(`${N}/routers/${router.id}/add_router_interface`, { subnet_id: subnet })}>
    <${Field} label="Subnet" value=${subnet} onInput=${setSubnet} required options=${options(subnets, (s) => `${s.name || s.id} (${s.cidr})`)} />
  </${FormModal}>`;
}

export function Routers() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const d = useLoad(async () => {
    const [routers, nets, subnets, ports] = await Promise.all([
      get(`${N}/routers`), get(`${N}/networks`), get(`${N}/subnets`), get(`${N}/ports?device_owner=network:router_interface`),
    ]);
    return { routers: routers.routers, networks: nets.networks, subnets: subnets.subnets, ports: ports.ports };
  });
  const v = d.data || { routers: null, networks: [], subnets: [], ports: [] };
  const subnetName = (id) => {
    const s = v.subnets.find((x) => x.id === id);
    return s ? `${s.name || s.id} (${s.cidr})` : id;
  };
  const interfaces = (r) => v.ports.filter((p) => p.device_id === r.id);
  const netName = (id) => (v.networks.find((n) => n.id === id) || { name: id }).name;
  const cols = [
    { label: 'Name', get: (r) => r.name || r.id },
    { label: 'Status', get: (r) => html`<${Status} value=${r.status} />` },
    { label: 'External gateway', get: (r) => (r.external_gateway_info ? netName(r.external_gateway_info.network_id) : '—') },
    {
      label: 'Interfaces',
      get: (r) => html`<ul class="plain">${interfaces(r).map((p) => p.fixed_ips.map((ip) => html`<li>${subnetName(ip.subnet_id)}
        <${Act} label="Remove" name=${`interface ${ip.ip_address}`} danger run=${() => put(`${N}/routers/${r.id}/remove_router_interface`, { subnet_id: ip.subnet_id })}
          reload=${d.reload} onError=${setError} /></li>`))}</ul>`,
    },
    {
      label: 'Actions',
      get: (r) => html`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add interface to ${r.name}`} onClick=${() => setDialog({ kind: 'iface', r })}>Add interface</button>
        <${Act} label="Delete" name=${r.name} danger confirm=${`Delete router ${r.name}?`} run=${() => del(`${N}/routers/${r.id}`)}
          reload=${d.reload} onError=${setError} /></div>`,
    },
  ];
  const close = () => setDialog(null);
  return html`<${Page} title="Routers" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create router</button>`}>
    <${Table} label="Routers" rows=${v.routers} cols=${cols} empty="No routers." />
    ${dialog && dialog.kind === 'create' && html`<${Create} onClose=${close} reload=${d.reload} externals=${v.networks.filter((n) => n['router:external'])} />`}
    ${dialog && dialog.kind === 'iface' && html`<${AddInterface} router=${dialog.r} subnets=${v.subnets} onClose=${close} reload=${d.reload} />`}
  </${Page}>`;
}
