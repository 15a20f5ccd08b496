// The index page (served by ts-serve at /) in Debian's Chromium through playwright-core: it
// signs in with a token (exchanged for the session cookie), lists the items, searches them by text, tag and collection, pages
// through them, links each to its player page, and shows a job go from queued to done live,
// at 1280x720 and at a phone's size, with no console error or CSP violation. TS_BIN names
// the folder of ts-serve and ts-gen; screenshots go to TS_INDEX_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const bin = process.env.TS_BIN;
const artifacts = process.env.TS_INDEX_ARTIFACTS || join(tmpdir(), 'timeside-index-artifacts');
const CHROMIUM = process.env.TS_CHROMIUM || '/usr/bin/chromium';

let tmp, server, baseUrl, token, browser, page;
const problems = [];
const items = {};

async function call(method, path, body, headers = {}) {
  const r = await fetch(baseUrl + path, {
    method, body: body instanceof Uint8Array ? body : body && JSON.stringify(body),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': body instanceof Uint8Array ? 'audio/wav' : 'application/json', ...headers },
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function wav(kind, seconds, extra = []) {
  const f = join(tmp, `${kind}-${seconds}-${extra.join('')}.wav`);
  execFileSync(join(bin, 'ts-gen'), [kind, '--quiet', '--rate', '8000', '--duration', String(seconds), ...extra, '-o', f]);
  return new Uint8Array(readFileSync(f));
}

async function upload(title, bytes, tags = []) {
  const it = await call('POST', `/api/v1/items?title=${encodeURIComponent(title)}&filename=${encodeURIComponent(`${title}.wav`)}`, bytes);
  if (tags.length) await call('PATCH', `/api/v1/items/${it.id}`, { tags });
  return it.id;
}

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const shown = () => page.$$eval('#items li', (lis) => lis.map((li) => li.querySelector('.title').textContent));

before(async () => {
  assert.ok(bin, 'TS_BIN must name the folder of ts-serve and ts-gen');
  mkdirSync(artifacts, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'timeside-index-'));
  const data = join(tmp, 'data');
  token = execFileSync(join(bin, 'ts-serve'), ['token', 'create', '--data', data, '--user', 'alice', '--scope', 'read,process', '--quiet'], { encoding: 'utf8' }).trim();
  server = spawn(join(bin, 'ts-serve'), ['--data', data, '--listen', '127.0.0.1:0', '--workers', '1', '--uploads-per-minute', '0'],
    { stdio: ['ignore', 'pipe', process.env.TS_SERVE_LOG ? 'inherit' : 'ignore'] });
  baseUrl = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('ts-serve printed no URL within 20 s')), 20000);
    createInterface({ input: server.stdout }).once('line', (l) => {
      clearTimeout(t);
      resolve(l.trim());
    });
    server.once('exit', (code) => reject(new Error(`ts-serve exited with status ${code}`)));
  });
  const sine = wav('sine', 1);
  items.bach = await upload('Bach prelude', wav('sine', 2, ['--frequency', '440']), ['baroque', 'keyboard']);
  items.field = await upload('Field recording', wav('noise', 1), ['outdoor']);
  items.noise = await upload('Long noise', wav('noise', 900));
  for (let i = 1; i <= 21; i++) await upload(`Take ${String(i).padStart(2, '0')}`, sine.slice(), ['take']);
  const coll = await call('POST', '/api/v1/collections', { title: 'Baroque works' });
  await call('PUT', `/api/v1/collections/${coll.id}/items/${items.bach}`);
  items.collection = coll.id;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 20000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    throw new Error(`Chromium (${CHROMIUM}) cannot start: ${e.message.split('\n')[0]}`);
  }
  page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  page.on('console', (m) => {
    // the page asks GET /api/v1/session whether a cookie signs it in: 401 or, on a server
    // without sessions, 404 are answers, not problems
    if (m.type() === 'error' && !/status of 40[14]/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('signs in with a token and lists the items, 20 a page, each linked to its player', async () => {
  const r = await fetch(`${baseUrl}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('Content-Security-Policy'), /default-src 'none'; script-src 'self'/);
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => document.body.dataset.state === 'signed-out');
  await shot('index-1-signed-out');
  await page.fill('#token', 'tsk_not_a_token');
  await page.click('#signin button[type=submit]');
  await page.waitForFunction(() => /Sign-in refused/.test(document.getElementById('status').textContent));
  await page.fill('#token', token);
  await page.click('#signin button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  assert.match(await page.textContent('#who'), /^alice \(read, process\)$/);
  // the token was exchanged for the server's session cookie: HttpOnly, SameSite=Strict, and
  // nothing kept by the page; a reload is still signed in
  const cookie = (await page.context().cookies()).find((c) => c.name === 'ts_session');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));
  assert.equal(await page.evaluate(() => sessionStorage.length + document.cookie.length), 0);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  assert.match(await page.textContent('#who'), /^alice /);
  const first = await shown();
  assert.equal(first.length, 20);
  assert.equal(await page.isEnabled('#next'), true);
  assert.equal(await page.isEnabled('#prev'), false);
  await page.click('#next');
  await page.waitForFunction(() => document.getElementById('page').textContent === 'page 2');
  const second = await shown();
  assert.equal(first.length + second.length, 24);
  assert.deepEqual([...first, ...second].sort(), ['Bach prelude', 'Field recording', 'Long noise',
    ...Array.from({ length: 21 }, (_, i) => `Take ${String(i + 1).padStart(2, '0')}`)].sort());
  assert.equal(await page.isEnabled('#next'), false);
  await page.click('#prev');
  await page.waitForFunction(() => document.getElementById('page').textContent === 'page 1');
  assert.deepEqual(await shown(), first);
  await shot('index-2-signed-in');
});

test('searches by text, tag and collection', async () => {
  await page.fill('#q', 'BACH');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#items li').length === 1);
  assert.deepEqual(await shown(), ['Bach prelude']);
  assert.equal(await page.getAttribute('#items li a.title', 'href'), `/player/${items.bach}`);
  assert.match(await page.textContent('#count'), /^1 item matching “BACH”$/);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'BACH');
  await shot('index-3-search');
  // a tag: its button on an item, then the field
  await page.fill('#q', '');
  await page.fill('#tag', 'outdoor');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#items li .title')?.textContent === 'Field recording');
  assert.deepEqual(await shown(), ['Field recording']);
  await page.fill('#tag', '');
  await page.selectOption('#collection', items.collection);
  await page.waitForFunction(() => document.querySelectorAll('#items li').length === 1 && /in Baroque works/.test(document.getElementById('count').textContent));
  assert.deepEqual(await shown(), ['Bach prelude']);
  assert.equal(await page.getAttribute(`#collections button[data-id="${items.collection}"]`, 'aria-pressed'), 'true');
  assert.match(await page.textContent('#collections'), /Baroque works\s*1/);
  await page.click('#items li .tags button:has-text("keyboard")');
  await page.waitForFunction(() => document.getElementById('tag').value === 'keyboard');
  await page.selectOption('#collection', '');
  await page.waitForFunction(() => /tagged “keyboard”$/.test(document.getElementById('count').textContent));
  assert.deepEqual(await shown(), ['Bach prelude']);
  await page.fill('#tag', 'nosuchtag');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.getElementById('count').textContent === 'No item tagged “nosuchtag”.');
  await page.click('#search button[type=reset]');
  await page.waitForFunction(() => document.querySelectorAll('#items li').length === 20);
});

test('a job goes from queued to done live on the page', async () => {
  await page.waitForFunction(() => document.body.dataset.stream === 'live');
  // every state the page shows for each job, as it shows them
  await page.evaluate(() => {
    window.seen = {};
    new MutationObserver(() => {
      for (const li of document.querySelectorAll('#jobs li')) {
        const s = (window.seen[li.dataset.id] ||= []);
        if (s.at(-1) !== li.dataset.state) s.push(li.dataset.state);
      }
    }).observe(document.getElementById('jobs'), { subtree: true, childList: true, attributes: true });
  });
  // one worker: the slow job over 15 minutes of noise (about 1 s) runs while the second waits
  const slow = await call('POST', '/api/v1/jobs', { items: [items.noise], analyzers: ['structure', 'notes', 'pitch'] });
  const job = await call('POST', '/api/v1/jobs', { items: [items.bach], preset: 'minimal' });
  await page.waitForFunction((id) => window.seen[id]?.length, job.id, { timeout: 10000 });
  assert.match(await page.textContent(`#jobs li[data-id="${job.id}"] .what`), /^minimal preset over 1 item$/);
  await shot('index-4-job-queued');
  await page.waitForSelector(`#jobs li[data-id="${job.id}"][data-state="done"]`, { timeout: 60000 });
  const seen = await page.evaluate(() => window.seen);
  assert.equal(seen[job.id][0], 'queued', `the page showed ${seen[job.id]}`);
  assert.equal(seen[job.id].at(-1), 'done');
  assert.deepEqual(seen[slow.id].filter((s) => s === 'done'), ['done']);
  assert.equal(await page.$eval(`#jobs li[data-id="${job.id}"] progress`, (p) => p.value), 1);
  assert.match(await page.textContent('#jobs-summary'), /No job queued or running/);
  await shot('index-5-job-done');
});

test('fits a phone and 1280x720 without sideways scrolling; no console error or CSP violation', async () => {
  for (const [w, h, name] of [[1280, 720, 'desktop'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= w, `${name}: ${width} px wide in a ${w} px viewport`);
    await shot(`index-6-${name}`);
  }
  // every control has a name for assistive technology
  const unnamed = await page.$$eval('button, input, select, a', (els) => els.filter((e) => e.offsetParent !== null)
    .filter((e) => !(e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim())).map((e) => e.outerHTML));
  assert.deepEqual(unnamed, []);
  await page.click('#signout');
  await page.waitForFunction(() => document.body.dataset.state === 'signed-out');
  assert.equal((await page.context().cookies()).find((c) => c.name === 'ts_session'), undefined, 'the cookie is cleared');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'signed-out');
  assert.deepEqual(problems, []);
});
