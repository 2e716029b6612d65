// The launch wizard, shaped like Horizon's: one step at a time (Details,
// Source, Flavor, Networks, Security groups, Key pair, Configuration, Server
// groups) with Back and Next, a step list that shows where you are and which
// required steps are still empty, and a Launch button that is enabled as soon as
// every required step is filled. Each step change moves focus to the step's
// heading, so that keyboard and screen-reader users hear where they are. The
// Flavor step shows what the chosen flavor (times the count) would use of the
// project's compute quota before anything is sent.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { html, Modal, Field, ErrorBox, useLoad, options } from '../ui.js';

// STEPS lists the wizard's steps; ok(f, d) says whether a required step is filled.
const STEPS = [
  { key: 'details', title: 'Details', ok: (f) => f.name.trim() !== '' && f.count >= 1 },
  { key: 'source', title: 'Source', ok: (f) => (f.source === 'image' ? f.image : f.volume) !== '' },
  // A flavor that the count would push over the compute quota is no choice:
  // Nova would refuse the launch, so the wizard says so before it is sent.
  { key: 'flavor', title: 'Flavor', ok: (f, d) => f.flavor !== '' && !overQuota(quotaRows(d.flavors.find((x) => x.id === f.flavor), f.count, d.limits)) },
  // Like Horizon, an instance needs a network when the project can see any.
  { key: 'networks', title: 'Networks', ok: (f, d) => f.networks.length > 0 || d.networks.length === 0 },
  { key: 'secgroups', title: 'Security groups' },
  { key: 'keypair', title: 'Key pair' },
  { key: 'config', title: 'Configuration' },
  { key: 'servergroups', title: 'Server groups' },
];

// quotaRows lists, per compute quota, [label, in use, this launch adds, limit,
// unit] for `count` instances of flavor; none before the limits are known.
function quotaRows(flavor, count, limits) {
  if (!limits) return [];
  const a = limits.absolute;
  const n = Math.max(1, Number(count) || 1);
  return [
    ['Instances', a.totalInstancesUsed, n, a.maxTotalInstances, ''],
    ['VCPUs', a.totalCoresUsed, flavor ? flavor.vcpus * n : 0, a.maxTotalCores, ''],
    ['RAM', a.totalRAMUsed, flavor ? flavor.ram * n : 0, a.maxTotalRAMSize, ' MiB'],
  ];
}

// over says whether one row's launch would pass its limit (-1: unlimited).
const over = ([, used, adds, max]) => max !== -1 && used + adds > max;
const overQuota = (rows) => rows.some(over);

// QuotaTable shows, per compute quota, what is in use, what this launch adds and
// the limit; a row that the launch would push over its limit is marked.
function QuotaTable({ flavor, count, limits }) {
  if (!limits) return html`<p class="muted">Loading the project's quota…</p>`;
  return html`<div class="table-wrap"><table aria-label="Quota use of this launch">
    <thead><tr><th scope="col">Resource</th><th scope="col">In use</th><th scope="col">This launch adds</th><th scope="col">Limit</th><th scope="col">After launch</th></tr></thead>
    <tbody>${quotaRows(flavor, count, limits).map((r) => {
      const [label, used, adds, max, unit] = r;
      const bad = over(r);
      return html`<tr class=${bad ? 'over' : ''}><th scope="row">${label}</th><td data-label="In use">${used}${unit}</td>
        <td data-label="This launch adds">+${adds}${unit}</td>
        <td data-label="Limit">${max === -1 ? 'unlimited' : `${max}${unit}`}</td>
        <td data-label="After launch">${used + adds}${unit}${bad ? html` <strong class="st bad">over quota</strong>` : ''}</td></tr>`;
    })}</tbody>
  </table></div>`;
}

// Launch is the wizard in a modal dialog; preset carries ?image= or ?volume=
// from the Images and Volumes pages' Launch buttons.
export function Launch({ onClose, reload, session, preset = {} }) {
  const [f, setF] = useState({
    name: '', count: 1, source: preset.volume ? 'volume' : 'image', image: preset.image || '', volume: preset.volume || '',
    flavor: '', networks: [], groups: ['default'], key: '', userData: '', serverGroup: '',
  });
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useRef(null);
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const has = (t) => session.services.includes(t);
  const opts = useLoad(async () => {
    const [images, flavors, networks, groups, keys, volumes, serverGroups, limits] = await Promise.all([
      get('/api/image/v2/images?status=active').then((r) => r.images),
      get('/api/compute/flavors/detail').then((r) => r.flavors),
      has('network') ? get('/api/network/v2.0/networks').then((r) => r.networks) : [],
      has('network') ? get(`/api/network/v2.0/security-groups?project_id=${session.project.id}`).then((r) => r.security_groups) : [],
      get('/api/compute/os-keypairs').then((r) => r.keypairs.map((k) => k.keypair)),
      has('volumev3') ? get('/api/volumev3/volumes/detail?status=available').then((r) => r.volumes) : [],
      get('/api/compute/os-server-groups').then((r) => r.server_groups),
      get('/api/compute/limits').then((r) => r.limits),
    ]);
    setF((o) => ({
      ...o,
      image: o.image || (images[0] && images[0].id) || '',
      volume: o.volume || (volumes[0] && volumes[0].id) || '',
      flavor: o.flavor || (flavors[0] && flavors[0].id) || '',
      // One network to choose from is chosen already, as Horizon does.
      networks: o.networks.length || networks.length !== 1 ? o.networks : [networks[0].id],
    }));
    return { images, flavors, networks, groups, keys, volumes, serverGroups, limits };
  });
  const d = opts.data || { images: [], flavors: [], networks: [], groups: [], keys: [], volumes: [], serverGroups: [], limits: null };
  const filled = (s) => !s.ok || s.ok(f, d);
  const ready = opts.data && STEPS.every(filled);

  // Every step change (and the first step) lands focus on the step's heading.
  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, [step]);

  const submit = async (e) => {
    e.preventDefault();
    if (!ready) return;
    const server = {
      name: f.name.trim(),
      flavorRef: f.flavor,
      min_count: f.count,
      max_count: f.count,
      networks: f.networks.length ? f.networks.map((uuid) => ({ uuid })) : 'none',
    };
    if (f.source === 'image') server.imageRef = f.image;
    else server.block_device_mapping_v2 = [{ boot_index: 0, uuid: f.volume, source_type: 'volume', destination_type: 'volume' }];
    if (f.groups.length && d.networks.length) server.security_groups = f.groups.map((name) => ({ name }));
    if (f.key) server.key_name = f.key;
    if (f.userData) server.user_data = btoa(unescape(encodeURIComponent(f.userData)));
    const body = { server };
    if (f.serverGroup) body['os:scheduler_hints'] = { group: f.serverGroup };
    setBusy(true);
    setError(null);
    try {
      await post('/api/compute/servers', body);
      onClose();
      if (reload) reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cur = STEPS[step];
  const flavor = d.flavors.find((x) => x.id === f.flavor);
  let body;
  switch (cur.key) {
    case 'details':
      body = html`<${Field} label="Instance name" value=${f.name} onInput=${set('name')} required />
        <${Field} label="Count" type="number" min="1" value=${f.count} onInput=${set('count')} />`;
      break;
    case 'source':
      body = html`<${Field} label="Boot from" value=${f.source} onInput=${set('source')}
          options=${[{ value: 'image', label: 'Image' }, { value: 'volume', label: 'Volume' }]} />
        ${f.source === 'image'
          ? html`<${Field} label="Image" value=${f.image} onInput=${set('image')} options=${options(d.images)} required />`
          : html`<${Field} label="Volume" value=${f.volume} onInput=${set('volume')} required
              options=${options(d.volumes, (v) => `${v.name || v.id} (${v.size} GiB)`)} />`}`;
      break;
    case 'flavor':
      body = html`<${Field} label="Flavor" value=${f.flavor} onInput=${set('flavor')} required
          options=${options(d.flavors, (x) => `${x.name} (${x.vcpus} VCPU, ${x.ram} MiB, ${x.disk} GiB)`)} />
        <h4>What this launch uses of the project's quota</h4>
        <${QuotaTable} flavor=${flavor} count=${f.count} limits=${d.limits} />`;
      break;
    case 'networks':
      body = html`<${Field} label="Networks" multiple value=${f.networks} onInput=${set('networks')} options=${options(d.networks)}
        hint="Hold Ctrl or Shift to choose several. The instance gets one port on each." />`;
      break;
    case 'secgroups':
      body = html`<${Field} label="Security groups" multiple value=${f.groups} onInput=${set('groups')}
        options=${options(d.groups, (x) => x.name, (x) => x.name)} hint="The rules of every chosen group apply to the instance's ports." />`;
      break;
    case 'keypair':
      body = html`<${Field} label="Key pair" value=${f.key} onInput=${set('key')}
        options=${[{ value: '', label: '(none)' }, ...options(d.keys, (k) => k.name, (k) => k.name)]}
        hint="The public key is given to the instance through the metadata service." />`;
      break;
    case 'config':
      body = html`<${Field} label="User data" type="textarea" rows="8" value=${f.userData} onInput=${set('userData')}
        hint="A cloud-init script or cloud-config, sent base64-encoded." />`;
      break;
    default:
      body = html`<${Field} label="Server group" value=${f.serverGroup} onInput=${set('serverGroup')}
        options=${[{ value: '', label: '(none)' }, ...options(d.serverGroups, (g) => `${g.name} (${g.policy || (g.policies || []).join(', ')})`)]}
        hint="The scheduler places the instance by the group's policy." />`;
  }

  return html`<${Modal} title="Launch instance" onClose=${onClose} wide>
    <form class="form wizard" onSubmit=${submit}>
      <nav class="steps" aria-label="Launch steps"><ol>
        ${STEPS.map((s, i) => {
          const need = s.ok && !filled(s);
          return html`<li class=${[i === step && 'current', need && 'need'].filter(Boolean).join(' ')}>
            <button type="button" aria-current=${i === step ? 'step' : undefined} onClick=${() => setStep(i)}>
              ${s.title}${s.ok && html`<span aria-hidden="true">${need ? ' *' : ' ✓'}</span>`}
              ${s.ok && html`<span class="sr">${need ? ' (required, not filled)' : ' (filled)'}</span>`}
            </button></li>`;
        })}
      </ol></nav>
      <div class="step">
        <h3 ref=${heading} tabindex="-1" id="wizard-step">Step ${step + 1} of ${STEPS.length}: ${cur.title}</h3>
        <${ErrorBox} error=${opts.error} />
        ${opts.data ? body : html`<p class="muted">Loading…</p>`}
        <${ErrorBox} error=${error} />
        <div class="form-actions">
          <button type="button" disabled=${step === 0} onClick=${() => setStep(step - 1)}>Back</button>
          <button type="button" disabled=${step === STEPS.length - 1} onClick=${() => setStep(step + 1)}>Next</button>
          <button type="submit" class="primary" disabled=${!ready || busy}>${busy ? 'Launching…' : 'Launch'}</button>
        </div>
      </div>
    </form>
  </${Modal}>`;
}
