// Failed API responses as errors: the problem+json detail (RFC 9457), AuthError for a 401.
export class AuthError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
  }
}

// The problem+json detail of a failed response, as an Error (AuthError for a 401).
export async function problemError(r, what) {
  let detail = r.statusText;
  try {
    detail = (await r.json()).detail || detail;
  } catch {
    // not problem+json
  }
  const message = `${what}: ${r.status} ${detail}`;
  return r.status === 401 ? new AuthError(message, r.status) : Object.assign(new Error(message), { status: r.status });
}
