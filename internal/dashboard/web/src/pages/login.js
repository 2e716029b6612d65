// The login page: domain, user and password go to /auth/login, which
// authenticates against Identity and keeps the token on the server.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { html, Field, ErrorBox } from '../ui.js';

export function Login({ onLogin }) {
  const [domain, setDomain] = useState('Default');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await post('/auth/login', { domain, username, password }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  document.title = 'Log in · gostack';
  return html`<main class="login" id="main">
    <form class="card" onSubmit=${submit}>
      <h1>gostack</h1>
      <p class="muted">Log in to your cloud.</p>
      <${Field} label="Domain" value=${domain} onInput=${setDomain} required autocomplete="off" />
      <${Field} label="User name" value=${username} onInput=${setUsername} required autocomplete="username" />
      <${Field} label="Password" type="password" value=${password} onInput=${setPassword} required autocomplete="current-password" />
      <${ErrorBox} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
    </form>
  </main>`;
}
