// The player's first view and memory over a long recording, in Debian's Chromium:
//   node bench/first-view.js OUT ITEM [SECONDS]
// loads the page over loopback HTTP three times (no cache) and reports the median time from
// navigation to the waveform's first paint and to the lanes being drawn, with the bytes
// transferred by then; then zooms and scrolls at random for SECONDS (default 600) and reports
// the JS heap (after a garbage collection) at the start, each minute and at the end.
// Prints one JSON object.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../test/static-server.js';
import { launch, median, heapRun } from './lib.js';

const [out, item, secs = '600'] = process.argv.slice(2);
if (!out || !item) {
  console.error('usage: node bench/first-view.js OUT ITEM [SECONDS]');
  process.exit(2);
}
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const http = await serve({ '/page/': join(web, 'player'), '/archive/': resolve(out) });
const browser = await launch();
const url = `http://127.0.0.1:${http.port}/page/index.html?archive=/archive/&item=${encodeURIComponent(item)}`;
const bytes = () => http.log.reduce((n, e) => n + e.bytes, 0);

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

const { moves, heap_mib } = await heapRun(page, Number(secs));
const result = {
  duration: await page.evaluate(() => window.timesidePlayer.duration),
  waveform_ms: median(loads.map((l) => l.waveform)),
  ready_ms: median(loads.map((l) => l.ready)),
  bytes_waveform: median(loads.map((l) => l.bytesWaveform)),
  bytes_ready: median(loads.map((l) => l.bytesReady)),
  loads,
  moves,
  seconds: Number(secs),
  heap_mib,
  chromium: browser.version(),
};
console.log(JSON.stringify(result));
await browser.close();
http.server.close();
