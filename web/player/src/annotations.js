// Annotation tracks: segments and points drawn on the zoom view (peaks.js segments and points),
// listed and edited in the side panel, kept by a store (store.js) and exported.
import { ConflictError } from './store.js';
import { formatTime } from './results.js';

const TRACK_COLOURS = ['#e8a33d', '#5fb3e8', '#7bd66b', '#e86b9a', '#b48ce8', '#e8e05f'];
let counter = 0;
const newId = (prefix) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export class Annotations {
  constructor({ peaks, store, item, panel, status, onPlay }) {
    this.peaks = peaks;
    this.store = store;
    this.item = item;
    this.panel = panel; // elements: tracks, items, editor fields...
    this.status = status; // (text, kind) -> void
    this.onPlay = onPlay;
    this.doc = { tracks: [] };
    this.version = null;
    this.current = null; // current track id
    this.selected = null; // selected item id
    this.saving = Promise.resolve();
    this.conflict = null;
  }

  async load() {
    const { doc, version } = await this.store.load();
    this.doc = doc && Array.isArray(doc.tracks) ? doc : { tracks: [] };
    this.version = version;
    this.current = this.doc.tracks[0]?.id || null;
    this.bindPeaks();
    this.render();
  }

  track(id = this.current) {
    return this.doc.tracks.find((t) => t.id === id) || null;
  }

  findItem(id) {
    for (const t of this.doc.tracks) {
      const it = t.items.find((i) => i.id === id);
      if (it) return { track: t, item: it };
    }
    return null;
  }

  addTrack(name) {
    const n = this.doc.tracks.length;
    const t = {
      id: newId('track'),
      name: name || `Track ${n + 1}`,
      color: TRACK_COLOURS[n % TRACK_COLOURS.length],
      visible: true,
      items: [],
    };
    this.doc.tracks.push(t);
    this.current = t.id;
    this.changed();
    return t;
  }

  currentTrack() {
    return this.track() || this.addTrack();
  }

  addSegment(start, end) {
    const t = this.currentTrack();
    if (!t.visible) t.visible = true;
    const it = { id: newId('seg'), kind: 'segment', start, end, label: '', description: '' };
    t.items.push(it);
    this.selected = it.id;
    this.changed();
    return it;
  }

  addPoint(time) {
    const t = this.currentTrack();
    if (!t.visible) t.visible = true;
    const it = { id: newId('pt'), kind: 'point', start: time, end: time, label: '', description: '' };
    t.items.push(it);
    this.selected = it.id;
    this.changed();
    return it;
  }

  remove(id) {
    for (const t of this.doc.tracks) t.items = t.items.filter((i) => i.id !== id);
    if (this.selected === id) this.selected = null;
    this.changed();
  }

  edit(id, fields) {
    const f = this.findItem(id);
    if (!f) return;
    Object.assign(f.item, fields);
    this.changed();
  }

  // peaks.js reports drags and inserts; the model is updated and everything redrawn from it
  bindPeaks() {
    const p = this.peaks;
    p.on('segments.insert', ({ segment }) => {
      const { startTime, endTime } = segment;
      p.segments.removeById(segment.id);
      if (endTime - startTime < 1e-3) {
        p.player.seek(startTime); // a click, not a drag
        return;
      }
      this.addSegment(startTime, endTime);
    });
    p.on('segments.dragend', ({ segment }) => {
      if (segment.annotation) this.edit(segment.annotation, { start: segment.startTime, end: segment.endTime });
    });
    p.on('points.dragend', ({ point }) => {
      if (point.annotation) this.edit(point.annotation, { start: point.time, end: point.time });
    });
    p.on('segments.click', ({ segment }) => {
      if (segment.annotation) this.select(segment.annotation);
    });
    p.on('points.click', ({ point }) => {
      if (point.annotation) this.select(point.annotation);
    });
  }

  select(id) {
    this.selected = id;
    this.renderPanel();
  }

  play(id) {
    const f = this.findItem(id);
    if (!f) return;
    const seg = this.peaks.segments.getSegment(`a:${id}`);
    if (seg && f.item.kind === 'segment') this.peaks.player.playSegment(seg);
    else {
      this.peaks.player.seek(f.item.start);
      this.onPlay?.();
    }
  }

  changed() {
    this.render();
    this.save();
  }

  save() {
    const doc = structuredClone(this.doc);
    this.saving = this.saving.then(async () => {
      if (this.conflict) return; // the user decides first
      try {
        this.version = await this.store.save(doc, this.version);
        if (this.store.adopt?.(this)) this.render(); // the server's ids for new objects
        this.status(this.store.constructor.name === 'LocalAnnotationStore' ? 'Annotations kept in this browser' : 'Annotations saved', 'ok');
      } catch (e) {
        if (e instanceof ConflictError) {
          this.conflict = e;
          this.showConflict(e);
        } else this.status(`Not saved: ${e.message}`, 'error');
      }
    });
    return this.saving;
  }

  // A conflict keeps this page's annotations on screen and asks: keep mine (save over
  // theirs, now that their version is known) or take theirs.
  showConflict(e) {
    const box = this.panel.conflict;
    box.hidden = false;
    box.querySelector('.conflict-text').textContent =
      `Annotations were ${e.message}. Yours are still here, not saved.`;
    box.querySelector('.keep-mine').onclick = () => {
      this.version = e.version;
      this.conflict = null;
      box.hidden = true;
      this.save();
    };
    box.querySelector('.take-theirs').onclick = () => {
      this.doc = e.theirs;
      this.version = e.version;
      this.conflict = null;
      box.hidden = true;
      if (!this.track()) this.current = this.doc.tracks[0]?.id || null;
      this.render();
    };
    this.status('Conflict: annotations changed elsewhere', 'error');
  }

  render() {
    const p = this.peaks;
    p.segments.removeAll();
    p.points.removeAll();
    const segs = [];
    const pts = [];
    for (const t of this.doc.tracks) {
      if (!t.visible) continue;
      for (const it of t.items) {
        if (it.kind === 'segment') {
          segs.push({ id: `a:${it.id}`, annotation: it.id, startTime: it.start, endTime: it.end,
            labelText: it.label || t.name, color: t.color, borderColor: t.color, editable: true });
        } else {
          pts.push({ id: `a:${it.id}`, annotation: it.id, time: it.start, labelText: it.label || t.name,
            color: t.color, editable: true });
        }
      }
    }
    if (segs.length) p.segments.add(segs);
    if (pts.length) p.points.add(pts);
    this.renderPanel();
  }

  renderPanel() {
    const { tracks, items, editor } = this.panel;
    tracks.replaceChildren();
    for (const t of this.doc.tracks) {
      const li = document.createElement('li');
      li.dataset.track = t.id;
      const shown = document.createElement('input');
      shown.type = 'checkbox';
      shown.checked = t.visible;
      shown.setAttribute('aria-label', `Show track ${t.name}`);
      shown.onchange = () => {
        t.visible = shown.checked;
        this.changed();
      };
      const cur = document.createElement('input');
      cur.type = 'radio';
      cur.name = 'current-track';
      cur.checked = t.id === this.current;
      cur.setAttribute('aria-label', `Annotate in track ${t.name}`);
      cur.onchange = () => {
        this.current = t.id;
        this.renderPanel();
      };
      const name = document.createElement('input');
      name.type = 'text';
      name.value = t.name;
      name.className = 'track-name';
      name.setAttribute('aria-label', 'Track name');
      name.onchange = () => {
        t.name = name.value;
        this.changed();
      };
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = t.color;
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = '×';
      del.title = `Delete track ${t.name}`;
      del.setAttribute('aria-label', `Delete track ${t.name}`);
      del.onclick = () => {
        if (t.items.length && !window.confirm(`Delete the track ${t.name} and its ${t.items.length} annotations?`)) return;
        this.doc.tracks = this.doc.tracks.filter((x) => x !== t);
        if (this.current === t.id) this.current = this.doc.tracks[0]?.id || null;
        this.changed();
      };
      li.append(shown, cur, swatch, name, del);
      tracks.append(li);
    }

    items.replaceChildren();
    const t = this.track();
    for (const it of t ? [...t.items].sort((a, b) => a.start - b.start) : []) {
      const li = document.createElement('li');
      li.dataset.item = it.id;
      li.dataset.kind = it.kind;
      li.dataset.start = String(it.start);
      li.dataset.end = String(it.end);
      if (it.id === this.selected) li.classList.add('selected');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'item-select';
      const when = it.kind === 'segment' ? `${formatTime(it.start)}–${formatTime(it.end)}` : formatTime(it.start);
      b.textContent = `${when} ${it.label || (it.kind === 'segment' ? '(segment)' : '(point)')}`;
      b.setAttribute('aria-label', `Select annotation ${b.textContent}`);
      b.onclick = () => this.select(it.id);
      li.append(b);
      items.append(li);
    }

    const sel = this.selected && this.findItem(this.selected);
    editor.form.hidden = !sel;
    if (sel) {
      const { item } = sel;
      editor.label.value = item.label || '';
      editor.description.value = item.description || '';
      editor.start.value = item.start.toFixed(3);
      editor.end.value = item.end.toFixed(3);
      editor.end.disabled = item.kind === 'point';
      editor.form.dataset.item = item.id;
    }
  }

  bindEditor() {
    const { editor } = this.panel;
    const id = () => editor.form.dataset.item;
    editor.form.onsubmit = (e) => e.preventDefault(); // Enter in a field only commits it
    editor.label.onchange = () => this.edit(id(), { label: editor.label.value });
    editor.description.onchange = () => this.edit(id(), { description: editor.description.value });
    editor.start.onchange = editor.end.onchange = () => {
      const f = this.findItem(id());
      if (!f) return;
      let s = Number(editor.start.value);
      let e = f.item.kind === 'point' ? s : Number(editor.end.value);
      if (!Number.isFinite(s) || !Number.isFinite(e)) return;
      if (e < s) [s, e] = [e, s];
      this.edit(id(), { start: s, end: e });
    };
    editor.play.onclick = () => this.play(id());
    editor.remove.onclick = () => this.remove(id());
    this.panel.newTrack.onclick = () => this.addTrack();
    this.panel.exportJsonl.onclick = () => this.download('jsonl');
    this.panel.exportLabels.onclick = () => this.download('txt');
  }

  // ts-result JSON Lines (one segment result and one event result per track), or Audacity
  // labels (start, end, label, tab-separated) of the current track.
  exportText(kind) {
    if (kind === 'txt') {
      const t = this.track();
      return (t ? t.items : [])
        .slice()
        .sort((a, b) => a.start - b.start)
        .map((i) => `${i.start.toFixed(6)}\t${i.end.toFixed(6)}\t${(i.label || '').replace(/[\t\n]/g, ' ')}`)
        .join('\n') + '\n';
    }
    const lines = [];
    for (const t of this.doc.tracks) {
      const segs = t.items.filter((i) => i.kind === 'segment').sort((a, b) => a.start - b.start);
      const pts = t.items.filter((i) => i.kind === 'point').sort((a, b) => a.start - b.start);
      const base = { schema: 'ts-result/1', analyzer: 'annotation', name: t.name, unit: 's', data_mode: 'label',
        audio: { source: this.item }, producer: { tool: 'timeside-player', version: '0.1.0' } };
      const id = `annotation.${t.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
      if (segs.length) {
        lines.push({ ...base, id, time_mode: 'segment', data: { time: segs.map((s) => s.start),
          duration: segs.map((s) => s.end - s.start), label: segs.map((s) => s.label || ''),
          description: segs.map((s) => s.description || '') } });
      }
      if (pts.length) {
        lines.push({ ...base, id: `${id}.points`, time_mode: 'event', data: { time: pts.map((s) => s.start),
          label: pts.map((s) => s.label || ''), description: pts.map((s) => s.description || '') } });
      }
    }
    return lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : '');
  }

  download(kind) {
    const text = this.exportText(kind);
    const blob = new Blob([text], { type: kind === 'txt' ? 'text/plain' : 'application/jsonl' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    const stem = this.item.replace(/[/\\]/g, '_');
    a.download = kind === 'txt' ? `${stem}.labels.txt` : `${stem}.annotations.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
}
