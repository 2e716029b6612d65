// Networks with their subnets and ports: list, create (optionally with a first
// subnet), delete; the detail page adds and removes subnets and lists ports.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, Link, useLoad } from '../ui.js';

const N = '/api/network/v2.0';

function SubnetFields({ f, set }) {
  return html`<${Field} label="Subnet name" value=${f.subnetName} onInput=${set('subnetName')} />
    <${Field} label="Network address (CIDR)" value=${f.cidr} onInput=${set('cidr')} placeholder="10.0.0.0/24" />
    <${Field} label="IP version" value=${f.ipVersion} onInput=${set('ipVersion')} options=${[{ value: '4', label: 'IPv4' }, { value: '6', label: 'IPv6' }]} />
    <${Field} label="Gateway IP (empty: the first address)" value=${f.gateway} onInput=${set('gateway')} />
    <${Field} label="Enable DHCP" type="checkbox" value=${f.dhcp} onInput=${set('dhcp')} />`;
}

const subnetBody = (networkId, f) => {
  const s = { network_id: networkId, name: f.subnetName, cidr: f.cidr, ip_version: Number(f.ipVersion), enable_dhcp: f.dhcp };
  if (f.gateway) s.gateway_ip = f.gateway;
  return { subnet: s };
};

function Create({ onClose, reload }) {
  const [f, setF] = useState({ name: '', shared: false, subnetName: '', cidr: '', ipVersion: '4', gateway: '', dhcp: true });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const submit = async () => {
    const body = { network: { name: f.name, admin_state_up: true } };
    if (f.shared) body.network.shared = true;
    const n = (await post(`${N}/networks`, body)).network;
    if (f.cidr) await post(`${N}/subnets`, subnetBody(n.id, f));
  };
  return html`<${FormModal} title="Create network" onClose=${onClose} reload=${reload} onSubmit=${submit} submit="Create">
    <${Field} label="Network name" value=${f.name} onInput=${set('name')} required />
    <${Field} label="Shared" type="checkbox" value=${f.shared} onInput=${set('shared')} />
    <fieldset><legend>Subnet (optional)</legend><${SubnetFields} f=${f} set=${set} /></fieldset>
  </${FormModal}>`;
}

export function Networks() {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState(null);
  const list = useLoad(async () => {
    const [nets, subs] = await Promise.all([get(`${N}/networks`), get(`${N}/subnets`)]);
    const byId = Object.fromEntries(subs.subnets.map((s) => [s.id, s]));
    return nets.networks.map((n) => ({ ...n, subnetList: n.subnets.map((id) => byId[id]).filter(Boolean) }));
  });
  const cols = [
    { label: 'Name', get: (n) => html`<${Link} href=${`/project/networks/${n.id}`}>${n.name || n.id}</${Link}>` },
    { label: 'Subnets', get: (n) => n.subnetList.map((s) => `${s.name || s.id} ${s.cidr}`).join(', ') },
    { label: 'Shared', get: (n) => (n.shared ? 'Yes' : 'No') },
    { label: 'External', get: (n) => (n['router:external'] ? 'Yes' : 'No') },
    { label: 'Status', get: (n) => html`<${Status} value=${n.status} />` },
    { label: 'Actions', get: (n) => html`<${Act} label="Delete" name=${n.name} danger confirm=${`Delete network ${n.name}?`}
      run=${() => del(`${N}/networks/${n.id}`)} reload=${list.reload} onError=${setError} />` },
  ];
  return html`<${Page} title="Networks" error=${error || list.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create network</button>`}>
    <${Table} label="Networks" rows=${list.data} cols=${cols} empty="No networks." />
    ${dialog && html`<${Create} onClose=${() => setDialog(false)} reload=${list.reload} />`}
  </${Page}>`;
}

function AddSubnet({ network, onClose, reload }) {
  const [f, setF] = useState({ subnetName: '', cidr: '', ipVersion: '4', gateway: '', dhcp: true });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  return html`<${FormModal} title="Create subnet" submit="Create" onClose=${onClose} reload=${reload}
    onSubmit=${() => post(`${N}/subnets`, subnetBody(network.id, f))}>
    <${SubnetFields} f=${f} set=${set} />
  </${FormModal}>`;
}

export function NetworkDetail({ params }) {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState(null);
  const d = useLoad(async () => {
    const [n, subs, ports] = await Promise.all([
      get(`${N}/networks/${params.id}`),
      get(`${N}/subnets?network_id=${params.id}`),
      get(`${N}/ports?network_id=${params.id}`),
    ]);
    return { net: n.network, subnets: subs.subnets, ports: ports.ports };
  }, [params.id]);
  const v = d.data;
  return html`<${Page} title=${v ? `Network ${v.net.name || v.net.id}` : 'Network'} error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create subnet</button>`}>
    <h2>Subnets</h2>
    <${Table} label="Subnets" rows=${v && v.subnets} empty="No subnets." cols=${[
      { label: 'Name', get: (s) => s.name || s.id },
      { label: 'CIDR', get: (s) => s.cidr },
      { label: 'Gateway', get: (s) => s.gateway_ip || '—' },
      { label: 'DHCP', get: (s) => (s.enable_dhcp ? 'Yes' : 'No') },
      { label: 'Actions', get: (s) => html`<${Act} label="Delete" name=${s.name} danger confirm=${`Delete subnet ${s.name}?`}
        run=${() => del(`${N}/subnets/${s.id}`)} reload=${d.reload} onError=${setError} />` },
    ]} />
    <h2>Ports</h2>
    <${Table} label="Ports" rows=${v && v.ports} empty="No ports." cols=${[
      { label: 'Name', get: (p) => p.name || p.id.slice(0, 8) },
      { label: 'Fixed IPs', get: (p) => p.fixed_ips.map((x) => x.ip_address).join(', ') },
      { label: 'MAC', get: (p) => p.mac_address },
      { label: 'Device owner', get: (p) => p.device_owner || '—' },
      { label: 'Status', get: (p) => html`<${Status} value=${p.status} />` },
    ]} />
    ${dialog && v && html`<${AddSubnet} network=${v.net} onClose=${() => setDialog(false)} reload=${d.reload} />`}
  </${Page}>`;
}
