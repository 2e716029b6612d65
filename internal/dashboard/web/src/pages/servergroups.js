// Server groups: list, create with a placement policy (affinity, anti-affinity
// and their soft variants), delete. The launch wizard places an instance in a
// group through the scheduler hint "group"; the list shows each group's members
// by name so that the policy's effect can be checked on the Instances page.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Link, useLoad } from '../ui.js';

// POLICIES are Nova's four server-group policies, with what each one means.
export const POLICIES = [
  { value: 'affinity', label: 'affinity (same host, or fail)' },
  { value: 'anti-affinity', label: 'anti-affinity (different hosts, or fail)' },
  { value: 'soft-affinity', label: 'soft-affinity (same host when possible)' },
  { value: 'soft-anti-affinity', label: 'soft-anti-affinity (different hosts when possible)' },
];

function Create({ onClose, reload }) {
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState('anti-affinity');
  return html`<${FormModal} title="Create server group" submit="Create" onClose=${onClose} reload=${reload}
    onSubmit=${() => post('/api/compute/os-server-groups', { server_group: { name, policy } })}>
    <${Field} label="Server group name" value=${name} onInput=${setName} required />
    <${Field} label="Policy" value=${policy} onInput=${setPolicy} options=${POLICIES} />
  </${FormModal}>`;
}

export function ServerGroups() {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState(null);
  const d = useLoad(async () => {
    const [groups, servers] = await Promise.all([
      get('/api/compute/os-server-groups').then((r) => r.server_groups),
      get('/api/compute/servers/detail').then((r) => r.servers),
    ]);
    return { groups, servers };
  }, [], 5000);
  const servers = (d.data && d.data.servers) || [];
  const member = (id) => {
    const s = servers.find((x) => x.id === id);
    return html`<${Link} href=${`/project/instances/${id}`}>${s ? s.name : id}</${Link}>`;
  };
  const cols = [
    { label: 'Name', get: (g) => g.name },
    { label: 'Policy', get: (g) => g.policy || (g.policies || []).join(', ') },
    { label: 'Members', get: (g) => (g.members.length ? html`<ul class="plain">${g.members.map((m) => html`<li>${member(m)}</li>`)}</ul>` : '—') },
    { label: 'Actions', get: (g) => html`<${Act} label="Delete" name=${g.name} danger confirm=${`Delete server group ${g.name}?`}
      run=${() => del(`/api/compute/os-server-groups/${g.id}`)} reload=${d.reload} onError=${setError} />` },
  ];
  return html`<${Page} title="Server groups" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create server group</button>`}>
    <${Table} label="Server groups" rows=${d.data && d.data.groups} cols=${cols} empty="No server groups." />
    ${dialog && html`<${Create} onClose=${() => setDialog(false)} reload=${d.reload} />`}
  </${Page}>`;
}
