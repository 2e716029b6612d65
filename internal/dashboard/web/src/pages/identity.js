// Identity administration: projects (with their compute, network and volume
// quotas), users (with role assignment), groups (with members) and roles (with
// every role assignment). Admin only in the navigation; Identity's policy decides.
import { useState } from 'preact/hooks';
import { get, post, put, del, patch } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, useLoad, options } from '../ui.js';

const K = '/api/identity';

function Quotas({ project, onClose }) {
  const [q, setQ] = useState(null);
  const d = useLoad(async () => {
    const [c, n, v] = await Promise.all([
      get(`/api/compute/os-quota-sets/${project.id}`),
      get(`/api/network/v2.0/quotas/${project.id}`),
      get(`/api/volumev3/os-quota-sets/${project.id}`).catch(() => ({ quota_set: {} })),
    ]);
    const init = {
      instances: c.quota_set.instances, cores: c.quota_set.cores, ram: c.quota_set.ram,
      networks: n.quota.network, ports: n.quota.port, floatingips: n.quota.floatingip,
      volumes: v.quota_set.volumes, gigabytes: v.quota_set.gigabytes,
    };
    setQ(init);
    return init;
  });
  const set = (k) => (val) => setQ((o) => ({ ...o, [k]: val }));
  const submit = async () => {
    await put(`/api/compute/os-quota-sets/${project.id}`, { quota_set: { instances: q.instances, cores: q.cores, ram: q.ram } });
    await put(`/api/network/v2.0/quotas/${project.id}`, { quota: { network: q.networks, port: q.ports, floatingip: q.floatingips } });
    if (q.volumes !== undefined) await put(`/api/volumev3/os-quota-sets/${project.id}`, { quota_set: { volumes: q.volumes, gigabytes: q.gigabytes } });
  };
  const labels = { instances: 'Instances', cores: 'VCPUs', ram: 'RAM (MiB)', networks: 'Networks', ports: 'Ports', floatingips: 'Floating IPs', volumes: 'Volumes', gigabytes: 'Volume storage (GiB)' };
  return html`<${FormModal} title=${`Quotas of ${project.name}`} onClose=${onClose} onSubmit=${submit}>
    ${d.error && html`<div class="error" role="alert">${d.error.message}</div>`}
    ${q && Object.entries(labels).filter(([k]) => q[k] !== undefined).map(([k, l]) => html`<${Field} label=${l} type="number" min="-1" value=${q[k]} onInput=${set(k)} />`)}
  </${FormModal}>`;
}

export function Projects() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [f, setF] = useState({ name: '', description: '' });
  const d = useLoad(() => get(`${K}/projects`).then((r) => r.projects));
  const close = () => setDialog(null);
  const cols = [
    { label: 'Name', get: (p) => p.name },
    { label: 'Description', get: (p) => p.description },
    { label: 'Enabled', get: (p) => (p.enabled ? 'Yes' : 'No') },
    { label: 'Actions', get: (p) => html`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Quotas of ${p.name}`} onClick=${() => setDialog({ kind: 'quota', p })}>Quotas</button>
      <${Act} label=${p.enabled ? 'Disable' : 'Enable'} name=${p.name} run=${() => patch(`${K}/projects/${p.id}`, { project: { enabled: !p.enabled } })} reload=${d.reload} onError=${setError} />
      <${Act} label="Delete" name=${p.name} danger confirm=${`Delete project ${p.name}?`} run=${() => del(`${K}/projects/${p.id}`)} reload=${d.reload} onError=${setError} />
    </div>` },
  ];
  return html`<${Page} title="Projects" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create project</button>`}>
    <${Table} label="Projects" rows=${d.data} cols=${cols} />
    ${dialog && dialog.kind === 'create' && html`<${FormModal} title="Create project" submit="Create" onClose=${close} reload=${d.reload}
      onSubmit=${() => post(`${K}/projects`, { project: { name: f.name, description: f.description, domain_id: 'default', enabled: true } })}>
      <${Field} label="Project name" value=${f.name} onInput=${(v) => setF({ ...f, name: v })} required />
      <${Field} label="Description" value=${f.description} onInput=${(v) => setF({ ...f, description: v })} />
    </${FormModal}>`}
    ${dialog && dialog.kind === 'quota' && html`<${Quotas} project=${dialog.p} onClose=${close} />`}
  </${Page}>`;
}

function Assign({ user, onClose, reload }) {
  const d = useLoad(async () => {
    const [p, r] = await Promise.all([get(`${K}/projects`), get(`${K}/roles`)]);
    return { projects: p.projects, roles: r.roles };
  });
  const [project, setProject] = useState('');
  const [role, setRole] = useState('');
  const v = d.data || { projects: [], roles: [] };
  const memberRole = v.roles.find((r) => r.name === 'member') || v.roles[0];
  return html`<${FormModal} title=${`Assign role to ${user.name}`} submit="Assign" onClose=${onClose} reload=${reload}
    onSubmit=${() => put(`${K}/projects/${project || v.projects[0].id}/users/${user.id}/roles/${role || memberRole.id}`)}>
    <${Field} label="Project" value=${project} onInput=${setProject} options=${options(v.projects)} required />
    <${Field} label="Role" value=${role || (memberRole && memberRole.id)} onInput=${setRole} options=${options(v.roles)} required />
  </${FormModal}>`;
}

export function Users() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [f, setF] = useState({ name: '', password: '', email: '' });
  const d = useLoad(async () => {
    const [u, a] = await Promise.all([get(`${K}/users`), get(`${K}/role_assignments?include_names=true`)]);
    return u.users.map((x) => ({ ...x, assignments: a.role_assignments.filter((r) => r.user && r.user.id === x.id) }));
  });
  const close = () => setDialog(null);
  const cols = [
    { label: 'Name', get: (u) => u.name },
    { label: 'Email', get: (u) => u.email || '' },
    { label: 'Roles', get: (u) => u.assignments.map((a) => `${a.role.name} on ${a.scope.project ? a.scope.project.name : a.scope.domain ? `domain ${a.scope.domain.name}` : 'system'}`).join(', ') },
    { label: 'Enabled', get: (u) => (u.enabled ? 'Yes' : 'No') },
    { label: 'Actions', get: (u) => html`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Assign role to ${u.name}`} onClick=${() => setDialog({ kind: 'assign', u })}>Assign role</button>
      <${Act} label="Delete" name=${u.name} danger confirm=${`Delete user ${u.name}?`} run=${() => del(`${K}/users/${u.id}`)} reload=${d.reload} onError=${setError} />
    </div>` },
  ];
  const submit = () => {
    const user = { name: f.name, password: f.password, domain_id: 'default', enabled: true };
    if (f.email) user.email = f.email;
    return post(`${K}/users`, { user });
  };
  return html`<${Page} title="Users" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create user</button>`}>
    <${Table} label="Users" rows=${d.data} cols=${cols} />
    ${dialog && dialog.kind === 'create' && html`<${FormModal} title="Create user" submit="Create" onClose=${close} reload=${d.reload} onSubmit=${submit}>
      <${Field} label="User name" value=${f.name} onInput=${(v) => setF({ ...f, name: v })} required />
      <${Field} label="Email" type="email" value=${f.email} onInput=${(v) => setF({ ...f, email: v })} />
      <${Field} label="Password" type="password" value=${f.password} onInput=${(v) => setF({ ...f, password: v })} required autocomplete="new-password" />
    </${FormModal}>`}
    ${dialog && dialog.kind === 'assign' && html`<${Assign} user=${dialog.u} onClose=${close} reload=${d.reload} />`}
  </${Page}>`;
}

export function Groups() {
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const [name, setName] = useState('');
  const [user, setUser] = useState('');
  const d = useLoad(async () => {
    const [g, u] = await Promise.all([get(`${K}/groups`), get(`${K}/users`)]);
    const members = await Promise.all(g.groups.map((x) => get(`${K}/groups/${x.id}/users`).then((r) => r.users)));
    return { groups: g.groups.map((x, i) => ({ ...x, members: members[i] })), users: u.users };
  });
  const v = d.data || { groups: null, users: [] };
  const close = () => setDialog(null);
  return html`<${Page} title="Groups" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog({ kind: 'create' })}>Create group</button>`}>
    <${Table} label="Groups" rows=${v.groups} empty="No groups." cols=${[
      { label: 'Name', get: (g) => g.name },
      { label: 'Members', get: (g) => html`<ul class="plain">${g.members.map((m) => html`<li>${m.name}
        <${Act} label="Remove" name=${`${m.name} from ${g.name}`} danger run=${() => del(`${K}/groups/${g.id}/users/${m.id}`)} reload=${d.reload} onError=${setError} /></li>`)}</ul>` },
      { label: 'Actions', get: (g) => html`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add user to ${g.name}`} onClick=${() => setDialog({ kind: 'add', g })}>Add user</button>
        <${Act} label="Delete" name=${g.name} danger confirm=${`Delete group ${g.name}?`} run=${() => del(`${K}/groups/${g.id}`)} reload=${d.reload} onError=${setError} /></div>` },
    ]} />
    ${dialog && dialog.kind === 'create' && html`<${FormModal} title="Create group" submit="Create" onClose=${close} reload=${d.reload}
      onSubmit=${() => post(`${K}/groups`, { group: { name, domain_id: 'default' } })}>
      <${Field} label="Group name" value=${name} onInput=${setName} required />
    </${FormModal}>`}
    ${dialog && dialog.kind === 'add' && html`<${FormModal} title=${`Add user to ${dialog.g.name}`} submit="Add" onClose=${close} reload=${d.reload}
      onSubmit=${() => put(`${K}/groups/${dialog.g.id}/users/${user || v.users[0].id}`)}>
      <${Field} label="User" value=${user} onInput=${setUser} options=${options(v.users)} required />
    </${FormModal}>`}
  </${Page}>`;
}

export function Roles() {
  const [dialog, setDialog] = useState(false);
  const [error, setError] = useState(null);
  const [name, setName] = useState('');
  const d = useLoad(async () => {
    const [r, a] = await Promise.all([get(`${K}/roles`), get(`${K}/role_assignments?include_names=true`)]);
    return { roles: r.roles, assignments: a.role_assignments };
  });
  const v = d.data || { roles: null, assignments: null };
  const who = (a) => (a.user ? `user ${a.user.name}` : a.group ? `group ${a.group.name}` : '?');
  const where = (a) => (a.scope.project ? `project ${a.scope.project.name}` : a.scope.domain ? `domain ${a.scope.domain.name}` : 'system');
  return html`<${Page} title="Roles" error=${error || d.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog(true)}>Create role</button>`}>
    <${Table} label="Roles" rows=${v.roles} cols=${[
      { label: 'Name', get: (r) => r.name },
      { label: 'Actions', get: (r) => html`<${Act} label="Delete" name=${r.name} danger confirm=${`Delete role ${r.name}?`} run=${() => del(`${K}/roles/${r.id}`)} reload=${d.reload} onError=${setError} />` },
    ]} />
    <h2>Role assignments</h2>
    <${Table} label="Role assignments" rows=${v.assignments} rowId=${(a) => `${who(a)}${a.role.id}${where(a)}`} cols=${[
      { label: 'Who', get: who }, { label: 'Role', get: (a) => a.role.name }, { label: 'Where', get: where },
    ]} />
    ${dialog && html`<${FormModal} title="Create role" submit="Create" onClose=${() => setDialog(false)} reload=${d.reload}
      onSubmit=${() => post(`${K}/roles`, { role: { name } })}>
      <${Field} label="Role name" value=${name} onInput=${setName} required />
    </${FormModal}>`}
  </${Page}>`;
}
