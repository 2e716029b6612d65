// Key pairs: list, create (the private key is shown once, as Nova returns it),
// import a public key, delete.
import { useState } from 'preact/hooks';
import { get, post, del } from '../api.js';
import { html, Page, Table, FormModal, Field, Act, Modal, useLoad } from '../ui.js';

// Create makes a new pair (Nova generates it and returns the private key once)
// or, with `imports`, registers a public key the user already has.
function Create({ onClose, reload, onKey, imports }) {
  const [name, setName] = useState('');
  const [pub, setPub] = useState('');
  const submit = async () => {
    const body = { keypair: { name, type: 'ssh' } };
    if (imports) body.keypair.public_key = pub.trim();
    const r = await post('/api/compute/os-keypairs', body);
    if (r.keypair.private_key) onKey(r.keypair);
  };
  return html`<${FormModal} title=${imports ? 'Import public key' : 'Create key pair'} submit=${imports ? 'Import' : 'Create'}
    onClose=${onClose} reload=${reload} onSubmit=${submit}>
    <${Field} label="Key pair name" value=${name} onInput=${setName} required />
    ${imports && html`<${Field} label="Public key" type="textarea" value=${pub} onInput=${setPub} required
      hint="One line in OpenSSH format, as in ~/.ssh/id_ed25519.pub." />`}
  </${FormModal}>`;
}

export function Keypairs() {
  const [dialog, setDialog] = useState(false);
  const [key, setKey] = useState(null);
  const [error, setError] = useState(null);
  const list = useLoad(() => get('/api/compute/os-keypairs').then((r) => r.keypairs.map((k) => k.keypair)));
  const download = (k) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([k.private_key], { type: 'application/x-pem-file' }));
    a.download = `${k.name}.pem`;
    a.click();
  };
  const cols = [
    { label: 'Name', get: (k) => k.name },
    { label: 'Type', get: (k) => k.type },
    { label: 'Fingerprint', get: (k) => html`<code>${k.fingerprint}</code>` },
    { label: 'Actions', get: (k) => html`<${Act} label="Delete" name=${k.name} danger confirm=${`Delete key pair ${k.name}?`}
      run=${() => del(`/api/compute/os-keypairs/${encodeURIComponent(k.name)}`)} reload=${list.reload} onError=${setError} />` },
  ];
  return html`<${Page} title="Key pairs" error=${error || list.error}
    actions=${html`<button type="button" class="primary" onClick=${() => setDialog('create')}>Create key pair</button>
      <button type="button" onClick=${() => setDialog('import')}>Import public key</button>`}>
    <${Table} label="Key pairs" rows=${list.data} cols=${cols} rowId=${(k) => k.name} empty="No key pairs." />
    ${dialog && html`<${Create} key=${dialog} imports=${dialog === 'import'} onClose=${() => setDialog(false)} reload=${list.reload} onKey=${setKey} />`}
    ${key && html`<${Modal} title=${`Private key of ${key.name}`} onClose=${() => setKey(null)}>
      <p>This is the only time the private key is shown. Save it now.</p>
      <pre class="console-log" tabindex="0">${key.private_key}</pre>
      <button type="button" class="primary" onClick=${() => download(key)}>Download ${key.name}.pem</button>
    </${Modal}>`}
  </${Page}>`;
}
