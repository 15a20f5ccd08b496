// The player's first view and memory as ts-serve serves it (/player/{id}), in Debian's Chromium:
//   node bench/first-view-serve.js BIN DATA RECORDING [SECONDS [EVERY]]
// starts BIN/ts-serve on loopback over the data folder DATA (made afresh), uploads RECORDING
// (private, as uploads are), runs a job of two analyzers (rms, level) for the result lanes,
// then signs in (the session cookie) and opens the page: once cold (the server renders the
// peaks and the visible spectrogram on demand, then keeps them), then three times more, each in
// a new browser context (no cache), whose median is reported. For each load: the time from
// navigation to the waveform's first paint (the "waveform" mark: peaks.js drew the zoom view
// and the overview), to interactive (the controls bound and the spectrogram of the visible
// range drawn, the "spectrogram" mark, whichever comes last) and to the lanes drawn from the
// results ("ready"), with the bytes received by each (CDP network events: headers and
// bodies, in total, by resource type and by path). Then zooms and scrolls at random for
// SECONDS (default 600), sampling the JS heap every EVERY seconds (default 60). Prints one
// JSON object; stops the server and the browser whatever happens.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, median, trackNetwork, summarize, heapRun } from './lib.js';

const [bin, data, recording, secs = '600', every = '60'] = process.argv.slice(2);
if (!bin || !data || !recording) {
  console.error('usage: node bench/first-view-serve.js BIN DATA RECORDING [SECONDS [EVERY]]');
  process.exit(2);
}
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serveBin = join(bin, 'ts-serve');
const now = () => performance.now();

let server;
let browser;
try {
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const token = execFileSync(serveBin, ['token', 'create', '--data', data, '--user', 'bench',
    '--scope', 'read,annotate,process', '--quiet'], { encoding: 'utf8' }).trim();
  server = spawn(serveBin, ['--data', data, '--listen', '127.0.0.1:0', '--quiet', '--player-dir', join(web, 'player')],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('ts-serve printed no URL within 20 s')), 20000);
    server.stdout.once('data', (d) => {
      clearTimeout(timer);
      res(String(d).trim().split('\n')[0]);
    });
    server.once('exit', (c) => rej(new Error(`ts-serve exited ${c}`)));
  });
  const api = async (method, path, body, type) => {
    const r = await fetch(`${base}/api/v1/${path}`, { method, body,
      headers: { Authorization: `Bearer ${token}`, ...(type ? { 'Content-Type': type } : {}) } });
    const json = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };

  let t = now();
  const up = await api('POST', `items?title=${encodeURIComponent(basename(recording))}`, readFileSync(recording),
    'application/octet-stream');
  const uploadS = (now() - t) / 1000;
  t = now();
  const job = await api('POST', 'jobs', JSON.stringify({ items: [up.id], analyzers: ['rms', 'level'] }), 'application/json');
  for (;;) {
    const j = await api('GET', `jobs/${job.id}`);
    if (j.state === 'done') break;
    if (['failed', 'canceled'].includes(j.state)) throw new Error(`the job is ${j.state}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const jobS = (now() - t) / 1000;

  browser = await launch();
  const url = `${base}/player/${up.id}`;
  let page;
  let context;
  const load = async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const signIn = await context.request.post(`${base}/api/v1/session`,
      { data: { token }, headers: { 'X-TimeSide-Request': '1' } });
    if (signIn.status() !== 204) throw new Error(`signing in: ${signIn.status()}`);
    page = await context.newPage();
    const net = await trackNetwork(page);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'error' ||
      (document.body.dataset.state === 'ready' && performance.getEntriesByName('spectrogram').length),
    null, { timeout: 900000, polling: 50 });
    if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready') throw new Error(await page.textContent('#status'));
    const { origin, marks } = await page.evaluate(() => ({ origin: performance.timeOrigin,
      marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])) }));
    const interactive = Math.max(marks.waveform, marks.spectrogram);
    const at = (ms) => summarize(net.finished(origin + ms));
    const responses = net.finished().map((r) => ({ path: new URL(r.url).pathname + new URL(r.url).search, type: r.type,
      bytes: r.bytes, end_ms: +(r.end - origin).toFixed(0) })).sort((a, b) => a.end_ms - b.end_ms);
    await net.close();
    return { waveform: marks.waveform, interactive, ready: marks.ready,
      bytes: { waveform: at(marks.waveform), interactive: at(interactive), ready: at(marks.ready) }, responses };
  };
  const cold = await load();
  const loads = [await load(), await load(), await load()];
  const { moves, heap_mib } = await heapRun(page, Number(secs), Number(every));
  const pick = (f) => median(loads.map(f));
  const mid = loads.find((l) => l.interactive === pick((l) => l.interactive));
  console.log(JSON.stringify({
    duration: await page.evaluate(() => window.timesidePlayer.duration),
    recording_bytes: readFileSync(recording).length,
    upload_s: +uploadS.toFixed(1),
    job_s: +jobS.toFixed(1),
    cold,
    waveform_ms: pick((l) => l.waveform),
    interactive_ms: pick((l) => l.interactive),
    ready_ms: pick((l) => l.ready),
    bytes_waveform: pick((l) => l.bytes.waveform.total),
    bytes_interactive: pick((l) => l.bytes.interactive.total),
    bytes_ready: pick((l) => l.bytes.ready.total),
    median_load: mid,
    loads,
    moves,
    seconds: Number(secs),
    every: Number(every),
    heap_mib,
    chromium: browser.version(),
  }));
} finally {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}
