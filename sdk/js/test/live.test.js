// The SDK against a live ts-serve on loopback (TS_BIN: the folder of ts-serve and ts-gen):
// sign in with a token, upload the demo piece (as a Blob, as bytes, as a stream), read it back,
// list, patch, fetch its media with a Range, its peaks and a spectrogram through the URL
// builders; run the music preset on it and wait through the job's events, read its results;
// create, edit (a stale version: 412) and export an annotation track; a wrong token, a missing
// item and a refused upload give the typed errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { TimeSide, UnauthorizedError, NotFoundError, UploadRefusedError, ProblemError, ConflictError, JobCanceledError } from '../dist/index.js';

const bin = process.env.TS_BIN;
let tmp;
let server;
let baseUrl;
let token;
let demo;

before(async () => {
  assert.ok(bin, 'TS_BIN must name the folder of ts-serve and ts-gen');
  tmp = mkdtempSync(join(tmpdir(), 'timeside-sdk-'));
  const data = join(tmp, 'data');
  demo = join(tmp, 'demo.wav');
  execFileSync(join(bin, 'ts-gen'), ['demo', '--quiet', '--rate', '22050', '--duration', '10', '-o', demo]);
  token = execFileSync(join(bin, 'ts-serve'), ['token', 'create', '--data', data, '--user', 'alice', '--scope', 'read,annotate,process', '--quiet'], { encoding: 'utf8' }).trim();
  server = spawn(join(bin, 'ts-serve'), ['--data', data, '--listen', '127.0.0.1:0', '--workers', '1'], { stdio: ['ignore', 'pipe', process.env.TS_SERVE_LOG ? 'inherit' : 'ignore'] });
  const line = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('ts-serve printed no URL within 20 s')), 20000);
    createInterface({ input: server.stdout }).once('line', (l) => {
      clearTimeout(t);
      resolve(l.trim());
    });
    server.once('exit', (code) => reject(new Error(`ts-serve exited with status ${code}`)));
  });
  assert.match(line, /^http:\/\/127\.0\.0\.1:\d+$/);
  baseUrl = line;
});

after(() => {
  server?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('sign in with a token: me()', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const me = await ts.me();
  assert.equal(me.user, 'alice');
});

test('a wrong token is an UnauthorizedError with the problem details', async () => {
  const ts = new TimeSide({ baseUrl, token: 'not-a-token' });
  await assert.rejects(ts.me(), (e) => {
    assert.ok(e instanceof UnauthorizedError && e instanceof ProblemError);
    assert.equal(e.status, 401);
    assert.match(e.requestId || '', /^[0-9a-f]{16}$/);
    return true;
  });
});

let item;
test('upload a Blob, read it back, list it, patch it', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const blob = new Blob([readFileSync(demo)], { type: 'audio/wav' });
  item = await ts.upload(blob, { title: 'Demo', filename: 'demo.wav' });
  assert.equal(item.title, 'Demo');
  assert.equal(item.filename, 'demo.wav');
  assert.equal(item.rate, 22050);
  assert.equal(item.duration, 10);
  assert.equal((await ts.item(item.id)).sha1, item.sha1);
  const ids = [];
  for await (const i of ts.allItems()) ids.push(i.id);
  assert.ok(ids.includes(item.id));
  const patched = await ts.updateItem(item.id, { title: 'Demo piece' });
  assert.equal(patched.title, 'Demo piece');
});

test('upload bytes and a stream of known size', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const a = await ts.upload(new Uint8Array(readFileSync(demo)), { filename: 'bytes.wav' });
  const b = await ts.upload(Readable.toWeb(createReadStream(demo)), { filename: 'stream.wav', size: statSync(demo).size });
  assert.equal(a.sha1, item.sha1);
  assert.equal(b.sha1, item.sha1);
  await assert.rejects(ts.upload(Readable.toWeb(createReadStream(demo))), /needs its size/);
  await ts.deleteItem(a.id);
  await assert.rejects(ts.item(a.id), NotFoundError);
});

test('a file that is not audio is refused: UploadRefusedError (415)', async () => {
  const ts = new TimeSide({ baseUrl, token });
  await assert.rejects(ts.upload(new Blob(['not audio at all'.repeat(100)])), (e) => e instanceof UploadRefusedError && e.status === 415);
});

test('URL builders: media with a Range, peaks, a spectrogram of a range', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const wav = readFileSync(demo);
  const part = await ts.bytes(ts.mediaUrl(item.id), { headers: { Range: 'bytes=100-199' } });
  assert.deepEqual(Buffer.from(part), wav.subarray(100, 200));
  const dat = new DataView(await ts.bytes(ts.peaksUrl(item.id, { pixelsPerSecond: 50 })));
  assert.equal(dat.getUint32(4, true) & 1, 1, '8-bit peaks');
  assert.equal(dat.getInt32(8, true), 22050);
  assert.equal(dat.getUint32(16, true), 500, '10 s at 50 pixels per second');
  const png = Buffer.from(await ts.bytes(ts.imageUrl(item.id, 'spectrogram', { start: 2, end: 4, width: 300, height: 120 })));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 300);
  assert.equal(png.readUInt32BE(20), 120);
  assert.equal(ts.downloadUrl(item.id, 'mp3', { start: 1, end: 2 }), `${baseUrl}/api/v1/items/${item.id}/download/mp3?start=1&end=2`);
});

test('a music-preset job, waited for through its events; its results', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const job = await ts.createJob({ items: [item.id], preset: 'music' });
  assert.ok(['queued', 'running'].includes(job.state));
  const seen = [];
  const done = await ts.waitForJob(job.id, { onProgress: (j) => seen.push(j.state) });
  assert.equal(done.id, job.id);
  assert.equal(done.state, 'done');
  assert.equal(done.progress, 1);
  assert.equal(seen.at(-1), 'done');
  const order = ['queued', 'running', 'done'];
  assert.deepEqual(seen, [...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)), `states in order: ${seen}`);
  // waiting again on an ended job: its last state at once
  assert.equal((await ts.waitForJob(job.id)).state, 'done');
  const index = await ts.results(item.id);
  const ids = index.results.map((r) => r.id);
  for (const id of ['stats.samples', 'loudness.integrated', 'spectral.centroid', 'chroma']) assert.ok(ids.includes(id), `${id} in ${ids}`);
  const samples = JSON.parse((await ts.result(item.id, 'stats.samples')).trim().split('\n')[0]);
  assert.equal(samples.data.value, 220500, '10 s at 22050 Hz');
  assert.equal(samples.audio.rate, 22050);
});

test('a canceled job rejects waitForJob with JobCanceledError', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const noise = join(tmp, 'noise.wav');
  execFileSync(join(bin, 'ts-gen'), ['noise', '--quiet', '--rate', '22050', '--duration', '120', '-o', noise]);
  const other = await ts.upload(new Uint8Array(readFileSync(noise)), { filename: 'noise.wav' });
  // two jobs on one worker: the second waits behind the first (about 0.5 s), canceled at once
  const first = await ts.createJob({ items: [other.id], analyzers: ['structure', 'notes', 'pitch'] });
  const second = await ts.createJob({ items: [other.id], preset: 'minimal' });
  const waiting = assert.rejects(ts.waitForJob(second.id), (e) => e instanceof JobCanceledError && e.job.id === second.id && e.job.state === 'canceled');
  assert.equal((await ts.cancelJob(second.id)).state, 'canceled');
  await waiting;
  await ts.waitForJob(first.id).catch(() => {});
});

test('an annotation track: create, edit (a stale version is a ConflictError), export', async () => {
  const ts = new TimeSide({ baseUrl, token });
  const track = await ts.createAnnotationTrack(item.id, { title: 'Sections' });
  assert.equal(track.title, 'Sections');
  assert.match(ts.etag(track), /^".+"$/);
  const a = await ts.addAnnotation(track.id, { start: 1.5, end: 4.25, label: 'intro' });
  const edited = await ts.updateAnnotation(a, { label: 'opening', end: 4.5 });
  assert.deepEqual([edited.label, edited.start, edited.end, edited.version], ['opening', 1.5, 4.5, a.version + 1]);
  // the first version again: the server says 412, the SDK a ConflictError with its details
  await assert.rejects(ts.updateAnnotation(a, { label: 'lost' }), (e) => {
    assert.ok(e instanceof ConflictError, e);
    assert.equal(e.status, 412);
    assert.match(e.detail, /changed/);
    return true;
  });
  assert.equal((await ts.annotation(a.id)).label, 'opening');
  const renamed = await ts.updateAnnotationTrack(await ts.annotationTrack(track.id), { title: 'Form' });
  assert.equal(renamed.title, 'Form');
  await assert.rejects(ts.updateAnnotationTrack(track, { title: 'stale' }), ConflictError);
  await assert.rejects(ts.updateAnnotation({ id: a.id }, { label: 'x' }), /no ETag known/);
  const jsonl = (await ts.exportAnnotationTrack(track.id)).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(jsonl.length >= 1);
  assert.ok(JSON.stringify(jsonl).includes('opening'), JSON.stringify(jsonl));
  const audacity = await ts.exportAnnotationTrack(track.id, 'audacity');
  assert.match(audacity, /^1\.5\d*\t4\.5\d*\topening$/m);
  const list = await ts.annotationTracks(item.id);
  assert.ok(JSON.stringify(list).includes(track.id));
});
