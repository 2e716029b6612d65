// Security groups with a rule editor: create and delete groups, add rules
// (direction, protocol, port range, remote CIDR or group) and delete them.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, useLoad, options } from '../ui.js';

const N = '/api/network/v2.0';

function Create({ onClose, reload }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return html`<${FormModal} title="Create security group" submit="Create" onClose=${onClose} reload=${reload}
    onSubmit=${() => post(`${N}/security-groups`, { security_group: { name, description } })}>
    <${Field} label="Group name" value=${name} onInput=${setName} required />
    <${Field} label="Description" value=${description} onInput=${setDescription} />
  </${FormModal}>`;
}

function AddRule({ group, groups, onClose, reload }) {
  const [f, setF] = useState({ direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', min: '', max: '', remote: 'cidr', cidr: '0.0.0.0/0', rgroup: group.id });
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const submit = () => {
    const r = { security_group_id: group.id, direction: f.direction, ethertype: f.ethertype };
    if (f.protocol !== 'any') r.protocol = f.protocol;
    if (f.min !== '') r.port_range_min = Number(f.min);
    if (f.max !== '' || f.min !== '') r.port_range_max = Number(f.max === '' ? f.min : f.max);
    if (f.remote === 'cidr' && f.cidr) r.remote_ip_prefix = f.cidr;
    if (f.remote === 'group') r.remote_group_id = f.rgroup;
    return post(`${N}/security-group-rules`, { security_group_rule: r });
  };
  const ports = f.protocol === 'tcp' || f.protocol === 'udp';
  return html`<${FormModal} title=${`Add rule to ${group.name}`} submit="Add rule" onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="Direction" value=${f.direction} onInput=${set('direction')} options=${[{ value: 'ingress', label: 'Ingress' }, { value: 'egress', label: 'Egress' }]} />
    <${Field} label="Ether type" value=${f.ethertype} onInput=${set('ethertype')} options=${[{ value: 'IPv4', label: 'IPv4' }, { value: 'IPv6', label: 'IPv6' }]} />
    <${Field} label="Protocol" value=${f.protocol} onInput=${set('protocol')} options=${['tcp', 'udp', 'icmp', 'any'].map((p) => ({ value: p, label: p }))} />
    ${ports && html`<${Field} label="Port range from" type="number" min="1" max="65535" value=${f.min} onInput=${set('min')} />
      <${Field} label="Port range to (empty: same)" type="number" min="1" max="65535" value=${f.max} onInput=${set('max')} />`}
    <${Field} label="Remote" value=${f.remote} onInput=${set('remote')} options=${[{ value: 'cidr', label: 'CIDR' }, { value: 'group', label: 'Security group' }]} />
    ${f.remote === 'cidr'
      ? html`<${Field} label="Remote CIDR" value=${f.cidr} onInput=${set('cidr')} />`
      : html`<${Field} label="Remote security group" value=${f.rgroup} onInput=${set('rgroup')} options=${options(groups)} />`}
  </${FormModal}>`;
}

const ruleText = (r) => {
  const ports = r.port_range_min === null || r.port_range_min === undefined ? 'any port'
    : r.port_range_min === r.port_range_max ? `port ${r.port_range_min}` : `ports ${r.port_range_min}–${r.port_range_max}`;
  return `${r.direction} ${r.ethertype} ${r.protocol || 'any'} ${ports}`;
};

export function SecurityGroups({ session }) {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const d = useLoad(() => get(`${N}/security-groups?project_id=${session.project.id}`).then((r) => r.security_groups));
  const groups = d.data || [];
  const name = (id) => (groups.find((g) => g.id === id) || { name: id }).name;
  const close = () => setDialog(null);
  return html`<${Page} title="Security groups" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create security group</button>`}>
    ${!d.data && html`<p class="muted">Loading…</p>`}
    ${groups.map((g) => html`<section class="card" aria-label=${`Security group ${g.name}`}>
      <div class="page-head"><h2>${g.name}</h2><div class="actions">
        <button type="button" class="small" aria-label=${`Add rule to ${g.name}`} onClick=${() => setDialog({ kind: 'rule', g })}>Add rule</button>
        <${Act} label="Delete" name=${`group ${g.name}`} danger confirm=${`Delete security group ${g.name}?`}
          run=${() => del(`${N}/security-groups/${g.id}`)} reload=${d.reload} onError=${setError} /></div></div>
      ${g.description && html`<p class="muted">${g.description}</p>`}
      <${Table} label=${`Rules of ${g.name}`} rows=${g.security_group_rules} empty="No rules." cols=${[
        { label: 'Rule', get: ruleText },
        { label: 'Remote', get: (r) => r.remote_ip_prefix || (r.remote_group_id ? `group ${name(r.remote_group_id)}` : 'anywhere') },
        { label: 'Actions', get: (r) => html`<${Act} label="Delete" name=${`rule ${ruleText(r)}`} danger run=${() => del(`${N}/security-group-rules/${r.id}`)}
          reload=${d.reload} onError=${setError} />` },
      ]} />
    </section>`)}
    ${dialog && dialog.kind === 'create' && html`<${Create} onClose=${close} reload=${d.reload} />`}
    ${dialog && dialog.kind === 'rule' && html`<${AddRule} group=${dialog.g} groups=${groups} onClose=${close} reload=${d.reload} />`}
  </${Page}>`;
}
