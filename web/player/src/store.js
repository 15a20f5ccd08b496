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

// The server keeps the item's document at items/{item}/annotations; its ETag is the version,
// sent back in If-Match so that a save over someone else's is refused (412) rather than lost.
export class ApiAnnotationStore {
  constructor(api, item) {
    this.api = api;
    this.path = `items/${encodeURIComponent(item)}/annotations`;
  }
  async load() {
    const r = await fetch(this.api.url(this.path), { credentials: 'same-origin' });
    if (r.status === 404) return { doc: EMPTY(), version: null };
    if (!r.ok) throw new Error(`annotations: ${r.status} ${r.statusText}`);
    return { doc: await r.json(), version: r.headers.get('ETag') };
  }
  async save(doc, version) {
    const headers = { 'Content-Type': 'application/json' };
    if (version) headers['If-Match'] = version;
    else headers['If-None-Match'] = '*';
    const r = await fetch(this.api.url(this.path), {
      method: 'PUT',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify(doc),
    });
    if (r.status === 412) {
      const now = await this.load();
      throw new ConflictError('changed on the server since it was loaded', now.doc, now.version);
    }
    if (!r.ok) {
      let detail = r.statusText;
      try {
        detail = (await r.json()).detail || detail;
      } catch {
        // not problem+json
      }
      throw new Error(`saving annotations: ${r.status} ${detail}`);
    }
    return r.headers.get('ETag');
  }
}
