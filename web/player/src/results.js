// ts-result JSON Lines read into lanes and facts (see man ts-result.5).

// Results the page draws no lane for are skipped unparsed when they are large: matrices (MFCC,
// chroma, spectra: framewise values that are arrays) and the waveform's pairs, which make most
// of a results file's bytes and would cost the page their memory.
const SKIP_OVER = 1 << 16;
const MATRIX = /"value":\s*\[\s*\[/;

export function parseJsonLines(text, what) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (line.length > SKIP_OVER && MATRIX.test(line)) continue;
    out.push(parseLine(line, what, i + 1));
  }
  return out;
}

function parseLine(line, what, n) {
  try {
    return JSON.parse(line);
  } catch (e) {
    throw new Error(`${what}: line ${n}: ${e.message}`);
  }
}

// The same from a stream of bytes (a fetch body, a File's stream), line by line: a matrix's
// line is dropped as it arrives, so a 3-hour recording's results (hundreds of MB, most of
// them MFCC and chroma) never sit in memory whole.
export async function readJsonLines(stream, what) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const out = [];
  let parts = [];
  let length = 0;
  let skipping = false;
  let checked = false;
  let n = 0;
  const end = () => {
    n++;
    if (!skipping) {
      const line = parts.join('').trim();
      if (line && !(line.length > SKIP_OVER && MATRIX.test(line))) out.push(parseLine(line, what, n));
    }
    parts = [];
    length = 0;
    skipping = false;
    checked = false;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let from = 0;
    for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', from)) {
      if (!skipping) parts.push(value.slice(from, i));
      end();
      from = i + 1;
    }
    if (skipping || from >= value.length) continue;
    parts.push(value.slice(from));
    length += value.length - from;
    if (!checked && length > SKIP_OVER) {
      const head = parts.join('');
      checked = true;
      if (MATRIX.test(head)) {
        skipping = true;
        parts = [];
      } else parts = [head];
    }
  }
  end();
  return out;
}

// The lanes shown when the item has them, in this order; others can be switched on.
export const DEFAULT_LANES = [
  'spectrogram', 'pitch.f0', 'loudness.momentary', 'spectral.centroid',
  'onsets', 'tempo.beats', 'structure', 'speech', 'silence',
];

// Framewise results that are not one curve (matrices, the waveform's pairs) are left out:
// the spectrogram image and peaks.js show those.
export function lanesOf(results) {
  const lanes = [];
  const order = (id) => {
    const i = DEFAULT_LANES.indexOf(id);
    return i < 0 ? DEFAULT_LANES.length : i;
  };
  results = [...results].sort((a, b) => order(a.id) - order(b.id));
  for (const r of results) {
    const d = r.data || {};
    if (r.time_mode === 'framewise' && Array.isArray(d.value) && r.frames) {
      if (d.value.length && Array.isArray(d.value[0])) continue;
      lanes.push({ id: r.id, kind: 'curve', result: r, title: title(r) });
    } else if (r.time_mode === 'event' && Array.isArray(d.time)) {
      lanes.push({ id: r.id, kind: 'events', result: r, title: title(r) });
    } else if (r.time_mode === 'segment' && Array.isArray(d.time)) {
      lanes.push({ id: r.id, kind: 'segments', result: r, title: title(r) });
    }
  }
  return lanes;
}

function title(r) {
  return r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id;
}

// The time of framewise value i: its frame's start (ts-result's convention).
export function frameTime(r, i) {
  const start = r.audio?.start || 0;
  return start + (i * r.frames.step) / r.frames.rate;
}

// Pitch is 0 (or null) where unvoiced: those frames are gaps, not a line down to zero.
export function isGap(r, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return true;
  return r.id.startsWith('pitch') && r.unit === 'Hz' && v <= 0;
}

const FACTS = [
  ['tempo.bpm', 'Tempo', (v) => `${v.toFixed(1)} BPM`],
  ['key', 'Key', null],
  ['loudness.integrated', 'Loudness', (v) => `${v.toFixed(1)} LUFS`],
  ['loudness.range', 'Loudness range', (v) => `${v.toFixed(1)} LU`],
  ['loudness.true_peak', 'True peak', (v) => `${v.toFixed(1)} dBTP`],
  ['level.peak', 'Peak', (v) => `${v.toFixed(1)} dBFS`],
  ['level.rms', 'RMS', (v) => `${v.toFixed(1)} dBFS`],
];

// Global results as [label, text, more] rows: the facts and well-known results, then (more =
// true) every other global result with a single value or label.
export function factsOf(results, info) {
  const rows = [];
  if (info) {
    if (info.duration) rows.push(['Duration', formatTime(info.duration)]);
    if (info.rate) rows.push(['Rate', `${info.rate} Hz`]);
    if (info.channels) rows.push(['Channels', String(info.channels)]);
    if (info.codec) rows.push(['Codec', String(info.codec)]);
  }
  const globals = new Map(results.filter((r) => r.time_mode === 'global').map((r) => [r.id, r]));
  for (const [id, label, fmt] of FACTS) {
    const r = globals.get(id);
    if (!r) continue;
    globals.delete(id);
    const d = r.data || {};
    if (d.label !== undefined) rows.push([label, String(d.label)]);
    else if (typeof d.value === 'number') rows.push([label, fmt ? fmt(d.value) : String(d.value)]);
  }
  for (const r of globals.values()) {
    const d = r.data || {};
    if (typeof d.label === 'string') rows.push([r.name || r.id, d.label, true]);
    else if (typeof d.value === 'number') {
      const v = Number.isInteger(d.value) ? String(d.value) : d.value.toPrecision(4);
      rows.push([r.name || r.id, r.unit ? `${v} ${r.unit}` : v, true]);
    }
  }
  return rows;
}

export function formatTime(t) {
  if (!Number.isFinite(t)) return '–';
  const sign = t < 0 ? '-' : '';
  t = Math.abs(t);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = s.toFixed(2).padStart(5, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}
