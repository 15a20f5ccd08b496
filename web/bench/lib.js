// What the player's benchmarks share: Debian's Chromium, the bytes a page received (Chromium's
// network events, so the <audio> element's requests count too), and the JS heap over a long
// run of random zooming and scrolling.
import { chromium } from 'playwright-core';

export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

export function launch() {
  return chromium.launch({
    executablePath: process.env.TS_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// Every response of a page as CDP reports it: {url, type, bytes, end} with bytes as
// transferred (headers and body, encodedDataLength) and end in the page's wall-clock time
// (ms since the epoch), for comparing with performance.timeOrigin + a mark.
export async function trackNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map();
  let offset = null; // wall-clock seconds minus CDP's monotonic seconds
  cdp.on('Network.requestWillBeSent', (e) => {
    if (offset === null) offset = e.wallTime - e.timestamp;
    requests.set(e.requestId, { url: e.request.url, type: e.type || 'Other', bytes: 0, end: null });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.type = e.type || r.type;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    r.bytes = e.encodedDataLength;
    r.end = (e.timestamp + offset) * 1000;
  });
  await cdp.send('Network.enable');
  return {
    // the responses finished by wall-clock time t (all of them without t)
    finished(t = Infinity) {
      return [...requests.values()].filter((r) => r.end !== null && r.end <= t);
    },
    async close() {
      await cdp.detach().catch(() => {});
    },
  };
}

// Bytes of responses, in total and by Chromium's resource type (Document, Script, Fetch, Image,
// Media, ...) and by path.
export function summarize(responses) {
  const byType = {};
  const byPath = {};
  let total = 0;
  for (const r of responses) {
    const path = new URL(r.url).pathname;
    total += r.bytes;
    byType[r.type] = (byType[r.type] || 0) + r.bytes;
    byPath[path] = (byPath[path] || 0) + r.bytes;
  }
  return { total, byType, byPath };
}

// Zooms (the page's own [ and ] keys) and scrolls the zoom view at random, one move every
// 100 ms, for secs seconds; returns the JS heap after a garbage collection at the start, every
// `every` seconds and at the end, in MiB, and the number of moves.
export async function heapRun(page, secs, every = 60) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  };
  const heaps = [await heap()];
  const t0 = Date.now();
  let moves = 0;
  while (Date.now() - t0 < secs * 1000) {
    await page.evaluate((r) => {
      const v = window.timesidePlayer.peaks.views.getView('zoomview');
      const key = (k) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k }));
      if (r < 0.3) key(']'); // the page's own zoom, as the keys do it
      else if (r < 0.6) key('[');
      else v.setStartTime(((r - 0.6) / 0.4) * window.timesidePlayer.duration * 0.98);
    }, Math.random());
    await page.waitForTimeout(100);
    moves++;
    if ((Date.now() - t0) / (every * 1000) >= heaps.length) heaps.push(await heap());
  }
  heaps.push(await heap());
  await cdp.detach().catch(() => {});
  return { moves, heap_mib: heaps.map((h) => +(h / 1048576).toFixed(1)) };
}
