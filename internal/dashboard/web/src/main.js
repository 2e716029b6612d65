// The dashboard's entry point: the session (from /auth/session), the frame
// (header with project switcher and logout, a collapsible navigation) and the
// router from URL paths to pages. The server answers every non-API path with
// index.html, so that each page has a real URL that can be reloaded and shared.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post, setCSRF } from './api.js';
import { html, Link, ErrorBox, navigate } from './ui.js';
import { Login } from './pages/login.js';
import { routes, nav } from './routes.js';
import './style.css';

function App() {
  const [session, setSession] = useState(undefined);
  const [path, setPath] = useState(location.pathname);
  const [navOpen, setNavOpen] = useState(false);
  const [error, setError] = useState(null);

  const accept = (s) => {
    setCSRF(s && s.csrf);
    setSession(s);
  };
  useEffect(() => {
    get('/auth/session').then(accept, () => accept(null));
    const onNav = () => {
      setPath(location.pathname);
      setNavOpen(false);
      // Move focus to the new page's heading so that keyboard and screen-reader
      // users land where the content changed.
      requestAnimationFrame(() => {
        const h = document.getElementById('page-title');
        if (h) h.focus({ preventScroll: true });
      });
    };
    const onOut = () => accept(null);
    window.addEventListener('popstate', onNav);
    window.addEventListener('gostack:navigate', onNav);
    window.addEventListener('gostack:logged-out', onOut);
    return () => {
      window.removeEventListener('popstate', onNav);
      window.removeEventListener('gostack:navigate', onNav);
      window.removeEventListener('gostack:logged-out', onOut);
    };
  }, []);

  if (session === undefined) return html`<main class="boot" aria-busy="true">Loading…</main>`;
  if (!session) {
    return html`<${Login} onLogin=${(s) => {
      accept(s);
      if (location.pathname === '/login') navigate('/project');
    }} />`;
  }

  const switchProject = async (id) => {
    try {
      accept(await post('/auth/project', { project_id: id }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  const logout = async () => {
    try {
      await post('/auth/logout');
    } finally {
      accept(null);
      history.replaceState(null, '', '/');
      setPath('/');
    }
  };

  const route = routes.find((r) => r.match(path)) || routes[0];
  const Page = route.page;
  const sections = nav.filter((s) => !s.admin || session.is_admin);
  return html`<div class=${navOpen ? 'app nav-open' : 'app'}>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button type="button" class="nav-toggle" aria-expanded=${navOpen} aria-controls="nav"
        onClick=${() => setNavOpen(!navOpen)}>☰<span class="sr">Menu</span></button>
      <${Link} href="/project" class="brand">gostack</${Link}>
      <label class="project-switch"><span class="sr">Current project</span>
        <select value=${session.project.id} onChange=${(e) => switchProject(e.target.value)}>
          ${session.projects.map((p) => html`<option value=${p.id} selected=${p.id === session.project.id}>${p.name}</option>`)}
        </select></label>
      <span class="who">${session.user.name}</span>
      <button type="button" class="small" onClick=${logout}>Log out</button>
    </header>
    <nav id="nav" aria-label="Main">
      ${sections.map((s) => html`<div class="nav-section"><h2>${s.title}</h2><ul>
        ${s.items.map(([href, label]) => html`<li><${Link} href=${href} aria-current=${route.nav === href ? 'page' : undefined}>${label}</${Link}></li>`)}
      </ul></div>`)}
    </nav>
    <main id="main">
      <${ErrorBox} error=${error} />
      <${Page} key=${path + session.project.id} session=${session} params=${route.params(path)} />
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
