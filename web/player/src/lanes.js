// The lanes under the waveform: the spectrogram image, curves, events and segments, each a
// canvas of the zoom view's width, redrawn for the time range the zoom view shows.
import { frameTime, isGap } from './results.js';

// Readable on the dark background (WCAG contrast over 4.5:1 for text colours).
const CURVE_COLOUR = '#7fd1ff';
const EVENT_COLOUR = '#ffb454';
const TEXT_COLOUR = '#e8e8e8';
const SEGMENT_COLOURS = ['#3b6ea5', '#a5563b', '#4f8a3c', '#8a3c7a', '#8a7a2f', '#2f7a8a', '#6a5acd', '#9a4050'];

function colourOf(label) {
  let h = 0;
  for (const c of String(label)) h = (h * 31 + c.codePointAt(0)) >>> 0;
  return SEGMENT_COLOURS[h % SEGMENT_COLOURS.length];
}

export class Lanes {
  constructor(container, duration) {
    this.container = container;
    this.duration = duration;
    this.lanes = [];
    this.start = 0;
    this.end = duration;
  }

  clear() {
    this.container.replaceChildren();
    this.lanes = [];
  }

  // lane: {id, kind: 'spectrogram'|'curve'|'events'|'segments', title, result | image+layout}
  add(lane) {
    const row = document.createElement('div');
    row.className = `lane lane-${lane.kind}`;
    row.dataset.lane = lane.id;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${lane.title}, ${lane.kind}`);
    const name = document.createElement('span');
    name.className = 'lane-name';
    name.textContent = lane.title;
    row.append(canvas, name);
    this.container.append(row);
    const entry = { ...lane, row, canvas, source: lane };
    if (lane.kind === 'curve') entry.range = curveRange(lane.result);
    this.lanes.push(entry);
    return entry;
  }

  setRange(start, end) {
    this.start = start;
    this.end = end;
    this.draw();
    // a source that draws images for a time range (ts-serve) is asked for the visible one, once
    // the view rests; the image in hand is stretched over it meanwhile
    // (at once while a lane has none yet: the first view waits for no pause)
    clearTimeout(this.fetching);
    const first = this.lanes.some((l) => l.kind === 'spectrogram' && l.rangeUrl && !l.image);
    this.fetching = setTimeout(() => this.fetchImages(), first ? 0 : 200);
  }

  fetchImages() {
    for (const lane of this.lanes) {
      if (lane.kind !== 'spectrogram' || !lane.rangeUrl) continue;
      const { start, end } = this;
      const { margins } = lane.layout;
      const w = Math.round(lane.canvas.clientWidth * (window.devicePixelRatio || 1));
      const h = Math.round(lane.canvas.clientHeight * (window.devicePixelRatio || 1));
      if (!w || !h) continue;
      const t0 = Math.max(0, start);
      const t1 = Math.min(this.duration, end);
      if (lane.image && lane.imageStart === t0 && lane.imageEnd === t1) continue;
      const img = new Image();
      img.onload = () => {
        // kept by the lane offered too, for when the lanes are shown again
        for (const l of [lane, lane.source]) Object.assign(l, { image: img, imageStart: t0, imageEnd: t1 });
        this.drawLane(lane);
      };
      img.src = lane.rangeUrl(t0, t1, w + margins.left + margins.right, h + margins.top + margins.bottom);
    }
  }

  // x of time t in CSS pixels of a lane, the same mapping as the zoom view's
  x(t, width) {
    return ((t - this.start) / (this.end - this.start)) * width;
  }

  draw() {
    for (const lane of this.lanes) this.drawLane(lane);
  }

  drawLane(lane) {
    const { canvas } = lane;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (lane.kind === 'spectrogram') this.drawSpectrogram(ctx, lane, width, height);
    else if (lane.kind === 'curve') this.drawCurve(ctx, lane, width, height);
    else if (lane.kind === 'events') this.drawEvents(ctx, lane, width, height);
    else if (lane.kind === 'segments') this.drawSegments(ctx, lane, width, height);
  }

  drawSpectrogram(ctx, lane, width, height) {
    const img = lane.image;
    if (!img || !img.complete || !img.naturalWidth) return;
    const { margins, scale, fmin, fmax } = lane.layout;
    const pw = img.naturalWidth - margins.left - margins.right;
    const ph = img.naturalHeight - margins.top - margins.bottom;
    // the image covers [a, b): the whole recording, or the range it was drawn for; its column x
    // covers [x, x+1) * (b - a) / pw (ts-graph's rule)
    const a = lane.imageStart ?? 0;
    const b = lane.imageEnd ?? this.duration;
    const t0 = Math.max(a, this.start);
    const t1 = Math.min(b, this.end);
    if (t1 <= t0) return;
    const sx = margins.left + ((t0 - a) / (b - a)) * pw;
    const sw = ((t1 - t0) / (b - a)) * pw;
    const dx = this.x(t0, width);
    const dw = this.x(t1, width) - dx;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, sx, margins.top, sw, ph, dx, 0, dw, height);
    if (!this.spectrogramShown) {
      this.spectrogramShown = true;
      performance.mark('spectrogram'); // the first spectrogram on screen, for bench/player.sh
    }
    // frequency ticks
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const f of [100, 1000, 10000, 50, 500, 5000].slice(0, scale === 'log' ? 3 : 6)) {
      if (f <= fmin || f >= fmax) continue;
      const y = Math.min(height - 7, Math.max(7, freqY(f, lane.layout, height)));
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      ctx.fillRect(width - 48, y - 7, 48, 14);
      ctx.fillStyle = TEXT_COLOUR;
      ctx.fillText(f >= 1000 ? `${f / 1000} kHz` : `${f} Hz`, width - 44, y);
    }
  }

  drawCurve(ctx, lane, width, height) {
    const r = lane.result;
    const values = r.data.value;
    const { lo, hi, log } = lane.range;
    if (!(hi > lo)) return;
    const pad = 4;
    const y = (v) => {
      let u = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
      u = Math.min(1, Math.max(0, u));
      return pad + (1 - u) * (height - 2 * pad);
    };
    const step = r.frames.step / r.frames.rate;
    const t0 = r.audio?.start || 0;
    const i0 = Math.max(0, Math.floor((this.start - t0) / step) - 1);
    const i1 = Math.min(values.length - 1, Math.ceil((this.end - t0) / step) + 1);
    ctx.strokeStyle = CURVE_COLOUR;
    ctx.fillStyle = CURVE_COLOUR;
    ctx.lineWidth = 1.5;
    const perPixel = (i1 - i0) / width;
    if (perPixel > 2) {
      // more values than pixels: each column's minimum to maximum
      let col = -1;
      let mn = Infinity;
      let mx = -Infinity;
      const flush = () => {
        if (col >= 0 && mn <= mx) ctx.fillRect(col, y(mx), 1, Math.max(1, y(mn) - y(mx)));
      };
      for (let i = i0; i <= i1; i++) {
        const v = values[i];
        const c = Math.floor(this.x(frameTime(r, i), width));
        if (c !== col) {
          flush();
          col = c;
          mn = Infinity;
          mx = -Infinity;
        }
        if (isGap(r, v)) continue;
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
      flush();
    } else {
      ctx.beginPath();
      let drawing = false;
      for (let i = i0; i <= i1; i++) {
        const v = values[i];
        if (isGap(r, v)) {
          drawing = false;
          continue;
        }
        const px = this.x(frameTime(r, i), width);
        if (drawing) ctx.lineTo(px, y(v));
        else ctx.moveTo(px, y(v));
        drawing = true;
      }
      ctx.stroke();
    }
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = TEXT_COLOUR;
    ctx.textBaseline = 'top';
    const unit = r.unit ? ` ${r.unit}` : '';
    ctx.fillText(`${fmt(hi)}${unit}`, width - 70, 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText(`${fmt(lo)}${unit}`, width - 70, height - 2);
  }

  drawEvents(ctx, lane, width, height) {
    const d = lane.result.data;
    ctx.strokeStyle = EVENT_COLOUR;
    ctx.fillStyle = TEXT_COLOUR;
    ctx.lineWidth = 1;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (let i = 0; i < d.time.length; i++) {
      const t = d.time[i];
      if (t < this.start || t > this.end) continue;
      const px = Math.round(this.x(t, width)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, height);
      ctx.stroke();
      if (Array.isArray(d.label) && d.label[i]) ctx.fillText(String(d.label[i]), px + 2, 2);
    }
  }

  drawSegments(ctx, lane, width, height) {
    const d = lane.result.data;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < d.time.length; i++) {
      const a = d.time[i];
      const b = a + (d.duration?.[i] ?? 0);
      if (b < this.start || a > this.end) continue;
      const label = Array.isArray(d.label) ? d.label[i] : d.value?.[i];
      const x0 = Math.max(0, this.x(a, width));
      const x1 = Math.min(width, this.x(b, width));
      ctx.fillStyle = colourOf(label);
      ctx.fillRect(x0, 2, Math.max(1, x1 - x0 - 1), height - 4);
      ctx.fillStyle = '#ffffff';
      if (x1 - x0 > 20) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, 0, x1 - x0, height);
        ctx.clip();
        ctx.fillText(String(label ?? ''), x0 + 4, height - 8);
        ctx.restore();
      }
    }
  }
}

// y (CSS pixels from the lane's top) of frequency f in a spectrogram lane of that height
export function freqY(f, layout, height) {
  const { scale, fmin, fmax } = layout;
  let u;
  if (scale === 'log') u = Math.log(f / fmin) / Math.log(fmax / fmin);
  else if (scale === 'mel') {
    const mel = (x) => 2595 * Math.log10(1 + x / 700);
    u = (mel(f) - mel(fmin)) / (mel(fmax) - mel(fmin));
  } else u = (f - fmin) / (fmax - fmin);
  return (1 - u) * height;
}

function curveRange(r) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of r.data.value) {
    if (isGap(r, v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const log = r.unit === 'Hz' && lo > 0;
  // levels of silence (-200 dB and the like) would flatten the rest: 60 dB below the top
  if (/^(dB|LUFS)/.test(r.unit || '')) lo = Math.max(lo, hi - 60);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  return { lo, hi, log };
}

function fmt(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

