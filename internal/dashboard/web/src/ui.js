// Shared building blocks of every page: the htm template tag, the data-loading
// hook, tables, dialogs, form fields, usage bars and error boxes. Pages stay short
// because the look and the accessibility rules (labels on every input, real
// buttons, focus moved into dialogs) live here once.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

// useLoad runs load() now, whenever deps change, and every `every` ms when given;
// it keeps the last good data while a refresh is in flight so that tables do not
// flicker during live polling.
export function useLoad(load, deps = [], every = 0) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const tick = useRef(0);
  const run = useCallback(async () => {
    const n = ++tick.current;
    try {
      const data = await load();
      if (n === tick.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (n === tick.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    run();
    if (!every) return undefined;
    const t = setInterval(run, every);
    return () => clearInterval(t);
  }, [run, every]);
  return { ...state, reload: run };
}

// ErrorBox shows an API's message as it came, with the status for context.
export function ErrorBox({ error }) {
  if (!error) return null;
  const status = error.status ? html`<strong>${error.status}</strong> ` : null;
  return html`<div class="error" role="alert">${status}${error.message}</div>`;
}

// Page is the frame of every page: a heading, the page's buttons, its error.
export function Page({ title, actions, error, children }) {
  useEffect(() => {
    document.title = `${title} · gostack`;
  }, [title]);
  return html`<section class="page" aria-labelledby="page-title">
    <header class="page-head">
      <h1 id="page-title" tabindex="-1">${title}</h1>
      <div class="actions">${actions}</div>
    </header>
    <${ErrorBox} error=${error} />
    ${children}
  </section>`;
}

// Table renders rows under labelled columns; each column is {label, get}.
export function Table({ rows, cols, empty = 'Nothing here yet.', label, rowId = (r) => r.id }) {
  if (!rows) return html`<p class="muted" aria-live="polite">Loading…</p>`;
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return html`<div class="table-wrap"><table aria-label=${label}>
    <thead><tr>${cols.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr key=${rowId(r)} data-id=${rowId(r)}>${cols.map((c) => html`<td data-label=${c.label}>${c.get(r)}</td>`)}</tr>`,
    )}</tbody>
  </table></div>`;
}

// Modal is a native <dialog>: the browser traps focus and Escape closes it.
// `wide` gives room to dialogs with a side column, like the launch wizard.
export function Modal({ title, onClose, children, wide }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    const first = d && d.querySelector('input, select, textarea, button:not(.close)');
    if (first) first.focus();
  }, []);
  return html`<dialog ref=${ref} class=${wide ? 'modal wide' : 'modal'} aria-label=${title} onClose=${onClose} onCancel=${onClose}>
    <div class="modal-head"><h2>${title}</h2>
      <button type="button" class="close" aria-label="Close" onClick=${onClose}>×</button></div>
    ${children}
  </dialog>`;
}

let fieldSeq = 0;

// Field is a labelled input, select or textarea; `options` makes it a select.
export function Field({ label, value, onInput, type = 'text', options, required, multiple, rows, hint, ...rest }) {
  const [id] = useState(() => `f${++fieldSeq}`);
  let control;
  if (options) {
    control = html`<select id=${id} required=${required} multiple=${multiple} ...${rest}
      onChange=${(e) => onInput(multiple ? [...e.target.selectedOptions].map((o) => o.value) : e.target.value)}>
      ${options.map((o) => html`<option value=${o.value} selected=${multiple ? (value || []).includes(o.value) : o.value === value}>${o.label}</option>`)}
    </select>`;
  } else if (type === 'textarea') {
    control = html`<textarea id=${id} rows=${rows || 4} required=${required} value=${value} ...${rest}
      onInput=${(e) => onInput(e.target.value)}></textarea>`;
  } else if (type === 'checkbox') {
    return html`<div class="field check"><input id=${id} type="checkbox" checked=${value} ...${rest}
      onChange=${(e) => onInput(e.target.checked)} /><label for=${id}>${label}</label></div>`;
  } else if (type === 'file') {
    control = html`<input id=${id} type="file" required=${required} ...${rest} onChange=${(e) => onInput(e.target.files[0])} />`;
  } else {
    control = html`<input id=${id} type=${type} required=${required} value=${value} ...${rest}
      onInput=${(e) => onInput(type === 'number' ? Number(e.target.value) : e.target.value)} />`;
  }
  return html`<div class="field"><label for=${id}>${label}</label>${control}${hint ? html`<small>${hint}</small>` : null}</div>`;
}

// Form wraps fields with a submit button, a busy state and the API's error.
export function Form({ onSubmit, submit = 'Save', children, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
      if (onDone) onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${go} class="form">
    ${children}
    <${ErrorBox} error=${error} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${busy}>${busy ? 'Working…' : submit}</button></div>
  </form>`;
}

// FormModal is a dialog holding a Form; it closes and reloads the list on success.
export function FormModal({ title, onClose, onSubmit, submit, children, reload }) {
  return html`<${Modal} title=${title} onClose=${onClose}>
    <${Form} submit=${submit || title} onSubmit=${onSubmit} onDone=${() => { onClose(); if (reload) reload(); }}>${children}</${Form}>
  </${Modal}>`;
}

// Act is a button that runs an action and reports its error through onError;
// dangerous actions ask for confirmation first.
export function Act({ label, run, onError, confirm: ask, danger, reload, name }) {
  const [busy, setBusy] = useState(false);
  const click = async () => {
    if (ask && !window.confirm(ask)) return;
    setBusy(true);
    try {
      await run();
      if (onError) onError(null);
      if (reload) reload();
    } catch (e) {
      if (onError) onError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class=${danger ? 'small danger' : 'small'} disabled=${busy}
    aria-label=${name ? `${label} ${name}` : undefined} onClick=${click}>${label}</button>`;
}

// Usage is one quota bar: used of limit, -1 meaning unlimited.
export function Usage({ label, used, limit, unit = '' }) {
  const unlimited = limit === -1 || limit === undefined;
  const pct = unlimited || !limit ? 0 : Math.min(100, Math.round((100 * used) / limit));
  const text = `${used}${unit} of ${unlimited ? '∞' : `${limit}${unit}`}`;
  return html`<div class="usage">
    <div class="usage-label"><span>${label}</span><span>${text}</span></div>
    <div class="bar" role="progressbar" aria-label=${label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}
      aria-valuetext=${text}><span class=${pct > 85 ? 'hot' : ''} style=${`width:${pct}%`}></span></div>
  </div>`;
}

// Status shows a resource's status with a colour class derived from it.
export function Status({ value }) {
  const v = String(value || '').toUpperCase();
  let cls = 'st';
  if (/ACTIVE|AVAILABLE|UP|IN-USE|ENABLED|TRUE/.test(v)) cls += ' ok';
  else if (/ERROR|DOWN|FAIL|DISABLED|KILLED/.test(v)) cls += ' bad';
  else if (/BUILD|ING|QUEUED|SAVING|PENDING|RESIZE|VERIFY/.test(v)) cls += ' busy';
  return html`<span class=${cls}>${value}</span>`;
}

// Link navigates inside the app without a reload, like a plain link otherwise.
export function Link({ href, children, ...rest }) {
  const go = (e) => {
    if (e.button || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${go} ...${rest}>${children}</a>`;
}

// navigate changes the URL and tells the router.
export function navigate(href) {
  if (href === location.pathname + location.search) return;
  history.pushState(null, '', href);
  window.dispatchEvent(new Event('gostack:navigate'));
}

// bytes formats a size for people.
export function bytes(n) {
  if (n === null || n === undefined) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${u[i]}`;
}

// options turns a list of resources into select options.
export function options(list, label = (x) => x.name || x.id, value = (x) => x.id) {
  return (list || []).map((x) => ({ value: value(x), label: label(x) }));
}
