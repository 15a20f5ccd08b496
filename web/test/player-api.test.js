// The player page served by ts-serve (/player/{item}) in a real browser (Debian's Chromium
// through playwright-core), reading everything through the API with the session cookie: the
// sign-in form of a private item, the waveform, the spectrogram lane aligned with the 1 kHz
// tone, playing and seeking over Range, a dragged annotation that the API returns with the
// dragged times, kept across a reload, and a change made meanwhile by another client shown as a
// conflict (412), not lost. TS_BIN names the tools (ts-serve), TS_PLAYER_ITEM the test
// recording (tests/web/make-item.sh: 70 s, a 1 kHz tone from 30 to 40 s); screenshots go to
// TS_PLAYER_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { paintedPixels, showRange } from './page-helpers.js';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const page_dir = join(web, 'player');
const bin = process.env.TS_BIN;
const recording = process.env.TS_PLAYER_ITEM;
const artifacts = process.env.TS_PLAYER_ARTIFACTS || join(tmpdir(), 'timeside-player-artifacts');
const CHROMIUM = process.env.TS_CHROMIUM || '/usr/bin/chromium';

let browser;
let server;
let base; // http://127.0.0.1:PORT
let data;
let token; // alice's: read, annotate, process
let item;
let page;
const problems = [];
const mediaResponses = [];
let signedOut = true; // until the sign-in form is used

async function shot(p, name) {
  await p.screenshot({ path: join(artifacts, `${name}.png`) });
}

// The API as a second client: bearer token, no cookie.
async function api(method, path, body, headers = {}) {
  const h = { Authorization: `Bearer ${token}`, ...headers };
  if (body !== undefined && !(body instanceof Uint8Array)) h['Content-Type'] = 'application/json';
  const r = await fetch(`${base}/api/v1/${path}`, { method, headers: h,
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text && /json/.test(r.headers.get('content-type') || '') ? JSON.parse(text) : null };
}

async function waitState(p, states, timeout = 20000) {
  await p.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
  return p.evaluate(() => document.body.dataset.state);
}

async function ready(p) {
  const state = await waitState(p, ['ready', 'error']);
  if (state !== 'ready') assert.fail(`the page did not open (${state}): ${await p.textContent('#status')}`);
}

function watch(p) {
  p.on('console', (m) => {
    // expected answers: the 404 of a private item to a visitor without a session (the server
    // reads anonymously), the 401 of GET /session without one and of the wrong token, the 412
    // of the stale save
    if (m.type() === 'error' && !/status of (401|404|412)/.test(m.text())) problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(String(e)));
  p.on('response', (r) => {
    // 404 only for the private item (and its peaks) asked without a session
    const path = new URL(r.url()).pathname;
    if (r.status() === 404 && !(signedOut && [`/api/v1/items/${item}`, `/api/v1/items/${item}/peaks.dat`].includes(path))) {
      problems.push(`404: ${r.request().method()} ${r.url()}`);
    }
    if (r.url().endsWith(`/items/${item}/media`)) mediaResponses.push({ status: r.status(), range: r.request().headers().range || null });
  });
}

async function startServer() {
  data = mkdtempSync(join(tmpdir(), 'ts-player-api-'));
  token = execFileSync(join(bin, 'ts-serve'), ['token', 'create', '--data', join(data, 'd'), '--user', 'alice',
    '--scope', 'read,annotate,process', '--quiet'], { encoding: 'utf8' }).trim();
  server = spawn(join(bin, 'ts-serve'), ['--data', join(data, 'd'), '--listen', '127.0.0.1:0', '--quiet',
    '--anonymous-reads', '--player-dir', page_dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('ts-serve printed no URL within 20 s')), 20000);
    server.stdout.once('data', (d) => {
      clearTimeout(timer);
      res(String(d).trim().split('\n')[0]);
    });
    server.once('exit', (c) => rej(new Error(`ts-serve exited ${c}`)));
  });
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
}

before(async () => {
  assert.ok(bin && existsSync(join(bin, 'ts-serve')), `TS_BIN (${bin}) holds no ts-serve`);
  assert.ok(recording && existsSync(recording), `TS_PLAYER_ITEM (${recording}) is not a file: make it with tests/web/make-item.sh`);
  assert.ok(existsSync(join(page_dir, 'dist', 'player.js')) && existsSync(join(page_dir, 'vendor', 'peaks.js')),
    'the page is not built: run `npm ci && npm run build` in web/');
  mkdirSync(artifacts, { recursive: true });
  await startServer();
  // the recording, private (uploads are), and a few results for the lanes and facts
  const up = await api('POST', 'items?title=Tone%20test', new Uint8Array(await readFile(recording)),
    { 'Content-Type': 'application/octet-stream' });
  assert.equal(up.status, 201, JSON.stringify(up.json));
  item = up.json.id;
  assert.equal(up.json.public, false);
  const job = await api('POST', 'jobs', { items: [item], analyzers: ['rms', 'level'] });
  assert.equal(job.status, 202, JSON.stringify(job.json));
  for (let i = 0; ; i++) {
    const j = await api('GET', `jobs/${job.json.id}`);
    if (j.json.state === 'done') break;
    assert.ok(!['failed', 'canceled'].includes(j.json.state) && i < 300, `the job is ${j.json.state}: ${j.json.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--autoplay-policy=no-user-gesture-required'],
      timeout: 20000,
    });
  } catch (e) {
    throw new Error(`Chromium (${CHROMIUM}) cannot start: ${e.message.split('\n')[0]}`);
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  if (data) rmSync(data, { recursive: true, force: true });
});

test('a private item asks to sign in; the form exchanges a token for the session cookie', async () => {
  const res = await page.goto(`${base}/player/${item}`);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(await waitState(page, ['signin', 'ready', 'error']), 'signin');
  await shot(page, 'api-1-signin');
  // a wrong token: the form says so and stays
  await page.fill('#signin-token', 'tsk_not-a-token-of-this-server');
  await page.click('#signin-submit');
  await page.waitForFunction(() => /401/.test(document.getElementById('signin-status').textContent));
  assert.equal(await page.isVisible('#signin'), true);
  await page.fill('#signin-token', token);
  signedOut = false;
  await page.click('#signin-submit');
  await ready(page);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'ts_session');
  assert.ok(session, 'no ts_session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the cookie');
  assert.match(await page.textContent('#signed-in'), /alice/);
  assert.equal(await page.evaluate(() => document.getElementById('audio').src), `${base}/api/v1/items/${item}/media`);
});

test('the waveform is drawn from the API\'s .dat; the facts and lanes come from the result index', async () => {
  const zoom = await paintedPixels(page, '#zoomview');
  const overview = await paintedPixels(page, '#overview');
  assert.ok(zoom.painted > zoom.total * 0.05, `zoom view: ${zoom.painted} of ${zoom.total} pixels painted`);
  assert.ok(overview.painted > overview.total * 0.05, `overview: ${overview.painted} of ${overview.total} pixels painted`);
  // level.peak of the whole recording: the demo piece peaks above the -12 dBFS tone
  assert.match(await page.textContent('#facts'), /Peak\s*-?\d+\.\d dBFS/);
  const lanes = await page.evaluate(() => window.timesidePlayer.available.map((l) => l.id));
  assert.ok(lanes.includes('spectrogram') && lanes.includes('rms'), `lanes: ${lanes}`);
  await shot(page, 'api-2-opened');
});

test('the spectrogram lane, drawn by the server for the visible range, shows the tone at 1 kHz and 30-40 s', async () => {
  const { start, end } = await showRange(page, 25, 20);
  // the image of exactly this range, fetched once the view rests
  await page.waitForFunction(([s, e]) => {
    const l = window.timesidePlayer.lanes.lanes.find((x) => x.kind === 'spectrogram');
    return l && Math.abs(l.imageStart - s) < 1e-6 && Math.abs(l.imageEnd - e) < 1e-6;
  }, [start, end], { timeout: 20000 });
  const { w, h, bright, layout } = await page.evaluate(() => {
    const l = window.timesidePlayer.lanes.lanes.find((x) => x.kind === 'spectrogram');
    window.timesidePlayer.lanes.drawLane(l);
    const c = l.canvas;
    const ratio = c.width / c.clientWidth;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const cw = c.clientWidth;
    const ch = c.clientHeight;
    const rows = [];
    for (let y = 0; y < ch; y++) {
      const row = [];
      for (let x = 0; x < cw; x++) {
        const i = (Math.floor(y * ratio) * c.width + Math.floor(x * ratio)) * 4;
        row.push(Math.max(d[i], d[i + 1], d[i + 2]));
      }
      rows.push(row);
    }
    return { w: cw, h: ch, bright: rows, layout: l.layout };
  });
  const yOf = (f) => (1 - Math.log(f / layout.fmin) / Math.log(layout.fmax / layout.fmin)) * h;
  const x35 = Math.round(((35 - start) / (end - start)) * w);
  let best = 0;
  for (let y = 0; y < h; y++) if (bright[y][x35] > bright[best][x35]) best = y;
  assert.ok(Math.abs(best - yOf(1000)) <= 2, `the tone is at y=${best}, 1 kHz is at y=${yOf(1000).toFixed(1)}`);
  const level = bright[best][x35];
  const dark = (x) => bright[Math.round(yOf(200))][x] < 60 && bright[Math.round(yOf(5000))][x] < 60;
  let tone = [];
  for (let x = 0, run = []; x <= w; x++) {
    if (x < w && bright[best][x] > 0.6 * level && dark(x)) run.push(x);
    else {
      if (run.length > tone.length) tone = run;
      run = [];
    }
  }
  assert.ok(tone.length > 0, 'no column holds the tone alone');
  const t = (x) => start + (x / w) * (end - start);
  // one column is 20 s / ~1090 px = 0.018 s; the STFT frame 93 ms: 0.15 s in all
  assert.ok(Math.abs(t(tone[0]) - 30) < 0.15, `the tone starts at ${t(tone[0]).toFixed(3)} s`);
  assert.ok(Math.abs(t(tone.at(-1)) - 40) < 0.15, `the tone ends at ${t(tone.at(-1)).toFixed(3)} s`);
  await shot(page, 'api-3-spectrogram-tone');
});

test('playing the media (authenticated by the cookie) advances the time; seeking to 60 s plays from 60 s', async () => {
  await showRange(page, 0, 20);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('audio').currentTime > 1.0, null, { timeout: 15000 });
  const a = await page.evaluate(() => document.getElementById('audio').currentTime);
  await page.waitForTimeout(700);
  const b = await page.evaluate(() => ({ t: document.getElementById('audio').currentTime, paused: document.getElementById('audio').paused }));
  assert.equal(b.paused, false);
  assert.ok(b.t > a + 0.3, `currentTime went from ${a} to ${b.t}`);
  await page.evaluate(() => window.timesidePlayer.peaks.player.seek(60));
  await page.waitForFunction(() => document.getElementById('audio').currentTime > 60.5, null, { timeout: 15000 });
  const t = await page.evaluate(() => document.getElementById('audio').currentTime);
  assert.ok(t > 60.5 && t < 62.5, `currentTime is ${t}`);
  await shot(page, 'api-4-seek-60');
  await page.evaluate(() => window.timesidePlayer.peaks.player.pause());
  assert.ok(mediaResponses.some((r) => r.status === 206 && r.range), `the media was read with Range requests: ${JSON.stringify(mediaResponses)}`);
  assert.ok(!mediaResponses.some((r) => r.status === 401), 'a media request was refused');
});

let made;
async function annotationsOnServer() {
  const tracks = await api('GET', `items/${item}/annotation-tracks`);
  assert.equal(tracks.status, 200);
  const out = [];
  for (const t of tracks.json.tracks) out.push(...(await api('GET', `annotation-tracks/${t.id}`)).json.annotations);
  return out;
}

test('dragging creates an annotation that the API returns with the dragged times', async () => {
  const { start, end } = await showRange(page, 0, 20);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.evaluate(() => {
    const r = document.querySelector('#zoomview canvas').getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  });
  const y = box.top + box.height / 2;
  await page.mouse.move(box.left + 200, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.left + 200 + 30 * i, y);
  await page.mouse.up();
  await page.waitForSelector('#items li[data-kind="segment"]');
  const { t0, t1, perPx } = await page.evaluate(([a, b]) => {
    const v = window.timesidePlayer.peaks.views.getView('zoomview');
    return { t0: v.pixelOffsetToTime(a), t1: v.pixelOffsetToTime(b), perPx: v.pixelsToTime(1) };
  }, [200, 500]);
  assert.ok(Math.abs(t0 - (start + 200 * ((end - start) / box.width))) <= perPx);
  // saved: the server's id replaces the page's, and the API returns it
  await page.waitForFunction(() => /^[0-9a-f-]{36}$/.test(document.querySelector('#items li[data-kind="segment"]').dataset.item));
  const onServer = await annotationsOnServer();
  assert.equal(onServer.length, 1, `the page says: ${await page.textContent('#status')}; ${JSON.stringify((await api('GET', `items/${item}/annotation-tracks`)).json)}`);
  made = onServer[0];
  assert.ok(Math.abs(made.start - t0) <= perPx, `start ${made.start} s, dragged from ${t0.toFixed(4)} s (1 px = ${perPx.toFixed(4)} s)`);
  assert.ok(Math.abs(made.end - t1) <= perPx, `end ${made.end} s, dragged to ${t1.toFixed(4)} s`);
  // a label through the editor: PATCH with If-Match
  await page.fill('#ann-label', 'verse');
  await page.press('#ann-label', 'Enter');
  await page.locator('#ann-label').blur();
  for (let i = 0; i < 100 && (await annotationsOnServer())[0].label !== 'verse'; i++) await page.waitForTimeout(100);
  made = (await annotationsOnServer())[0];
  assert.equal(made.label, 'verse');
  assert.equal(made.version, 2);
  await shot(page, 'api-5-annotated');
});

test('reloading shows the annotation again, read from the server', async () => {
  await page.reload();
  await ready(page);
  await page.waitForSelector('#items li[data-kind="segment"]');
  const again = await page.evaluate(() => {
    const li = document.querySelector('#items li[data-kind="segment"]');
    return { id: li.dataset.item, start: Number(li.dataset.start), end: Number(li.dataset.end), text: li.textContent };
  });
  assert.deepEqual([again.id, again.start, again.end], [made.id, made.start, made.end]);
  assert.match(again.text, /verse/);
});

test('an edit made meanwhile by another client: the page\'s stale save is a 412 conflict, shown, not lost', async () => {
  const r = await api('PATCH', `annotations/${made.id}`, { label: 'theirs' }, { 'If-Match': `"annotation-${made.id}-v${made.version}"` });
  assert.equal(r.status, 200);
  const stale = [];
  page.on('response', (res) => {
    if (res.url().endsWith(`/annotations/${made.id}`) && res.request().method() === 'PATCH') stale.push(res.status());
  });
  await page.click('#items li button');
  await page.fill('#ann-label', 'mine');
  await page.press('#ann-label', 'Enter');
  await page.waitForSelector('#conflict:not([hidden])');
  assert.deepEqual(stale, [412]);
  assert.match(await page.textContent('#conflict'), /changed on the server/);
  assert.match(await page.textContent('#items li'), /mine/, 'the page keeps its own label on screen');
  assert.equal((await annotationsOnServer())[0].label, 'theirs', 'the other client\'s change is not overwritten');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'api-6-conflict');
  // keep mine: saved over theirs, now with their version
  await page.click('#conflict .keep-mine');
  await page.waitForSelector('#conflict', { state: 'hidden' });
  for (let i = 0; i < 100 && (await annotationsOnServer())[0].label !== 'mine'; i++) await page.waitForTimeout(100);
  const now = (await annotationsOnServer())[0];
  assert.equal(now.label, 'mine');
  assert.equal(now.version, made.version + 2);
});

test('renaming the track and deleting the annotation reach the server (If-Match on each)', async () => {
  await page.fill('#tracks .track-name', 'Sections');
  await page.press('#tracks .track-name', 'Enter');
  await page.locator('#tracks .track-name').blur();
  const titles = async () => (await api('GET', `items/${item}/annotation-tracks`)).json.tracks.map((t) => t.title);
  for (let i = 0; i < 100 && (await titles())[0] !== 'Sections'; i++) await page.waitForTimeout(100);
  assert.deepEqual(await titles(), ['Sections']);
  await page.click('#items li button');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => !document.querySelector('#items li'));
  for (let i = 0; i < 100 && (await annotationsOnServer()).length; i++) await page.waitForTimeout(100);
  assert.deepEqual(await annotationsOnServer(), []);
  assert.match(await page.textContent('#status'), /Annotations saved/);
});

test('signing out ends the session: the page asks to sign in again', async () => {
  await page.click('#sign-out');
  // the page is 'ready' until the sign-out has been answered: wait for it to leave that state
  assert.equal(await waitState(page, ['signin', 'error']), 'signin');
  const cookies = await page.context().cookies();
  assert.equal(cookies.find((c) => c.name === 'ts_session'), undefined);
});

test('a public item opens without a session (anonymous reads), offering to sign in', async () => {
  const r = await api('PATCH', `items/${item}`, { public: true });
  assert.equal(r.status, 200);
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const p = await visitor.newPage();
  watch(p);
  await p.goto(`${base}/player/${item}`);
  await ready(p);
  const zoom = await paintedPixels(p, '#zoomview');
  assert.ok(zoom.painted > zoom.total * 0.05, `zoom view: ${zoom.painted} of ${zoom.total} pixels painted`);
  await p.waitForSelector('#sign-in:not([hidden])');
  assert.equal(await p.isVisible('#sign-out'), false);
  // the annotation track is alice's and private: a visitor sees none
  assert.equal(await p.locator('#items li').count(), 0);
  await shot(p, 'api-7-public');
  await visitor.close();
});

test('no console error and no Content-Security-Policy violation', () => {
  assert.deepEqual(problems, []);
});
