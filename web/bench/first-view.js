// The player's first view and memory over a long recording, in Debian's Chromium:
//   node bench/first-view.js OUT ITEM [SECONDS]
// loads the page over loopback HTTP three times (no cache) and reports the median time from
// navigation to the waveform's first paint and to the lanes being drawn, with the bytes
// transferred by then; then zooms and scrolls at random for SECONDS (default 600) and reports
// the JS heap (after a garbage collection) at the start, each minute and at the end.
// Prints one JSON object.
import { chromium } from 'playwright-core';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../test/static-server.js';

const [out, item, secs = '600'] = process.argv.slice(2);
if (!out || !item) {
  console.error('usage: node bench/first-view.js OUT ITEM [SECONDS]');
  process.exit(2);
}
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const http = await serve({ '/page/': join(web, 'player'), '/archive/': resolve(out) });
const browser = await chromium.launch({
  executablePath: process.env.TS_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const url = `http://127.0.0.1:${http.port}/page/index.html?archive=/archive/&item=${encodeURIComponent(item)}`;
const bytes = () => http.log.reduce((n, e) => n + e.bytes, 0);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const loads = [];
let page;
let context;
for (let i = 0; i < 3; i++) {
  await context?.close();
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  http.log.length = 0;
  await page.goto(url);
  await page.waitForFunction(() => ['waveform', 'ready', 'error'].includes(document.body.dataset.state), null, { timeout: 120000 });
  const bytesWaveform = bytes();
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 600000 });
  if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready') throw new Error(await page.textContent('#status'));
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
  const byPath = {};
  for (const e of http.log) byPath[e.path] = (byPath[e.path] || 0) + e.bytes;
  loads.push({ waveform: marks.waveform, ready: marks.ready, bytesWaveform, bytesReady: bytes(), byPath });
}

const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const heap = async () => {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
};
const heaps = [await heap()];
const t0 = Date.now();
let n = 0;
while (Date.now() - t0 < Number(secs) * 1000) {
  await page.evaluate((r) => {
    const v = window.timesidePlayer.peaks.views.getView('zoomview');
    const key = (k) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k }));
    if (r < 0.3) key(']'); // the page's own zoom, as the keys do it
    else if (r < 0.6) key('[');
    else v.setStartTime(((r - 0.6) / 0.4) * window.timesidePlayer.duration * 0.98);
  }, Math.random());
  await page.waitForTimeout(100);
  n++;
  if ((Date.now() - t0) / 60000 >= heaps.length) heaps.push(await heap());
}
heaps.push(await heap());
const result = {
  duration: await page.evaluate(() => window.timesidePlayer.duration),
  waveform_ms: median(loads.map((l) => l.waveform)),
  ready_ms: median(loads.map((l) => l.ready)),
  bytes_waveform: median(loads.map((l) => l.bytesWaveform)),
  bytes_ready: median(loads.map((l) => l.bytesReady)),
  loads,
  moves: n,
  seconds: Number(secs),
  heap_mib: heaps.map((h) => +(h / 1048576).toFixed(1)),
  chromium: browser.version(),
};
console.log(JSON.stringify(result));
await browser.close();
http.server.close();
