// The one way the app talks to the cloud: the dashboard server's /auth/* and
// /api/<service-type>/... endpoints, which forward to the OpenStack APIs with the
// session's token. The token never reaches this code; what does is the session's
// CSRF token, sent on every request that changes something.

// Compute's microversion: 2.79 gives servers with embedded flavors, volume
// attachments with delete_on_termination and the remote-consoles API.
export const NOVA_VERSION = '2.79';

let csrf = '';

// setCSRF records the token of the session the server just returned.
export function setCSRF(token) {
  csrf = token || '';
}

// APIError carries the HTTP status and the API's own message, shown to the user
// as it is: the dashboard does not second-guess the services' wording.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// messageOf finds the human message in any of the services' error shapes: Nova's
// and Cinder's {"badRequest":{"message"}}, Neutron's {"NeutronError":{"message"}},
// Keystone's {"error":{"message"}}, the dashboard's own {"error":"..."}, and the
// plain text or HTML of Glance and Swift.
export function messageOf(status, text) {
  let j = null;
  try {
    j = JSON.parse(text);
  } catch {
    // Not JSON: Glance and Swift answer in text or a small HTML page.
  }
  if (j && typeof j === 'object') {
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
    for (const v of Object.values(j)) {
      if (v && typeof v === 'object' && typeof v.message === 'string') return v.message;
      if (typeof v === 'string' && v) return v;
    }
  }
  const plain = String(text || '')
    .replace(/<[^>]*>/g, ' ')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  // Glance repeats the status line ("404 Not Found") before the message.
  const rest = plain.filter((s) => !/^\d{3} [A-Za-z ]+$/.test(s));
  return (rest.length ? rest : plain).join(' ') || `HTTP ${status}`;
}

// request sends one request and returns the parsed JSON (or text, or null for an
// empty body); a non-2xx answer throws APIError with the service's message.
export async function request(method, url, { body, headers = {}, raw = false } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrf;
  if (url.startsWith('/api/compute/')) h['X-OpenStack-Nova-API-Version'] = NOVA_VERSION;
  let payload = body;
  if (body !== undefined && !(typeof body === 'string' || body instanceof Blob)) {
    h['Content-Type'] = h['Content-Type'] || 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers: h, body: payload, credentials: 'same-origin' });
  if (res.status === 401 && !url.startsWith('/auth/')) {
    // The session ended (expired or revoked elsewhere): back to the login page.
    window.dispatchEvent(new CustomEvent('gostack:logged-out'));
  }
  if (raw) {
    if (!res.ok) throw new APIError(res.status, messageOf(res.status, await res.text()));
    return res;
  }
  const text = await res.text();
  if (!res.ok) throw new APIError(res.status, messageOf(res.status, text));
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = (url, o) => request('GET', url, o);
export const post = (url, body, o = {}) => request('POST', url, { ...o, body });
export const put = (url, body, o = {}) => request('PUT', url, { ...o, body });
export const patch = (url, body, o = {}) => request('PATCH', url, { ...o, body });
export const del = (url, o) => request('DELETE', url, o);

// upload sends a file with XMLHttpRequest, because fetch has no upload progress;
// onProgress gets the fraction sent so far.
export function upload(method, url, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    x.setRequestHeader('X-CSRF-Token', csrf);
    for (const [k, v] of Object.entries(headers || {})) x.setRequestHeader(k, v);
    x.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    x.onload = () => {
      if (x.status >= 200 && x.status < 300) {
        onProgress(1);
        resolve(x.responseText);
      } else reject(new APIError(x.status, messageOf(x.status, x.responseText)));
    };
    x.onerror = () => reject(new APIError(0, 'The upload failed: the connection was lost.'));
    x.send(file);
  });
}
