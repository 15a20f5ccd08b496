// The text/event-stream parser against the HTML standard's rules (chunks split anywhere, CR,
// LF and CRLF line ends, comments, multi-line data, id and retry), and the fetch-stream
// reader's reconnection with Last-Event-ID, over a fake fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamParser, eventStream, TimeSide, JobFailedError, JobCanceledError, NotFoundError } from '../dist/index.js';

function all(chunks) {
  const p = new EventStreamParser();
  const out = chunks.flatMap((c) => p.push(c));
  return { events: out, parser: p };
}

const STREAM = 'event: job\nid: 7\ndata: {"a":1}\n\n: a comment\n\ndata: one\ndata: two\n\nretry: 1500\ndata:x\n\n';

test('one chunk: typed events, default type, joined data lines, comments ignored', () => {
  const { events, parser } = all([STREAM]);
  assert.deepEqual(events, [
    { type: 'job', data: '{"a":1}', lastEventId: '7' },
    { type: 'message', data: 'one\ntwo', lastEventId: '7' },
    { type: 'message', data: 'x', lastEventId: '7' },
  ]);
  assert.equal(parser.retry, 1500);
});

test('every split of the stream into two chunks gives the same events', () => {
  const want = all([STREAM]).events;
  for (let i = 0; i <= STREAM.length; i++) assert.deepEqual(all([STREAM.slice(0, i), STREAM.slice(i)]).events, want, `split at ${i}`);
  assert.deepEqual(all([...STREAM]).events, want, 'one character at a time');
});

test('CRLF and CR line ends, a CRLF split across chunks', () => {
  const crlf = STREAM.replace(/\n/g, '\r\n');
  const cr = STREAM.replace(/\n/g, '\r');
  const want = all([STREAM]).events;
  assert.deepEqual(all([crlf]).events, want);
  assert.deepEqual(all([cr]).events, want);
  for (let i = 0; i <= crlf.length; i++) assert.deepEqual(all([crlf.slice(0, i), crlf.slice(i)]).events, want, `CRLF split at ${i}`);
  // a CR at a chunk's end then an LF: one line end, not an empty line between
  assert.deepEqual(all(['data: a\r', '\ndata: b\r\n\r\n']).events, [{ type: 'message', data: 'a\nb', lastEventId: '' }]);
});

test('fields: no space after the colon, a bare field name, unknown fields, a bad retry, a BOM', () => {
  const { events, parser } = all(['\ufeffdata\ndata:no space\nfoo: bar\nretry: 12x\nid\n\n']);
  assert.deepEqual(events, [{ type: 'message', data: '\nno space', lastEventId: '' }]);
  assert.equal(parser.retry, null);
  // only one leading space is removed; an event with no data line is not dispatched
  assert.deepEqual(all(['data:  two spaces\n\nevent: lonely\nid: 3\n\n']).events, [{ type: 'message', data: ' two spaces', lastEventId: '' }]);
  // an id with NUL is ignored; an event not closed by a blank line is dropped at the end
  const p = new EventStreamParser();
  assert.deepEqual(p.push('id: a\0b\ndata: z\n\ndata: half'), [{ type: 'message', data: 'z', lastEventId: '' }]);
  p.end();
  assert.deepEqual(p.push('\n'), []);
});

// A fake fetch serving a list of answers in turn; it records each request's headers.
function fakeFetch(answers) {
  const seen = [];
  const fetch = async (url, init = {}) => {
    const req = new Request(url, init);
    seen.push({ url: req.url, method: req.method, headers: Object.fromEntries(req.headers) });
    const a = answers.shift();
    if (!a) throw new TypeError('no more answers');
    if (a instanceof Error) throw a;
    return a(init);
  };
  return { fetch, seen };
}

function sse(text, { status = 200 } = {}) {
  return () => {
    const bytes = new TextEncoder().encode(text);
    // in two pieces, cut inside a multi-byte character and a line
    const body = new ReadableStream({
      start(c) {
        c.enqueue(bytes.slice(0, 11));
        c.enqueue(bytes.slice(11));
        c.close();
      },
    });
    return new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } });
  };
}

const job = (state, progress = 0, error = null) => JSON.stringify({ id: 'j1', state, progress, error });

test('eventStream reconnects after a drop and sends Last-Event-ID; 204 ends it', async () => {
  const { fetch, seen } = fakeFetch([
    sse('retry: 10\nevent: job\nid: é1\ndata: a\n\n'),
    new TypeError('connection reset'),
    sse('event: job\nid: e2\ndata: b\n\n'),
    () => new Response(null, { status: 204 }),
  ]);
  const got = [];
  for await (const ev of eventStream('http://x/events', { fetch, headers: { Authorization: 'Bearer t' } })) got.push(`${ev.data}@${ev.lastEventId}`);
  assert.deepEqual(got, ['a@é1', 'b@e2']);
  assert.deepEqual(seen.map((s) => s.headers['last-event-id']), [undefined, 'é1', 'é1', 'e2']);
  assert.ok(seen.every((s) => s.headers.authorization === 'Bearer t' && s.headers.accept === 'text/event-stream'));
});

test('eventStream: an error status is a typed error; too many drops give up', async () => {
  const notFound = () => new Response(JSON.stringify({ title: 'Not Found', status: 404, detail: 'no such job' }),
    { status: 404, headers: { 'Content-Type': 'application/problem+json' } });
  await assert.rejects(eventStream('http://x/e', { fetch: fakeFetch([notFound]).fetch }).next(), NotFoundError);
  const drops = Array.from({ length: 4 }, () => new TypeError('reset'));
  await assert.rejects(eventStream('http://x/e', { fetch: fakeFetch(drops).fetch, retry: 1, maxRetries: 2 }).next(), /reset/);
});

test('waitForJob through the fetch reader: progress, then done; failed and canceled are typed', async () => {
  const progress = [];
  const { fetch, seen } = fakeFetch([
    sse(`retry: 5\nevent: job\nid: 1\ndata: ${job('queued')}\n\n: keep-alive\n\nevent: job\nid: 2\ndata: ${job('running', 0.5)}\n\n`),
    sse(`event: job\nid: 3\ndata: ${job('done', 1)}\n\n`),
  ]);
  const ts = new TimeSide({ baseUrl: 'http://x', token: 't', fetch });
  const done = await ts.waitForJob('j1', { onProgress: (j) => progress.push(`${j.state}:${j.progress}`) });
  assert.equal(done.state, 'done');
  assert.deepEqual(progress, ['queued:0', 'running:0.5', 'done:1']);
  assert.equal(seen[1].headers['last-event-id'], '2');
  assert.equal(seen[0].url, 'http://x/api/v1/jobs/j1/events');

  const failed = fakeFetch([sse(`event: job\ndata: ${job('failed', 0.5, 'ts-analyze exited with status 3')}\n\n`)]);
  await assert.rejects(new TimeSide({ baseUrl: 'http://x', token: 't', fetch: failed.fetch }).waitForJob('j1'),
    (e) => e instanceof JobFailedError && e.job.error === 'ts-analyze exited with status 3');
  const canceled = fakeFetch([sse(`event: job\ndata: ${job('canceled')}\n\n`)]);
  await assert.rejects(new TimeSide({ baseUrl: 'http://x', token: 't', fetch: canceled.fetch }).waitForJob('j1'), JobCanceledError);
});

test('waitForJob stops when its signal aborts', async () => {
  // a stream that never says anything; the fetch's signal errors its body, as a real fetch does
  const never = (init) => new Response(new ReadableStream({
    start(c) {
      init.signal.addEventListener('abort', () => c.error(init.signal.reason));
    },
  }), { headers: { 'Content-Type': 'text/event-stream' } });
  const ts = new TimeSide({ baseUrl: 'http://x', token: 't', fetch: fakeFetch([never]).fetch });
  const ac = new AbortController();
  const p = ts.waitForJob('j1', { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('enough')), 20);
  await assert.rejects(p, /enough/);
});
