// Network topology: an SVG graph built from Networking's networks and ports and
// Compute's servers. Networks are vertical bars; routers and instances are boxes
// in rows, each joined by a line to every network it has a port on. Every node
// is a link, so the graph is clickable and keyboard reachable.
import { get } from '../api.js';
import { html, Page, useLoad, navigate } from '../ui.js';

const N = '/api/network/v2.0';
const COL = 150;
const ROW = 70;
const TOP = 40;

// layout places networks in columns and devices in rows under them; pure, so
// the picture depends only on the data.
export function layout(networks, devices) {
  const col = Object.fromEntries(networks.map((n, i) => [n.id, 90 + i * COL]));
  const nodes = devices.map((d, i) => {
    const xs = d.networks.map((id) => col[id]).filter((x) => x !== undefined);
    const x = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 90;
    return { ...d, x, y: TOP + 40 + i * ROW };
  });
  const height = TOP + 80 + devices.length * ROW;
  const width = Math.max(400, 160 + networks.length * COL);
  return { col, nodes, height, width };
}

export function Topology() {
  const d = useLoad(async () => {
    const [nets, routers, ports, servers] = await Promise.all([
      get(`${N}/networks`), get(`${N}/routers`), get(`${N}/ports`), get('/api/compute/servers/detail'),
    ]);
    const onNets = (deviceId) => [...new Set(ports.ports.filter((p) => p.device_id === deviceId).map((p) => p.network_id))];
    const devices = [
      ...routers.routers.map((r) => ({
        id: r.id, kind: 'router', name: r.name || r.id.slice(0, 8), href: '/project/routers',
        networks: [...new Set([...onNets(r.id), ...(r.external_gateway_info ? [r.external_gateway_info.network_id] : [])])],
      })),
      ...servers.servers.map((s) => ({
        id: s.id, kind: 'instance', name: s.name, status: s.status, href: `/project/instances/${s.id}`, networks: onNets(s.id),
      })),
    ];
    return { networks: nets.networks, devices };
  }, [], 5000);
  const v = d.data;
  let graph = null;
  if (v) {
    const { col, nodes, height, width } = layout(v.networks, v.devices);
    const go = (href) => (e) => {
      e.preventDefault();
      navigate(href);
    };
    graph = html`<div class="topology-wrap"><svg class="topology" viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height}
      role="group" aria-label=${`Topology: ${v.networks.length} networks, ${v.devices.length} routers and instances`}>
      ${nodes.map((n) => n.networks.filter((id) => col[id] !== undefined).map((id) => html`<line class="link" x1=${col[id]} y1=${n.y} x2=${n.x} y2=${n.y} />`))}
      ${v.networks.map((n) => html`<a href=${`/project/networks/${n.id}`} onClick=${go(`/project/networks/${n.id}`)} class="node network" data-kind="network" data-name=${n.name}>
        <title>Network ${n.name}</title>
        <rect x=${col[n.id] - 8} y=${TOP} width="16" height=${height - TOP - 10} rx="6" />
        <text x=${col[n.id]} y=${TOP - 12} text-anchor="middle">${n.name || n.id.slice(0, 8)}</text></a>`)}
      ${nodes.map((n) => html`<a href=${n.href} onClick=${go(n.href)} class=${`node ${n.kind}`} data-kind=${n.kind} data-name=${n.name}>
        <title>${n.kind === 'router' ? 'Router' : 'Instance'} ${n.name}${n.status ? ` (${n.status})` : ''}</title>
        <rect x=${n.x - 55} y=${n.y - 16} width="110" height="32" rx=${n.kind === 'router' ? 16 : 4} />
        <text x=${n.x} y=${n.y + 5} text-anchor="middle">${n.kind === 'router' ? '⇄ ' : ''}${n.name.length > 14 ? `${n.name.slice(0, 13)}…` : n.name}</text></a>`)}
    </svg></div>`;
  }
  return html`<${Page} title="Network topology" error=${d.error}>
    <p class="muted">Networks are the vertical bars; routers (rounded) and instances are joined to the networks they have ports on. Select a node to open it.</p>
    ${v ? graph : html`<p class="muted">Loading…</p>`}
  </${Page}>`;
}
