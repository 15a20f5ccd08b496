// The player page in a real browser (Debian's Chromium through playwright-core): drawn,
// aligned, playing, seeking, annotating, kept across a reload, and opened from file:// with
// no server. TS_PLAYER_OUT names the OUT folder of a test recording (tests/web/make-item.sh:
// 70 s, a 1 kHz tone from 30 to 40 s); screenshots go to TS_PLAYER_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './static-server.js';
import { paintedPixels, showRange } from './page-helpers.js';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const page_dir = join(web, 'player');
const out = process.env.TS_PLAYER_OUT;
const artifacts = process.env.TS_PLAYER_ARTIFACTS || join(tmpdir(), 'timeside-player-artifacts');
const CHROMIUM = process.env.TS_CHROMIUM || '/usr/bin/chromium';
const ITEM = 'item.flac';
const DURATION = 70;

let browser;
let http;
let context;
let page;
const problems = []; // console errors and CSP violations of every page

async function shot(p, name) {
  await p.screenshot({ path: join(artifacts, `${name}.png`) });
}

async function ready(p) {
  await p.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 15000 });
  const state = await p.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') assert.fail(`the page did not open: ${await p.textContent('#status')}`);
}

// The page asks a static server whether optional files are there (player.json, a preview in
// each format): the browser logs those answers of 404 as errors, and they are not problems.
function watch(p) {
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(String(e)));
}

before(async () => {
  assert.ok(out && existsSync(join(out, `${ITEM}.dat`)), `TS_PLAYER_OUT (${out}) holds no ${ITEM}.dat: make it with tests/web/make-item.sh`);
  assert.ok(existsSync(join(page_dir, 'dist', 'player.js')) && existsSync(join(page_dir, 'vendor', 'peaks.js')),
    'the page is not built: run `npm ci && npm run build` in web/');
  mkdirSync(artifacts, { recursive: true });
  try {
    // a fresh profile (--user-data-dir) of its own, removed on close: Playwright makes it
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
  http = await serve({ '/page/': page_dir, '/archive/': resolve(out) });
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  watch(page);
});

after(async () => {
  await browser?.close();
  http?.server.close();
});

test('the waveform is drawn from the .dat', async () => {
  await page.goto(`http://127.0.0.1:${http.port}/page/index.html?archive=/archive/&item=${ITEM}`);
  await ready(page);
  const zoom = await paintedPixels(page, '#zoomview');
  const overview = await paintedPixels(page, '#overview');
  // the demo piece fills a good part of the view's height: well over 5% of its pixels
  assert.ok(zoom.painted > zoom.total * 0.05, `zoom view: ${zoom.painted} of ${zoom.total} pixels painted`);
  assert.ok(overview.painted > overview.total * 0.05, `overview: ${overview.painted} of ${overview.total} pixels painted`);
  // the audio is not read before it is played (preload none: the view needs only the .dat)
  assert.deepEqual(http.log.filter((r) => r.method === 'GET' && r.path.endsWith('.mp3')).map((r) => r.path), []);
  const facts = await page.textContent('#facts');
  assert.match(facts, /Tempo\s*120\.0 BPM/);
  assert.match(facts, /Key\s*A minor/);
  await shot(page, '1-opened');
});

test('the spectrogram lane shows the 1 kHz tone at its height and times', async () => {
  const { start, end } = await showRange(page, 25, 20);
  const lane = await page.evaluate(() => {
    const l = window.timesidePlayer.lanes.lanes.find((x) => x.kind === 'spectrogram');
    const c = l.canvas;
    const ratio = c.width / c.clientWidth;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    // brightness (max of r, g, b) per CSS pixel column and row
    const w = c.clientWidth;
    const h = c.clientHeight;
    const bright = [];
    for (let y = 0; y < h; y++) {
      const row = [];
      for (let x = 0; x < w; x++) {
        const i = (Math.floor(y * ratio) * c.width + Math.floor(x * ratio)) * 4;
        row.push(Math.max(d[i], d[i + 1], d[i + 2]));
      }
      bright.push(row);
    }
    return { w, h, bright, layout: l.layout };
  });
  const { w, h, bright, layout } = lane;
  const yOf = (f) => (1 - Math.log(f / layout.fmin) / Math.log(layout.fmax / layout.fmin)) * h;
  const xOf = (t) => ((t - start) / (end - start)) * w;
  // at 35 s, the brightest row is the 1 kHz row (within 2 px)
  const x35 = Math.round(xOf(35));
  let best = 0;
  for (let y = 0; y < h; y++) if (bright[y][x35] > bright[best][x35]) best = y;
  assert.ok(Math.abs(best - yOf(1000)) <= 2, `the tone is at y=${best}, 1 kHz is at y=${yOf(1000).toFixed(1)}`);
  // the columns that hold the tone alone (bright at 1 kHz, dark at 200 Hz and 5 kHz) span 30-40 s
  const y1k = best; // the tone's row, as found above
  const level = bright[best][x35];
  const dark = (x) => bright[Math.round(yOf(200))][x] < 60 && bright[Math.round(yOf(5000))][x] < 60;
  // the longest run of columns that hold the tone alone
  let tone = [];
  for (let x = 0, run = []; x <= w; x++) {
    if (x < w && bright[y1k][x] > 0.6 * level && dark(x)) run.push(x);
    else {
      if (run.length > tone.length) tone = run;
      run = [];
    }
  }
  assert.ok(tone.length > 0, 'no column holds the tone alone');
  await shot(page, '2-spectrogram-tone');
  const t = (x) => start + (x / w) * (end - start);
  const pxPerS = w / (end - start);
  // one image column (70 s over 1088 px) is 0.064 s; the STFT frame 93 ms: 0.15 s in all
  assert.ok(Math.abs(t(tone[0]) - 30) < 0.15, `the tone starts at ${t(tone[0]).toFixed(3)} s (${pxPerS.toFixed(1)} px/s)`);
  assert.ok(Math.abs(t(tone.at(-1)) - 40) < 0.15, `the tone ends at ${t(tone.at(-1)).toFixed(3)} s`);
});

test('playing advances the time and the cursor', async () => {
  await showRange(page, 0, 20);
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('audio').currentTime > 1.0, null, { timeout: 10000 });
  const a = await page.evaluate(() => ({ t: document.getElementById('audio').currentTime, x: parseFloat(document.getElementById('lane-cursor').style.left) }));
  await page.waitForTimeout(700);
  const b = await page.evaluate(() => ({ t: document.getElementById('audio').currentTime, x: parseFloat(document.getElementById('lane-cursor').style.left), paused: document.getElementById('audio').paused }));
  assert.equal(b.paused, false);
  assert.ok(b.t > a.t + 0.3, `currentTime went from ${a.t} to ${b.t}`);
  assert.ok(b.x > a.x, `the cursor went from x=${a.x} to x=${b.x}`);
  await shot(page, '3-playing');
  await page.click('#play'); // pause
});

test('seeking to 60 s plays from 60 s', async () => {
  await page.evaluate(() => window.timesidePlayer.peaks.player.seek(60));
  await page.evaluate(() => window.timesidePlayer.peaks.player.play());
  await page.waitForFunction(() => document.getElementById('audio').currentTime > 60.5, null, { timeout: 10000 });
  const t = await page.evaluate(() => document.getElementById('audio').currentTime);
  assert.ok(t > 60.5 && t < 62.5, `currentTime is ${t}`);
  assert.ok(http.log.some((r) => r.path.endsWith('.preview.mp3') && r.range), 'the audio was read with Range requests');
  await shot(page, '4-seek-60');
  await page.evaluate(() => window.timesidePlayer.peaks.player.pause());
});

let made;
test('dragging on the waveform creates an annotation at the dragged times', async () => {
  const { start, end } = await showRange(page, 0, 20);
  await page.locator('#zoomview').scrollIntoViewIfNeeded();
  const box = await page.evaluate(() => {
    const r = document.querySelector('#zoomview canvas').getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  });
  const x0 = box.left + 200;
  const x1 = box.left + 500;
  const y = box.top + box.height / 2;
  await page.mouse.move(x0, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 10, y);
  await page.mouse.up();
  await page.waitForSelector('#items li[data-kind="segment"]');
  made = await page.evaluate(() => {
    const li = document.querySelector('#items li[data-kind="segment"]');
    return { start: Number(li.dataset.start), end: Number(li.dataset.end) };
  });
  // the times of those pixels, as the zoom view maps them (its scale: samples per pixel)
  const want = await page.evaluate(([a, b]) => {
    const v = window.timesidePlayer.peaks.views.getView('zoomview');
    return { t0: v.pixelOffsetToTime(a), t1: v.pixelOffsetToTime(b), perPx: v.pixelsToTime(1) };
  }, [200, 500]);
  const { t0, t1, perPx } = want;
  assert.ok(Math.abs(t0 - (start + 200 * ((end - start) / box.width))) <= perPx, 'the lanes map x to time as the zoom view does');
  assert.ok(Math.abs(made.start - t0) <= perPx, `start ${made.start} s, dragged from ${t0.toFixed(4)} s (1 px = ${perPx.toFixed(4)} s)`);
  assert.ok(Math.abs(made.end - t1) <= perPx, `end ${made.end} s, dragged to ${t1.toFixed(4)} s`);
  // label it through the editor
  await page.fill('#ann-label', 'verse');
  await page.press('#ann-label', 'Enter');
  await page.locator('#ann-label').blur();
  await page.waitForFunction(() => document.querySelector('#items li')?.textContent.includes('verse'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '5-annotated');
});

test('reloading shows the annotation again (kept in localStorage)', async () => {
  await page.reload();
  await ready(page);
  await page.waitForSelector('#items li[data-kind="segment"]');
  const again = await page.evaluate(() => {
    const li = document.querySelector('#items li[data-kind="segment"]');
    return { start: Number(li.dataset.start), end: Number(li.dataset.end), text: li.textContent };
  });
  assert.equal(again.start, made.start);
  assert.equal(again.end, made.end);
  assert.match(again.text, /verse/);
  const segs = await page.evaluate(() => window.timesidePlayer.peaks.segments.getSegments().length);
  assert.equal(segs, 1);
  await shot(page, '6-reloaded');
});

// Pixel x (page coordinates) of time t in the zoom view, and the duration of one pixel
async function zoomGeometry(p) {
  return p.evaluate(() => {
    const v = window.timesidePlayer.peaks.views.getView('zoomview');
    const r = document.querySelector('#zoomview canvas').getBoundingClientRect();
    return { left: r.left, top: r.top, height: r.height, start: v.getStartTime(), perPx: v.pixelsToTime(1) };
  });
}

async function drag(p, x0, x1, y) {
  await p.mouse.move(x0, y);
  await p.mouse.down();
  for (let i = 1; i <= 8; i++) await p.mouse.move(x0 + ((x1 - x0) * i) / 8, y);
  await p.mouse.up();
}

const itemsOf = (p) => p.evaluate(() => [...document.querySelectorAll('#items li')].map((li) => ({
  kind: li.dataset.kind, start: Number(li.dataset.start), end: Number(li.dataset.end), text: li.textContent })));

test('annotations: resize, move, a point by key, delete, export, a conflict shown, play', async () => {
  await showRange(page, 0, 20);
  await page.evaluate(() => window.scrollTo(0, 0));
  let g = await zoomGeometry(page);
  const y = g.top + g.height / 2;
  // resize: the end marker dragged 40 px to the right
  const xEnd = g.left + (made.end - g.start) / g.perPx;
  await drag(page, xEnd, xEnd + 40, y);
  await page.waitForFunction((e) => Number(document.querySelector('#items li').dataset.end) > e + 0.1, made.end);
  let [seg] = await itemsOf(page);
  assert.ok(Math.abs(seg.end - (made.end + 40 * g.perPx)) <= 1.5 * g.perPx, `resized to end at ${seg.end}`);
  assert.equal(seg.start, made.start);
  // move: with dragging set to scroll (d), the body dragged 50 px to the right
  await page.keyboard.press('d');
  assert.equal(await page.getAttribute('#drag-mode', 'aria-pressed'), 'false');
  const xMid = g.left + ((seg.start + seg.end) / 2 - g.start) / g.perPx;
  await drag(page, xMid, xMid + 50, y);
  await page.waitForFunction((s) => Number(document.querySelector('#items li').dataset.start) > s + 0.1, seg.start);
  const [moved] = await itemsOf(page);
  assert.ok(Math.abs(moved.start - seg.start - 50 * g.perPx) <= 1.5 * g.perPx, `moved from ${seg.start} to ${moved.start}`);
  assert.ok(Math.abs((moved.end - moved.start) - (seg.end - seg.start)) < 1e-6, 'moving keeps the length');
  await page.keyboard.press('d');
  seg = moved;
  // a point at the playhead, by key
  await page.evaluate(() => window.timesidePlayer.peaks.player.seek(15));
  await page.waitForFunction(() => Math.abs(document.getElementById('audio').currentTime - 15) < 0.01);
  await page.keyboard.press('m');
  await page.waitForSelector('#items li[data-kind="point"]');
  const point = (await itemsOf(page)).find((i) => i.kind === 'point');
  assert.ok(Math.abs(point.start - 15) < 0.01, `the point is at ${point.start}`);
  await shot(page, '6b-edited');
  // delete the point (it is selected): Delete
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => !document.querySelector('#items li[data-kind="point"]'));
  // export: ts-result JSON Lines of the track
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-jsonl')]);
  assert.equal(download.suggestedFilename(), 'item.flac.annotations.jsonl');
  const text = await readFile(await download.path(), 'utf8');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].schema, 'ts-result/1');
  assert.equal(lines[0].time_mode, 'segment');
  assert.deepEqual(lines[0].data.label, ['verse']);
  assert.ok(Math.abs(lines[0].data.time[0] - seg.start) < 1e-9 && Math.abs(lines[0].data.duration[0] - (seg.end - seg.start)) < 1e-9);
  // a save over one made meanwhile in another tab is refused and shown; "keep mine" saves
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('timeside.annotations'));
    const stored = JSON.parse(localStorage.getItem(key));
    stored.version += 1;
    stored.doc.tracks[0].items[0].label = 'theirs';
    localStorage.setItem(key, JSON.stringify(stored));
  });
  await page.click('#items li button');
  await page.fill('#ann-label', 'mine');
  await page.press('#ann-label', 'Enter');
  await page.waitForSelector('#conflict:not([hidden])');
  assert.match(await page.textContent('#conflict'), /another tab/);
  assert.match((await itemsOf(page))[0].text, /mine/, 'the page keeps its own annotation on screen');
  await shot(page, '6c-conflict');
  await page.click('#conflict .keep-mine');
  await page.waitForSelector('#conflict', { state: 'hidden' });
  const saved = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('timeside.annotations'));
    return JSON.parse(localStorage.getItem(key)).doc.tracks[0].items[0].label;
  });
  assert.equal(saved, 'mine');
  // play the segment: from its start, and within it
  await page.click('#ann-play');
  await page.waitForFunction(([a, b]) => {
    const el = document.getElementById('audio');
    return !el.paused && el.currentTime > a + 0.2 && el.currentTime < b;
  }, [seg.start, seg.end], { timeout: 10000 });
  await page.evaluate(() => window.timesidePlayer.peaks.player.pause());
});

test('keys: [ and ] zoom, arrows seek, space plays and pauses', async () => {
  await page.evaluate(() => document.activeElement?.blur());
  const span = () => page.evaluate(() => window.timesidePlayer.lanes.end - window.timesidePlayer.lanes.start);
  const before = await span();
  await page.keyboard.press(']');
  await page.waitForFunction((b) => window.timesidePlayer.lanes.end - window.timesidePlayer.lanes.start < b * 0.75, before);
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  await page.waitForFunction((b) => window.timesidePlayer.lanes.end - window.timesidePlayer.lanes.start > b * 1.25, before);
  await page.evaluate(() => window.timesidePlayer.peaks.player.seek(20));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => Math.abs(document.getElementById('audio').currentTime - 25) < 0.01);
  await page.keyboard.press('Shift+ArrowLeft');
  await page.waitForFunction(() => Math.abs(document.getElementById('audio').currentTime - 24) < 0.01);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !document.getElementById('audio').paused && document.getElementById('audio').currentTime > 24.2);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.getElementById('audio').paused);
  assert.match(await page.textContent('.keys'), /zoom out \/ in/);
});

test('a phone-sized viewport shows the player in one column', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const p = await phone.newPage();
  watch(p);
  await p.goto(`http://127.0.0.1:${http.port}/page/index.html?archive=/archive/&item=${ITEM}`);
  await ready(p);
  const widths = await p.evaluate(() => ({ doc: document.documentElement.scrollWidth, zoom: document.getElementById('zoomview').clientWidth }));
  assert.ok(widths.doc <= 390, `the page is ${widths.doc} px wide`);
  assert.ok(widths.zoom > 300, `the zoom view is ${widths.zoom} px wide`);
  await shot(p, '7-phone');
  await phone.close();
});

test('from file://, with no server, the page opens a chosen OUT folder', async () => {
  const local = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const p = await local.newPage();
  watch(p);
  await p.goto(pathToFileURL(join(page_dir, 'index.html')).href);
  await p.waitForFunction(() => document.body.dataset.state === 'start');
  await shot(p, '8-file-start');
  await p.setInputFiles('#open-folder', resolve(out));
  await ready(p);
  const zoom = await paintedPixels(p, '#zoomview');
  assert.ok(zoom.painted > zoom.total * 0.05, `zoom view: ${zoom.painted} of ${zoom.total} pixels painted`);
  const src = await p.evaluate(() => document.getElementById('audio').src);
  assert.match(src, /^blob:/);
  await p.evaluate(() => window.timesidePlayer.peaks.player.seek(35));
  await p.evaluate(() => window.timesidePlayer.peaks.player.play());
  await p.waitForFunction(() => document.getElementById('audio').currentTime > 35.3, null, { timeout: 10000 });
  await shot(p, '9-file-opened');
  await local.close();
});

test('no console error and no Content-Security-Policy violation', () => {
  assert.deepEqual(problems, []);
});
