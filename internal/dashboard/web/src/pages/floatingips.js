// Floating IPs: allocate from an external network, associate with an
// instance's port, disassociate, release.
import { useState } from 'preact/hooks';
import { get, post, put, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Status, useLoad, options } from '../ui.js';

const N = '/api/network/v2.0';

export function FloatingIPs() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [pick, setPick] = useState('');
  const d = useLoad(async () => {
    const [fips, nets, ports, servers] = await Promise.all([
      get(`${N}/floatingips`), get(`${N}/networks?router:external=true`), get(`${N}/ports?device_owner=compute:nova`),
      get('/api/compute/servers').then((r) => r.servers).catch(() => []),
    ]);
    return { fips: fips.floatingips, externals: nets.networks, ports: ports.ports, servers };
  });
  const v = d.data || { fips: null, externals: [], ports: [], servers: [] };
  // A port is named by its instance, as people know their servers by name.
  const serverName = (id) => (v.servers.find((s) => s.id === id) || { name: id.slice(0, 8) }).name;
  const portLabel = (p) => `${serverName(p.device_id)}: ${p.fixed_ips.map((x) => x.ip_address).join(', ')}`;
  const portOf = (id) => v.ports.find((p) => p.id === id);
  const close = () => setDialog(null);
  // Each dialog starts from its own default: the pool chosen to allocate from is
  // no port to associate with.
  const openDialog = (x) => {
    setPick('');
    setDialog(x);
  };
  const cols = [
    { label: 'Address', get: (f) => f.floating_ip_address },
    { label: 'Mapped fixed address', get: (f) => f.fixed_ip_address || '—' },
    { label: 'Instance', get: (f) => (f.port_id && portOf(f.port_id) ? serverName(portOf(f.port_id).device_id) : '—') },
    { label: 'Status', get: (f) => html`<${Status} value=${f.status} />` },
    {
      label: 'Actions',
      get: (f) => html`<div class="row-actions">
        ${f.port_id
          ? html`<${Act} label="Disassociate" name=${f.floating_ip_address} run=${() => put(`${N}/floatingips/${f.id}`, { floatingip: { port_id: null } })} reload=${d.reload} onError=${setError} />`
          : html`<button type="button" class="small" aria-label=${`Associate ${f.floating_ip_address}`} onClick=${() => openDialog({ kind: 'assoc', f })}>Associate</button>`}
        <${Act} label="Release" name=${f.floating_ip_address} danger confirm=${`Release ${f.floating_ip_address}?`}
          run=${() => del(`${N}/floatingips/${f.id}`)} reload=${d.reload} onError=${setError} /></div>`,
    },
  ];
  return html`<${Page} title="Floating IPs" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => openDialog({ kind: 'alloc' })}>Allocate IP</button>`}>
    <${Table} label="Floating IPs" rows=${v.fips} cols=${cols} empty="No floating IPs." />
    ${dialog && dialog.kind === 'alloc' && html`<${FormModal} title="Allocate floating IP" submit="Allocate" onClose=${close} reload=${d.reload}
      onSubmit=${() => post(`${N}/floatingips`, { floatingip: { floating_network_id: pick || (v.externals[0] && v.externals[0].id) } })}>
      <${Field} label="Pool (external network)" value=${pick} onInput=${setPick} options=${options(v.externals)} required />
    </${FormModal}>`}
    ${dialog && dialog.kind === 'assoc' && html`<${FormModal} title=${`Associate ${dialog.f.floating_ip_address}`} submit="Associate" onClose=${close} reload=${d.reload}
      onSubmit=${() => put(`${N}/floatingips/${dialog.f.id}`, { floatingip: { port_id: pick || (v.ports[0] && v.ports[0].id) } })}>
      <${Field} label="Instance port" value=${pick} onInput=${setPick} options=${options(v.ports, portLabel)} required />
    </${FormModal}>`}
  </${Page}>`;
}
