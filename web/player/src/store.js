import { problemError } from './errors.js';

// Where annotation tracks are kept: the browser's localStorage (static files) or the server.
//
// A store holds one document per item, {tracks: [{id, name, color, visible, items: [{id,
// kind: "segment"|"point", start, end, label, description}]}]}, with a version:
//   await store.load()                -> {doc, version}
//   await store.save(doc, version)    -> the new version, or throws ConflictError when the
//                                        stored document is no longer that version (another
//                                        tab or user saved in between); the error holds theirs.

export class ConflictError extends Error {
  constructor(message, theirs, version) {
    super(message);
    this.name = 'ConflictError';
    this.theirs = theirs;
    this.version = version;
  }
}

const EMPTY = () => ({ tracks: [] });

export class LocalAnnotationStore {
  constructor(key) {
    this.key = key;
  }
  read() {
    try {
      const raw = localStorage.getItem(this.key);
      if (raw) return JSON.parse(raw);
    } catch {
      // unreadable: start afresh, the page says nothing was kept
    }
    return { version: 0, doc: EMPTY() };
  }
  async load() {
    const { version, doc } = this.read();
    return { doc, version };
  }
  async save(doc, version) {
    const stored = this.read();
    if (stored.version !== version) {
      throw new ConflictError('saved meanwhile in another tab', stored.doc, stored.version);
    }
    const next = version + 1;
    localStorage.setItem(this.key, JSON.stringify({ version: next, doc }));
    return next;
  }
}

// ts-serve keeps tracks (items/{item}/annotation-tracks) and annotations
// (annotation-tracks/{track}/annotations, annotations/{id}), each with a version. The store's
// version is its snapshot of what the server held when last read or written: save() sends only
// the differences from it (POST what is new, PATCH what changed, DELETE what is gone), each
// change with If-Match on the version it was made from, so that a change over someone else's
// is refused (412) rather than lost: the page then gets a ConflictError with the server's
// document as it is now. The ids the page gave new objects are replaced by the server's
// (adopt()). The server keeps a track's title; colour and visibility stay on the page.
const COLOURS = ['#e8a33d', '#5fb3e8', '#7bd66b', '#e86b9a', '#b48ce8', '#e8e05f'];
const FIELDS = ['start', 'end', 'label', 'description'];
const tag = (kind, id, version) => `"${kind}-${id}-v${version}"`;

class Stale extends Error {}

export class ApiAnnotationStore {
  constructor(api, item) {
    this.api = api;
    this.item = item;
    this.alias = new Map(); // the page's id of a new object -> the server's
    this.looks = new Map(); // track id -> {color, visible}: the page's own
  }

  async call(method, path, body, ifMatch) {
    const r = await this.api.request(method, path, body, ifMatch ? { 'If-Match': ifMatch } : {});
    if (r.status === 412) throw new Stale();
    if (!r.ok) throw await problemError(r, `${method} ${path}`);
    return r.status === 204 ? null : r.json();
  }

  async load() {
    const list = await this.call('GET', `items/${encodeURIComponent(this.item)}/annotation-tracks`);
    const tracks = await Promise.all(list.tracks.map((t) => this.call('GET', `annotation-tracks/${t.id}`)));
    const snap = { tracks: new Map(), items: new Map() };
    const doc = { tracks: [] };
    tracks.forEach((t, n) => {
      const look = this.looks.get(t.id) || { color: COLOURS[n % COLOURS.length], visible: true };
      this.looks.set(t.id, look);
      snap.tracks.set(t.id, { version: t.version, title: t.title });
      const items = (t.annotations || []).map((a) => {
        snap.items.set(a.id, { track: t.id, version: a.version, start: a.start, end: a.end,
          label: a.label, description: a.description });
        return { id: a.id, kind: a.end > a.start ? 'segment' : 'point', start: a.start, end: a.end,
          label: a.label, description: a.description };
      });
      doc.tracks.push({ id: t.id, name: t.title, ...look, items });
    });
    return { doc, version: snap };
  }

  resolve(id) {
    return this.alias.get(id) || id;
  }

  async save(doc, version) {
    const snap = version
      ? { tracks: new Map(version.tracks), items: new Map(version.items) }
      : { tracks: new Map(), items: new Map() };
    try {
      await this.apply(doc, snap);
    } catch (e) {
      if (!(e instanceof Stale)) throw e;
      const now = await this.load();
      throw new ConflictError('changed on the server since it was loaded', now.doc, now.version);
    }
    return snap;
  }

  async apply(doc, snap) {
    const bump = (track) => {
      const t = snap.tracks.get(track);
      if (t) t.version += 1; // each change of an annotation is one of its track
    };
    const wanted = new Set();
    for (const t of doc.tracks) {
      let tid = this.resolve(t.id);
      const known = snap.tracks.get(tid);
      if (!known) {
        const made = await this.call('POST', `items/${encodeURIComponent(this.item)}/annotation-tracks`,
          { title: t.name || 'Track' });
        this.alias.set(t.id, made.id);
        tid = made.id;
        snap.tracks.set(tid, { version: made.version, title: made.title });
      } else if (known.title !== t.name && t.name) {
        const n = await this.call('PATCH', `annotation-tracks/${tid}`, { title: t.name },
          tag('track', tid, known.version));
        snap.tracks.set(tid, { version: n.version, title: n.title });
      }
      this.looks.set(tid, { color: t.color, visible: t.visible });
      wanted.add(tid);
      for (const it of t.items) {
        let aid = this.resolve(it.id);
        const was = snap.items.get(aid);
        const fields = { start: it.start, end: it.kind === 'point' ? it.start : it.end,
          label: it.label || '', description: it.description || '' };
        if (!was) {
          const a = await this.call('POST', `annotation-tracks/${tid}/annotations`, fields);
          this.alias.set(it.id, a.id);
          aid = a.id;
          snap.items.set(aid, { track: tid, version: a.version, ...fields });
          bump(tid);
        } else if (FIELDS.some((f) => was[f] !== fields[f])) {
          const changed = Object.fromEntries(FIELDS.filter((f) => was[f] !== fields[f]).map((f) => [f, fields[f]]));
          const a = await this.call('PATCH', `annotations/${aid}`, changed, tag('annotation', aid, was.version));
          snap.items.set(aid, { track: tid, version: a.version, ...fields });
          bump(tid);
        }
        wanted.add(aid);
      }
    }
    // what the page no longer has: annotations first, then tracks (with theirs)
    for (const [aid, was] of [...snap.items]) {
      if (wanted.has(aid) || !wanted.has(was.track)) continue;
      await this.call('DELETE', `annotations/${aid}`, undefined, tag('annotation', aid, was.version));
      snap.items.delete(aid);
      bump(was.track);
    }
    for (const [tid, was] of [...snap.tracks]) {
      if (wanted.has(tid)) continue;
      await this.call('DELETE', `annotation-tracks/${tid}`, undefined, tag('track', tid, was.version));
      snap.tracks.delete(tid);
      for (const [aid, a] of [...snap.items]) if (a.track === tid) snap.items.delete(aid);
    }
  }

  // Gives the page's new objects the ids the server gave them.
  adopt(annotations) {
    let changed = false;
    const map = (id) => {
      const to = this.alias.get(id);
      if (to && to !== id) changed = true;
      return to || id;
    };
    for (const t of annotations.doc.tracks) {
      t.id = map(t.id);
      for (const it of t.items) it.id = map(it.id);
    }
    if (annotations.selected) annotations.selected = map(annotations.selected);
    if (annotations.current) annotations.current = map(annotations.current);
    return changed;
  }
}
