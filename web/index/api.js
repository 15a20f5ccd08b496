// The index page's link to the API: signing in (a session cookie, or on a server without
// sessions a token kept in this tab's sessionStorage), requests with the right credentials,
// and problem+json answers as errors carrying their status and detail.

const TOKEN_KEY = 'timeside.token';
let mode = null; // 'cookie' | 'token' | null (signed out)
let token = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `error ${status}`);
    this.status = status;
  }
}

async function check(r) {
  if (r.ok) return r;
  const p = await r.json().catch(() => ({}));
  throw new ApiError(r.status, p);
}

// The headers a request needs: the token, or on a cookie write the header the server asks
// for (no cross-site form can send it).
export function authHeaders(method = 'GET') {
  if (mode === 'token') return { Authorization: `Bearer ${token}` };
  if (mode === 'cookie' && method !== 'GET' && method !== 'HEAD') return { 'X-TimeSide-Request': '1' };
  return {};
}

export function authMode() {
  return mode;
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = authHeaders(method);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  await check(r);
  return r.status === 204 ? null : r.json();
}

// Who is signed in: {user, scopes} or null. Looks for a session cookie, then a kept token.
export async function whoami() {
  const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (r.ok) {
    mode = 'cookie';
    return r.json();
  }
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) {
    mode = 'token';
    token = kept;
    try {
      return await api('/api/v1/me');
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      mode = token = null;
      if (e.status !== 401) throw e;
    }
  }
  mode = null;
  return null;
}

// Signs in with a token: a session cookie when the server has sessions, else the token kept.
export async function signIn(t) {
  const r = await fetch('/api/v1/session', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-TimeSide-Request': '1' },
    body: JSON.stringify({ token: t }),
  });
  if (r.status === 404 || r.status === 405) {
    mode = 'token';
    token = t;
    const me = await api('/api/v1/me').catch((e) => {
      mode = token = null;
      throw e;
    });
    sessionStorage.setItem(TOKEN_KEY, t);
    return me;
  }
  await check(r);
  mode = 'cookie';
  return api('/api/v1/session');
}

export async function signOut() {
  if (mode === 'cookie') await api('/api/v1/session', { method: 'DELETE' }).catch(() => {});
  sessionStorage.removeItem(TOKEN_KEY);
  mode = token = null;
}
