// API access: the catalog's endpoints and the openrc and clouds.yaml downloads
// for the current project, which the server writes without any secret in them.
import { get } from '../api.js';
import { html, Page, Table, useLoad } from '../ui.js';

export function APIAccess() {
  const d = useLoad(() => get('/api/_endpoints'));
  const rows = (d.data || []).filter((e) => e.interface === 'public');
  return html`<${Page} title="API access" error=${d.error}
    actions=${html`<a class="button" href="/auth/openrc" download>Download openrc</a>
      <a class="button" href="/auth/clouds.yaml" download>Download clouds.yaml</a>`}>
    <${Table} label="Endpoints" rows=${d.data && rows} rowId=${(e) => e.url + e.type} cols=${[
      { label: 'Service', get: (e) => e.type },
      { label: 'Name', get: (e) => e.name },
      { label: 'Region', get: (e) => e.region },
      { label: 'URL', get: (e) => html`<code>${e.url}</code>` },
    ]} />
  </${Page}>`;
}
