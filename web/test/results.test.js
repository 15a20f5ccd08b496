// The results reader: the same objects from a stream in chunks of any size as from the whole
// text, large matrices left out, a bad line named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonLines, readJsonLines, lanesOf, isGap } from '../player/src/results.js';

const frames = { rate: 22050, block: 2048, step: 256 };
const lines = [
  { schema: 'ts-result/1', id: 'tempo.bpm', time_mode: 'global', data_mode: 'value', data: { value: 120 } },
  { schema: 'ts-result/1', id: 'pitch.f0', unit: 'Hz', time_mode: 'framewise', data_mode: 'value', frames,
    data: { value: Array.from({ length: 20000 }, (_, i) => (i % 7 ? 440 + i / 1000 : 0)) } },
  { schema: 'ts-result/1', id: 'mfcc', time_mode: 'framewise', data_mode: 'value', frames,
    data: { value: Array.from({ length: 10000 }, (_, i) => [i, -i, i / 3]) } },
  { schema: 'ts-result/1', id: 'mfcc.small', time_mode: 'framewise', data_mode: 'value', frames,
    data: { value: [[1, 2], [3, 4]] } },
  { schema: 'ts-result/1', id: 'structure', time_mode: 'segment', data_mode: 'label',
    data: { time: [0, 9], duration: [9, 21], label: ['A', 'B'] } },
];
const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

function streamOf(s, size) {
  const bytes = new TextEncoder().encode(s);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.subarray(at, at + size));
        at += size;
      }
    },
  });
}

test('a stream in chunks of any size reads as the whole text', async () => {
  const whole = parseJsonLines(text, 'r.jsonl');
  assert.deepEqual(whole.map((r) => r.id), ['tempo.bpm', 'pitch.f0', 'mfcc.small', 'structure']);
  for (const size of [97, 4096, 65536, 1 << 20]) {
    assert.deepEqual(await readJsonLines(streamOf(text, size), 'r.jsonl'), whole, `chunks of ${size}`);
  }
  // no final newline
  assert.deepEqual(await readJsonLines(streamOf(text.trimEnd(), 1000), 'r.jsonl'), whole);
});

test('a bad line is an error naming the file and the line', async () => {
  const bad = text + '{"id": oops}\n';
  await assert.rejects(readJsonLines(streamOf(bad, 100), 'r.jsonl'), /r\.jsonl: line 6: /);
  assert.throws(() => parseJsonLines(bad, 'r.jsonl'), /r\.jsonl: line 6: /);
});

test('lanes: curves, segments; unvoiced pitch frames are gaps', () => {
  const lanes = lanesOf(parseJsonLines(text, 'r.jsonl'));
  assert.deepEqual(lanes.map((l) => [l.id, l.kind]), [['pitch.f0', 'curve'], ['structure', 'segments']]);
  const pitch = lanes[0].result;
  assert.equal(isGap(pitch, 0), true);
  assert.equal(isGap(pitch, 440), false);
  assert.equal(isGap(pitch, null), true);
});
