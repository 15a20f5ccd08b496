// Cookie sign-in over a fake server that keeps the session contract of ts-serve: POST
// /api/v1/session {token} sets ts_session (HttpOnly, SameSite=Strict); GET says who; DELETE
// ends it; a write authenticated by the cookie needs X-TimeSide-Request: 1. The client, in
// Node, keeps the cookie and sends it, not the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeSide, UnauthorizedError, ForbiddenError } from '../dist/index.js';

function fakeServer() {
  const sessions = new Map();
  const seen = [];
  const problem = (status, detail) => new Response(JSON.stringify({ type: 'about:blank', title: String(status), status, detail }),
    { status, headers: { 'Content-Type': 'application/problem+json' } });
  const fetch = async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const h = Object.fromEntries(req.headers);
    seen.push({ method: req.method, path: url.pathname, headers: h });
    const sid = /(?:^|; )ts_session=([^;]+)/.exec(h.cookie || '')?.[1];
    const who = sid && sessions.get(sid);
    if (url.pathname === '/api/v1/session') {
      if (req.method === 'POST') {
        const { token } = await req.json();
        if (token !== 'tsk_good') return problem(401, 'the token is not known');
        const id = `s${sessions.size + 1}`;
        sessions.set(id, { user: 'alice', scopes: ['read', 'annotate'] });
        return new Response(null, { status: 204, headers: { 'Set-Cookie': `ts_session=${id}; HttpOnly; SameSite=Strict; Path=/` } });
      }
      if (req.method === 'GET') return who ? Response.json(who) : problem(401, 'no session');
      if (req.method === 'DELETE') {
        if (!who) return problem(401, 'no session');
        if (h['x-timeside-request'] !== '1') return problem(403, 'X-TimeSide-Request: 1 is needed');
        sessions.delete(sid);
        return new Response(null, { status: 204 });
      }
    }
    if (h.authorization === 'Bearer tsk_good' || who) {
      if (who && req.method !== 'GET' && h['x-timeside-request'] !== '1') return problem(403, 'X-TimeSide-Request: 1 is needed');
      if (url.pathname === '/api/v1/me') return Response.json({ user: 'alice', token: null, scopes: ['read'] });
      if (url.pathname === '/api/v1/items/i1' && req.method === 'PATCH') return Response.json({ id: 'i1', title: (await req.json()).title });
    }
    return problem(401, 'no token');
  };
  return { fetch, seen, sessions };
}

test('signIn keeps the cookie and sends it instead of the token; writes carry X-TimeSide-Request', async () => {
  const srv = fakeServer();
  const ts = new TimeSide({ baseUrl: 'http://x', token: 'tsk_good', fetch: srv.fetch });
  assert.equal(await ts.session(), null, 'no session yet');
  await ts.signIn('tsk_good');
  assert.deepEqual(srv.seen.at(-1), {
    method: 'POST', path: '/api/v1/session',
    headers: { 'content-type': 'application/json', 'x-timeside-request': '1' },
  });
  assert.deepEqual(await ts.session(), { user: 'alice', scopes: ['read', 'annotate'] });
  assert.equal((await ts.me()).user, 'alice');
  const get = srv.seen.at(-1);
  assert.equal(get.headers.cookie, 'ts_session=s1');
  assert.equal(get.headers.authorization, undefined, 'the token is no longer sent');
  assert.equal(get.headers['x-timeside-request'], undefined, 'not on a read');
  assert.equal((await ts.updateItem('i1', { title: 'T' })).title, 'T');
  assert.deepEqual([srv.seen.at(-1).method, srv.seen.at(-1).headers['x-timeside-request'], srv.seen.at(-1).headers.cookie], ['PATCH', '1', 'ts_session=s1']);
  assert.deepEqual(ts.authHeaders('DELETE'), { Cookie: 'ts_session=s1', 'X-TimeSide-Request': '1' });
  await ts.signOut();
  assert.equal(srv.sessions.size, 0, 'the session ended on the server');
  assert.deepEqual(srv.seen.at(-1).headers, { cookie: 'ts_session=s1', 'x-timeside-request': '1' });
  assert.equal(await ts.session(), null);
  await assert.rejects(ts.me(), UnauthorizedError, 'signed out: neither cookie nor token');
});

test('a wrong token: signIn rejects with UnauthorizedError and the client stays signed out', async () => {
  const srv = fakeServer();
  const ts = new TimeSide({ baseUrl: 'http://x', fetch: srv.fetch });
  await assert.rejects(ts.signIn('tsk_bad'), (e) => e instanceof UnauthorizedError && e.detail === 'the token is not known');
  assert.deepEqual(ts.authHeaders('POST'), {});
});

test('the server refusing a write without X-TimeSide-Request is a ForbiddenError', async () => {
  const srv = fakeServer();
  const ts = new TimeSide({ baseUrl: 'http://x', fetch: srv.fetch });
  await ts.signIn('tsk_good');
  const r = await srv.fetch('http://x/api/v1/items/i1', { method: 'PATCH', headers: { Cookie: 'ts_session=s1' }, body: '{}' });
  assert.equal(r.status, 403, 'the fake server checks the header');
  const { problemError } = await import('../dist/index.js');
  assert.ok(problemError(r, await r.json()) instanceof ForbiddenError);
});
