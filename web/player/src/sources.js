// Where the player's data comes from: an archive's OUT folder (static files) or ts-serve's API.
//
// Both give the same small interface, which is all the rest of the page uses:
//   source.label                      what is open, for the title bar
//   source.writable                   whether annotations are kept by a server
//   await source.listItems()          [{name, duration}] of the recordings
//   await source.openItem(name)       {name, audioUrl, dat (ArrayBuffer), loadResults() (a
//                                     promise of the ts-result objects), spectrogram ({url,
//                                     layout, rangeUrl?} or null), info}
//   source.annotationStore(name)      {load(), save(doc, version)}: see annotations.js
import { readJsonLines } from './results.js';
import { LocalAnnotationStore, ApiAnnotationStore } from './store.js';
import { problemError } from './errors.js';

export { AuthError } from './errors.js';

// The layout of ts-graph's spectrogram images as the archive draws them by default: with axes,
// the plot is the image less 52 px on the left, 60 on the right (the colour bar), 22 above and
// below; a log frequency axis from 20 Hz to half the rate. An OUT folder drawn otherwise says so
// in player.json: {"spectrogram": {"axes": false, "scale": "linear", "fmin": 0, "fmax": 8000}}.
export const DEFAULT_SPECTROGRAM = { axes: true, scale: 'log', fmin: null, fmax: null };
const AXES_MARGINS = { left: 52, right: 60, top: 22, bottom: 22 };

export function spectrogramLayout(options, rate) {
  const o = { ...DEFAULT_SPECTROGRAM, ...(options || {}) };
  const scale = o.scale || 'log';
  const fmin = o.fmin ?? (scale === 'log' ? 20 : 0);
  const fmax = o.fmax ?? rate / 2;
  const margins = o.axes === false ? { left: 0, right: 0, top: 0, bottom: 0 } : AXES_MARGINS;
  return { scale, fmin, fmax, margins };
}

const PREVIEW_FORMATS = ['mp3', 'ogg', 'opus', 'm4a'];

// Files of an OUT folder reached by URL (a static HTTP server, or ts-serve's static route).
export class UrlFiles {
  constructor(base) {
    this.base = new URL(base.endsWith('/') ? base : base + '/', document.baseURI);
  }
  url(rel) {
    return new URL(rel.split('/').map(encodeURIComponent).join('/'), this.base).href;
  }
  async get(rel) {
    const r = await fetch(this.url(rel));
    if (!r.ok) throw new Error(`${rel}: ${r.status} ${r.statusText}`);
    return r;
  }
  async has(rel) {
    try {
      const r = await fetch(this.url(rel), { method: 'HEAD' });
      return r.ok;
    } catch {
      return false;
    }
  }
  async text(rel) {
    return (await this.get(rel)).text();
  }
  async stream(rel) {
    return (await this.get(rel)).body;
  }
  async arrayBuffer(rel) {
    return (await this.get(rel)).arrayBuffer();
  }
  list() {
    return null; // a static server lists nothing: the catalog names the items
  }
  describe() {
    return this.base.href;
  }
}

// Files of an OUT folder chosen in the page (folder picker or drop): no server at all, so the
// page works opened as a file:// URL, where the browser refuses fetch().
export class PickedFiles {
  constructor(files) {
    this.files = new Map();
    this.urls = new Map();
    let root = null;
    for (const f of files) {
      const path = f.webkitRelativePath || f.relativePath || f.name;
      const parts = path.split('/');
      if (parts.length > 1 && root === null) root = parts[0];
      // the chosen folder's own name comes first in webkitRelativePath: drop it
      const rel = parts.length > 1 && parts[0] === root ? parts.slice(1).join('/') : path;
      this.files.set(rel, f);
    }
    this.root = root || 'chosen files';
  }
  url(rel) {
    const f = this.files.get(rel);
    if (!f) return null;
    if (!this.urls.has(rel)) this.urls.set(rel, URL.createObjectURL(f));
    return this.urls.get(rel);
  }
  async has(rel) {
    return this.files.has(rel);
  }
  file(rel) {
    const f = this.files.get(rel);
    if (!f) throw new Error(`${rel}: not in the chosen folder`);
    return f;
  }
  async text(rel) {
    return this.file(rel).text();
  }
  async stream(rel) {
    return this.file(rel).stream();
  }
  async arrayBuffer(rel) {
    return this.file(rel).arrayBuffer();
  }
  list() {
    return [...this.files.keys()];
  }
  describe() {
    return this.root;
  }
}

// (a) An archive's OUT folder as ts-batch and archive.mk write it: per recording NAME (its
// path under SRC, extension included) NAME.dat (8-bit peaks), NAME.jsonl (results),
// NAME.spectrogram.png, NAME.info.json, NAME.preview.EXT (the browser's copy), and
// catalog.csv / catalog.jsonl for the whole archive. Read-only: annotations stay in the
// browser (localStorage) until exported.
export class StaticSource {
  constructor(files, options = {}) {
    this.files = files;
    this.audioOverride = options.audio || null;
    this.label = files.describe();
    this.writable = false;
    this.settings = null;
  }

  async playerSettings() {
    if (this.settings) return this.settings;
    this.settings = {};
    if (await this.files.has('player.json')) {
      try {
        this.settings = JSON.parse(await this.files.text('player.json'));
      } catch (e) {
        throw new Error(`player.json: ${e.message}`);
      }
    }
    return this.settings;
  }

  async listItems() {
    const listed = this.files.list();
    if (listed) {
      return listed
        .filter((p) => p.endsWith('.dat'))
        .map((p) => ({ name: p.slice(0, -4) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    }
    // over HTTP: catalog.csv's name column (the path under SRC)
    const csv = await this.files.text('catalog.csv');
    const rows = parseCsv(csv);
    const head = rows.shift() || [];
    const n = head.indexOf('name');
    const d = head.indexOf('duration');
    if (n < 0) throw new Error('catalog.csv: no name column');
    return rows.filter((r) => r[n]).map((r) => ({ name: r[n], duration: Number(r[d]) || null }));
  }

  async openItem(name) {
    const f = this.files;
    const settings = await this.playerSettings();
    const [dat, info] = await Promise.all([
      f.arrayBuffer(`${name}.dat`),
      f.has(`${name}.info.json`).then((ok) => (ok ? f.text(`${name}.info.json`).then(JSON.parse) : null)),
    ]);
    let audioUrl = this.audioOverride;
    if (!audioUrl) {
      for (const ext of PREVIEW_FORMATS) {
        if (await f.has(`${name}.preview.${ext}`)) {
          audioUrl = f.url(`${name}.preview.${ext}`);
          break;
        }
      }
    }
    // the .dat header's rate is the audio's
    const rate = info?.rate || new DataView(dat).getInt32(8, true) || 44100;
    let spectrogram = null;
    if (await f.has(`${name}.spectrogram.png`)) {
      spectrogram = {
        url: f.url(`${name}.spectrogram.png`),
        layout: spectrogramLayout(settings.spectrogram, rate),
      };
    }
    // the results come after the first paint: a long recording's file is large
    const loadResults = async () =>
      (await f.has(`${name}.jsonl`)) ? readJsonLines(await f.stream(`${name}.jsonl`), `${name}.jsonl`) : [];
    return { name, audioUrl, dat, loadResults, spectrogram, info };
  }

  annotationStore(name) {
    return new LocalAnnotationStore(`timeside.annotations:${this.label}:${name}`);
  }
}

// (b) ts-serve's API, /api/v1, with the browser's session cookie (sign-in: signIn()): GET
// items/{id} (facts), items/{id}/peaks.dat (8-bit peaks), items/{id}/media (the file, with
// Range: the cookie authenticates the <audio> element's requests too),
// items/{id}/spectrogram.png?start&end&width&height (drawn with axes for the visible range),
// items/{id}/results (the index) and each result as ts-result JSON Lines, and the annotation
// routes of store.js. A change sent with the cookie carries X-TimeSide-Request: 1.
export class ApiSource {
  constructor(base, options = {}) {
    this.base = new URL(base.endsWith('/') ? base : base + '/', document.baseURI);
    this.label = this.base.href;
    this.writable = true;
    this.only = options.item || null; // the page served for one item lists no other
  }
  url(path) {
    return new URL(path, this.base).href;
  }
  // A request of the API: JSON body, and the header every change made with the cookie needs.
  request(method, path, body, headers = {}) {
    const h = { ...headers };
    if (method !== 'GET' && method !== 'HEAD') h['X-TimeSide-Request'] = '1';
    if (body !== undefined) h['Content-Type'] = 'application/json';
    return fetch(this.url(path), { method, credentials: 'same-origin', headers: h,
      body: body === undefined ? undefined : JSON.stringify(body) });
  }
  async fetch(path, what) {
    const r = await this.request('GET', path);
    if (!r.ok) throw await problemError(r, what || path);
    return r;
  }
  // Exchanges a token for the session cookie (HttpOnly: this page never sees it).
  async signIn(token) {
    const r = await this.request('POST', 'session', { token });
    if (r.status !== 204) throw await problemError(r, 'signing in');
  }
  async signOut() {
    await this.request('DELETE', 'session');
  }
  async session() {
    const r = await this.request('GET', 'session');
    return r.ok ? r.json() : null;
  }
  async listItems() {
    if (this.only) return [{ name: this.only }];
    const items = [];
    for (let next = 'items?limit=200'; next && items.length < 2000;) {
      const body = await (await this.fetch(next, 'items')).json();
      items.push(...body.items.map((i) => ({ name: i.id, title: i.title, duration: i.duration })));
      next = body.next ? new URL(body.next, this.base).href : null;
    }
    return items;
  }
  async openItem(id) {
    const e = encodeURIComponent(id);
    const [info, dat] = await Promise.all([
      this.fetch(`items/${e}`, 'the item').then((r) => r.json()),
      this.fetch(`items/${e}/peaks.dat`, 'peaks').then((r) => r.arrayBuffer()),
    ]);
    // The index, then each result as ts-result JSON Lines (a matrix no lane shows is dropped
    // as it arrives, as from a file).
    const loadResults = async () => {
      const index = await (await this.fetch(`items/${e}/results`, 'the results')).json();
      const parts = await Promise.all(index.results.map(async (entry) => {
        const u = new URL(entry.links.self, this.base);
        u.searchParams.set('format', 'jsonl');
        const r = await fetch(u.href, { credentials: 'same-origin' });
        if (!r.ok) return [];
        return readJsonLines(r.body, `results/${entry.id}`);
      }));
      return parts.flat();
    };
    const rate = info.rate || 44100;
    const spec = this.url(`items/${e}/spectrogram.png`);
    return {
      name: id,
      title: info.title,
      audioUrl: this.url(`items/${e}/media`),
      dat,
      loadResults,
      spectrogram: {
        url: spec,
        layout: spectrogramLayout(null, rate),
        rangeUrl: (start, end, width, height) =>
          `${spec}?start=${start.toFixed(3)}&end=${(Math.floor(end * 1000) / 1000).toFixed(3)}&width=${Math.max(16, Math.min(4000, width))}&height=${Math.max(16, Math.min(2000, height))}`,
      },
      info,
    };
  }
  annotationStore(id) {
    return new ApiAnnotationStore(this, id);
  }
}

// RFC 4180 CSV, as archive-catalog writes it.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
