// The index page's link to the API: signing in (a token exchanged for the server's session
// cookie, HttpOnly: the page never keeps the token), requests with that cookie, and
// problem+json answers as errors carrying their status and detail.

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

// A request signed in by the cookie; a write carries the header the server asks of those (no
// cross-site form can send it).
export async function api(path, { method = 'GET', body } = {}) {
  const headers = method === 'GET' || method === 'HEAD' ? {} : { 'X-TimeSide-Request': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  await check(r);
  return r.status === 204 ? null : r.json();
}

// Who is signed in: {user, scopes, expires}, or null.
export async function whoami() {
  const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (r.status === 401) return null;
  await check(r);
  return r.json();
}

export async function signIn(token) {
  await api('/api/v1/session', { method: 'POST', body: { token } });
  return whoami();
}

export async function signOut() {
  await api('/api/v1/session', { method: 'DELETE' });
}
