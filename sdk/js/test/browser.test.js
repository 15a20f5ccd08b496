// The SDK in a browser (Debian's Chromium through playwright-core, from web/node_modules): the
// compiled dist/ loaded as ES modules on ts-serve's own origin (the requests for it answered by
// the test), signed in by cookie, waits on a job with the browser's EventSource; with a token
// (which EventSource cannot send) it uses the fetch-stream reader instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = resolve(sdk, '../../web');
const bin = process.env.TS_BIN;
const CHROMIUM = process.env.TS_CHROMIUM || '/usr/bin/chromium';
let tmp, server, baseUrl, token, item, browser, page;

before(async () => {
  assert.ok(bin, 'TS_BIN must name the folder of ts-serve and ts-gen');
  const { chromium } = createRequire(join(web, 'package.json'))('playwright-core');
  tmp = mkdtempSync(join(tmpdir(), 'timeside-sdk-browser-'));
  const data = join(tmp, 'data');
  const wav = join(tmp, 'a.wav');
  execFileSync(join(bin, 'ts-gen'), ['sine', '--quiet', '--rate', '8000', '--duration', '2', '-o', wav]);
  token = execFileSync(join(bin, 'ts-serve'), ['token', 'create', '--data', data, '--user', 'alice', '--scope', 'read,process', '--quiet'], { encoding: 'utf8' }).trim();
  server = spawn(join(bin, 'ts-serve'), ['--data', data, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  baseUrl = await new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('ts-serve printed no URL within 20 s')), 20000);
    createInterface({ input: server.stdout }).once('line', (l) => {
      clearTimeout(t);
      res(l.trim());
    });
  });
  const r = await fetch(`${baseUrl}/api/v1/items?filename=a.wav`, { method: 'POST', body: readFileSync(wav), headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 201);
  item = (await r.json()).id;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 20000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  } catch (e) {
    throw new Error(`Chromium (${CHROMIUM}) cannot start: ${e.message.split('\n')[0]}`);
  }
  page = await browser.newPage();
  // /sdk-test/ on the server's origin: a page with an import map, the SDK and openapi-fetch
  const files = {
    'index.html': ['text/html', '<!doctype html><script type="importmap">{"imports":{"openapi-fetch":"/sdk-test/openapi-fetch.js"}}</script><p>SDK</p>'],
    'openapi-fetch.js': ['text/javascript', readFileSync(join(sdk, 'node_modules/openapi-fetch/dist/index.mjs'))],
  };
  for (const f of ['index.js', 'errors.js', 'sse.js']) files[f] = ['text/javascript', readFileSync(join(sdk, 'dist', f))];
  await page.route(`${baseUrl}/sdk-test/**`, (route) => {
    const f = files[new URL(route.request().url()).pathname.slice('/sdk-test/'.length)];
    return f ? route.fulfill({ contentType: f[0], body: f[1] }) : route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${baseUrl}/sdk-test/index.html`);
  // count the EventSources the page makes
  await page.evaluate(() => {
    window.eventSources = [];
    const ES = window.EventSource;
    window.EventSource = class extends ES {
      constructor(url, init) {
        super(url, init);
        window.eventSources.push(url);
      }
    };
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('signed in by cookie, waitForJob uses the browser\'s EventSource', async () => {
  const got = await page.evaluate(async ([token, item]) => {
    const { TimeSide } = await import('/sdk-test/index.js');
    const ts = new TimeSide({ baseUrl: location.origin });
    await ts.signIn(token);
    const session = await ts.session();
    const job = await ts.createJob({ items: [item], preset: 'minimal' });
    const states = [];
    const done = await ts.waitForJob(job.id, { onProgress: (j) => states.push(j.state) });
    return { user: session.user, state: done.state, progress: done.progress, states, id: job.id, sources: window.eventSources, cookies: document.cookie };
  }, [token, item]);
  assert.equal(got.user, 'alice');
  assert.deepEqual([got.state, got.progress, got.states.at(-1)], ['done', 1, 'done']);
  assert.deepEqual(got.sources, [`${baseUrl}/api/v1/jobs/${got.id}/events`]);
  assert.equal(got.cookies, '', 'the session cookie is HttpOnly');
});

test('with a token, waitForJob reads the stream with fetch; a missing job is a NotFoundError', async () => {
  const got = await page.evaluate(async ([token, item]) => {
    const { TimeSide } = await import('/sdk-test/index.js');
    const ts = new TimeSide({ baseUrl: location.origin, token });
    const before = window.eventSources.length;
    const job = await ts.createJob({ items: [item], preset: 'minimal', outputs: ['peaks'] });
    const done = await ts.waitForJob(job.id);
    let missing;
    try {
      await ts.waitForJob('00000000-0000-4000-8000-000000000000');
    } catch (e) {
      missing = `${e.name} ${e.status}`;
    }
    return { state: done.state, made: window.eventSources.length - before, missing };
  }, [token, item]);
  assert.deepEqual(got, { state: 'done', made: 0, missing: 'NotFoundError 404' });
});
