// The project overview: quota usage from Compute's limits, Network's quota
// details and Block Storage's limits, each shown as bars. A service that fails
// shows its own error without hiding the others.
import { get } from '../api.js';
import { html, Page, Usage, useLoad, ErrorBox } from '../ui.js';

function Section({ title, load, render }) {
  const { data, error } = useLoad(load);
  return html`<section class="card usage-card" aria-label=${title}>
    <h2>${title}</h2>
    <${ErrorBox} error=${error} />
    ${data ? render(data) : error ? null : html`<p class="muted">Loading…</p>`}
  </section>`;
}

export function Overview({ session }) {
  const has = (t) => session.services.includes(t);
  return html`<${Page} title="Overview">
    <div class="grid">
      ${has('compute') && html`<${Section} title="Compute" load=${() => get('/api/compute/limits')} render=${(d) => {
        const a = d.limits.absolute;
        return html`<${Usage} label="Instances" used=${a.totalInstancesUsed} limit=${a.maxTotalInstances} />
          <${Usage} label="VCPUs" used=${a.totalCoresUsed} limit=${a.maxTotalCores} />
          <${Usage} label="RAM" used=${a.totalRAMUsed} limit=${a.maxTotalRAMSize} unit=" MiB" />
          <${Usage} label="Server groups" used=${a.totalServerGroupsUsed || 0} limit=${a.maxServerGroups} />`;
      }} />`}
      ${has('network') && html`<${Section} title="Network"
        load=${() => get(`/api/network/v2.0/quotas/${session.project.id}/details.json`)} render=${(d) => {
          const q = d.quota;
          const row = (k, label) => q[k] && html`<${Usage} label=${label} used=${q[k].used} limit=${q[k].limit} />`;
          return html`${row('network', 'Networks')}${row('subnet', 'Subnets')}${row('port', 'Ports')}
            ${row('router', 'Routers')}${row('floatingip', 'Floating IPs')}${row('security_group', 'Security groups')}`;
        }} />`}
      ${(has('volumev3') || has('block-storage')) && html`<${Section} title="Volumes" load=${() => get('/api/volumev3/limits')} render=${(d) => {
        const a = d.limits.absolute;
        return html`<${Usage} label="Volumes" used=${a.totalVolumesUsed} limit=${a.maxTotalVolumes} />
          <${Usage} label="Volume storage" used=${a.totalGigabytesUsed} limit=${a.maxTotalVolumeGigabytes} unit=" GiB" />
          <${Usage} label="Volume snapshots" used=${a.totalSnapshotsUsed} limit=${a.maxTotalSnapshots} />`;
      }} />`}
    </div>
  </${Page}>`;
}
