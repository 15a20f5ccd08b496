// The player page: chooses a data source, opens a recording in peaks.js, keeps the lanes in step
// with the zoom view, and wires the controls and keys.
import { StaticSource, ApiSource, UrlFiles, PickedFiles, AuthError } from './sources.js';
import { lanesOf, factsOf, DEFAULT_LANES, formatTime } from './results.js';
import { Lanes } from './lanes.js';
import { Annotations } from './annotations.js';
import { AudioAdapter } from './audio.js';

const $ = (id) => document.getElementById(id);

const state = {
  source: null,
  item: null,
  peaks: null,
  lanes: null,
  annotations: null,
  duration: 0,
  enabled: new Set(DEFAULT_LANES),
  available: [],
};
window.timesidePlayer = state; // for the console and the browser test

function status(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${kind}`;
}

function fail(e) {
  if (e instanceof AuthError && state.source instanceof ApiSource) {
    showSignIn(e);
    return;
  }
  // With anonymous reads a private item is 404 to a visitor without a session: sign in
  if (e.status === 404 && state.source instanceof ApiSource && !state.signedIn) {
    state.source.session().then((s) => (s ? failed(e) : showSignIn(e)), () => failed(e));
    return;
  }
  failed(e);
}

function failed(e) {
  console.error(e);
  status(e.message || String(e), 'error');
  document.body.dataset.state = 'error';
}

// The .dat header (audiowaveform's binary format): version, flags, rate, samples per pixel,
// length (then, in version 2, channels).
function datHeader(buf) {
  const v = new DataView(buf);
  if (buf.byteLength < 20) throw new Error('the .dat file is too short');
  const version = v.getInt32(0, true);
  const flags = v.getUint32(4, true);
  if (version !== 1 && version !== 2) throw new Error(`the .dat file has version ${version}, not 1 or 2`);
  if (!(flags & 1)) throw new Error('the .dat file has 16-bit peaks; peaks.js reads 8-bit ones (archive.mk DAT_BITS=8)');
  return { rate: v.getInt32(8, true), spp: v.getInt32(12, true), length: v.getUint32(16, true) };
}

function zoomLevels(header, width) {
  const levels = [];
  const fit = (header.length * header.spp) / Math.max(1, width);
  for (let s = header.spp; ; s *= 2) {
    levels.push(s);
    if (s >= fit || levels.length > 24) break;
  }
  return levels;
}

// The API answered 401: a private item, or no session (or one that ended). The form exchanges
// a token for the session cookie, then the item is opened again.
function showSignIn(e) {
  const source = state.source;
  $('signin').hidden = false;
  $('start').hidden = true;
  $('player').hidden = true;
  $('side').hidden = true;
  $('signed-in').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = true;
  $('signin-status').textContent = state.signInTried ? e.message : '';
  $('signin-why').textContent = e.message === 'sign in to annotate'
    ? 'Sign in with a token of this server to annotate this recording.'
    : 'This recording is not public (or not here): sign in with a token of this server to listen to it and annotate it.';
  document.body.dataset.state = 'signin';
  $('signin-token').focus();
  $('signin-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const token = $('signin-token').value.trim();
    if (!token) return;
    $('signin-submit').disabled = true;
    state.signInTried = true;
    try {
      await source.signIn(token);
      state.signedIn = true;
      $('signin-token').value = '';
      $('signin').hidden = true;
      await openSource(source, state.wanted);
    } catch (err) {
      $('signin-status').textContent = err.message;
      $('signin-status').className = 'status error';
      if (!(err instanceof AuthError)) document.body.dataset.state = 'signin';
    } finally {
      $('signin-submit').disabled = false;
    }
  };
}

async function showSession(source) {
  const s = await source.session();
  state.signedIn = !!s;
  $('signed-in').hidden = !s;
  $('sign-out').hidden = !s;
  // a public item read without a session (--anonymous-reads): signing in lets one annotate
  $('sign-in').hidden = !!s;
  $('sign-in').onclick = () => {
    state.peaks?.player.pause();
    showSignIn(new AuthError('sign in to annotate'));
  };
  if (!s) return;
  $('signed-in').textContent = `Signed in as ${s.user}`;
  $('sign-out').onclick = async () => {
    await source.signOut();
    state.signedIn = false;
    state.peaks?.player.pause();
    state.signInTried = false;
    showSignIn(new AuthError('signed out'));
  };
}

async function openSource(source, wanted) {
  state.source = source;
  state.wanted = wanted;
  $('source').textContent = source.label;
  const items = await source.listItems();
  if (!items.length) throw new Error(`${source.label}: no recording (no .dat file) found`);
  const select = $('item');
  select.replaceChildren(...items.map((i) => new Option(i.name, i.name)));
  select.parentElement.hidden = items.length < 2;
  const name = wanted && items.some((i) => i.name === wanted) ? wanted : items[0].name;
  select.value = name;
  select.onchange = () => openItem(select.value).catch(fail);
  await openItem(name);
}

async function openItem(name) {
  document.body.dataset.state = 'loading';
  status(`Opening ${name}…`);
  const item = await state.source.openItem(name);
  state.item = item;
  if (state.source instanceof ApiSource) showSession(state.source).catch(() => {});
  $('start').hidden = true;
  $('player').hidden = false;
  $('side').hidden = false;
  document.title = `${item.title || name} – TimeSide player`;

  const header = datHeader(item.dat);
  state.header = header;
  state.duration = item.info?.duration || (header.length * header.spp) / header.rate;

  const audio = $('audio');
  if (state.peaks) {
    state.peaks.destroy();
    state.peaks = null;
  }
  $('audio-file').parentElement.hidden = !!item.audioUrl;
  if (item.audioUrl) audio.src = item.audioUrl;
  else {
    audio.removeAttribute('src');
    status('No preview in the folder: choose the recording\'s audio file to listen.', 'error');
  }

  const zoomview = $('zoomview');
  const peaks = await new Promise((resolve, reject) => {
    window.peaks.init({
      zoomview: { container: zoomview, waveformColor: '#7fd1ff', playedWaveformColor: '#b9e6ff',
        playheadColor: '#ff6b6b', axisLabelColor: '#e8e8e8', axisGridlineColor: '#3a4048',
        wheelMode: 'scroll', showPlayheadTime: true },
      overview: { container: $('overview'), waveformColor: '#6a8fa8', playedWaveformColor: '#9fc4dd',
        playheadColor: '#ff6b6b', axisLabelColor: '#e8e8e8', axisGridlineColor: '#3a4048',
        highlightColor: '#ffffff', highlightOpacity: 0.2 },
      player: new AudioAdapter(audio, state.duration),
      waveformData: { arraybuffer: item.dat },
      zoomLevels: zoomLevels(header, zoomview.clientWidth),
      keyboard: false,
      emitCueEvents: false,
      segmentOptions: { markers: true, overlay: false, startMarkerColor: '#e8a33d', endMarkerColor: '#e8a33d' },
    }, (err, p) => (err ? reject(new Error(`peaks.js: ${err.message}`)) : resolve(p)));
  });
  state.peaks = peaks;
  const view = peaks.views.getView('zoomview');
  view.setWaveformDragMode(dragAnnotates ? 'insert-segment' : 'scroll');
  view.enableSegmentDragging(true); // a segment's body moves it (in scroll mode), its ends resize it
  view.setSegmentDragMode('overlap');
  view.setZoom({ seconds: Math.min(state.duration, 30) });

  state.lanes = new Lanes($('lanes'), state.duration);
  state.available = [];
  showFacts([], item.info);
  peaks.on('zoomview.update', ({ startTime, endTime }) => {
    state.lanes.setRange(startTime, endTime);
    moveCursor();
  });

  // annotations
  state.annotations = new Annotations({
    peaks, store: state.source.annotationStore(name), item: name, status,
    panel: {
      tracks: $('tracks'), items: $('items'), conflict: $('conflict'),
      newTrack: $('new-track'), exportJsonl: $('export-jsonl'), exportLabels: $('export-labels'),
      editor: { form: $('editor'), label: $('ann-label'), description: $('ann-description'),
        start: $('ann-start'), end: $('ann-end'), play: $('ann-play'), remove: $('ann-delete') },
    },
    onPlay: () => peaks.player.play(),
  });
  state.annotations.bindEditor();
  await state.annotations.load();

  for (const ev of ['player.timeupdate', 'player.seeked', 'player.playing', 'player.pause']) peaks.on(ev, tick);
  tick();
  performance.mark('waveform');
  document.body.dataset.state = 'waveform';

  // then the results: facts and lanes
  const shown = item.title || name;
  if (item.title) $('source').textContent = `${item.title} (${state.source.label})`;
  status(`${shown}: loading the results…`);
  // The spectrogram needs no result: its lane comes at once. A server that draws the visible
  // range is asked for that alone (the whole recording's image of a long one takes a while to
  // draw and is too coarse to show once zoomed in); a file is the whole image.
  if (item.spectrogram) {
    let image = null;
    if (!item.spectrogram.rangeUrl) {
      image = new Image();
      image.decoding = 'async';
      image.onload = () => state.lanes.draw();
      image.onerror = () => status(`${shown}: the spectrogram image did not load`, 'error');
      image.src = item.spectrogram.url;
    }
    state.available.push({ id: 'spectrogram', kind: 'spectrogram', title: 'Spectrogram', image,
      layout: item.spectrogram.layout, rangeUrl: item.spectrogram.rangeUrl });
    buildLaneChoice();
    state.lanes.setRange(view.getStartTime(), view.getEndTime());
  }
  const results = await item.loadResults();
  if (state.item !== item) return; // another recording was opened meanwhile
  showFacts(results, item.info);
  state.available.push(...lanesOf(results));
  buildLaneChoice();
  state.lanes.setRange(view.getStartTime(), view.getEndTime());
  performance.mark('ready');
  status(`${shown}: ${formatTime(state.duration)}, ${state.available.length} lanes available`, 'ok');
  document.body.dataset.state = 'ready';
}

// Global results (and ts-info's facts) in the facts table; the less common under "More"
function showFacts(results, info) {
  const facts = $('facts');
  const more = $('more-facts');
  facts.replaceChildren();
  more.replaceChildren();
  const rows = factsOf(results, info);
  more.parentElement.hidden = !rows.some((r) => r[2]);
  for (const [k, v, extra] of rows) {
    const tr = (extra ? more : facts).insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    tr.append(th);
    tr.insertCell().textContent = v;
  }
}

function buildLaneChoice() {
  const box = $('lane-choice');
  box.querySelectorAll('label').forEach((l) => l.remove());
  const ids = new Set(state.available.map((l) => l.id));
  // nothing of the defaults there: show the first few
  if (![...state.enabled].some((id) => ids.has(id))) state.available.slice(0, 4).forEach((l) => state.enabled.add(l.id));
  for (const lane of state.available) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.value = lane.id;
    cb.checked = state.enabled.has(lane.id);
    cb.onchange = () => {
      if (cb.checked) state.enabled.add(lane.id);
      else state.enabled.delete(lane.id);
      showLanes();
    };
    label.append(cb, ` ${lane.title}`);
    box.append(label);
  }
  showLanes();
}

function showLanes() {
  const lanes = state.lanes;
  lanes.clear();
  for (const lane of state.available) if (state.enabled.has(lane.id)) lanes.add(lane);
  lanes.draw();
}

// The red cursor over the lanes, at the playhead's x
function moveCursor() {
  const cursor = $('lane-cursor');
  const p = state.peaks;
  if (!p || !state.lanes) return;
  const t = p.player.getCurrentTime();
  const { start, end } = state.lanes;
  const width = $('zoomview').clientWidth;
  if (t < start || t > end) {
    cursor.hidden = true;
    return;
  }
  cursor.hidden = false;
  // +1: the zoom view's left border
  cursor.style.left = `${1 + ((t - start) / (end - start)) * width}px`;
  cursor.dataset.time = String(t);
}

function tick() {
  const p = state.peaks;
  if (!p) return;
  const t = p.player.getCurrentTime();
  $('time').textContent = `${formatTime(t)} / ${formatTime(state.duration)}`;
  const playing = !$('audio').paused;
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-label', playing ? 'Pause (space)' : 'Play (space)');
  moveCursor();
}

function animate() {
  if (state.peaks && !$('audio').paused) tick();
  requestAnimationFrame(animate);
}

let dragAnnotates = true;
function setDragMode(annotate) {
  dragAnnotates = annotate;
  const b = $('drag-mode');
  b.setAttribute('aria-pressed', String(annotate));
  b.textContent = annotate ? 'Drag: annotate' : 'Drag: scroll';
  b.setAttribute('aria-label', annotate ? 'Dragging on the waveform creates a segment (d toggles)' : 'Dragging on the waveform scrolls it (d toggles)');
  state.peaks?.views.getView('zoomview')?.setWaveformDragMode(annotate ? 'insert-segment' : 'scroll');
}

// Zoom by a factor around the view's centre, from one .dat column per pixel (the finest the
// peaks allow) to the whole recording. peaks.js's zoomIn/zoomOut step through its list of
// levels, which setZoom({seconds}) leaves behind.
function zoomBy(factor) {
  const p = state.peaks;
  if (!p) return;
  const view = p.views.getView('zoomview');
  const start = view.getStartTime();
  const end = view.getEndTime();
  const width = $('zoomview').clientWidth;
  const finest = (width * state.header.spp) / state.header.rate;
  const span = Math.min(state.duration, Math.max(finest, (end - start) * factor));
  const centre = (start + end) / 2;
  view.setZoom({ seconds: span });
  view.setStartTime(Math.max(0, Math.min(state.duration - span, centre - span / 2)));
}

function togglePlay() {
  const p = state.peaks;
  if (!p) return;
  if ($('audio').paused) p.player.play().catch((e) => status(`Cannot play: ${e.message}`, 'error'));
  else p.player.pause();
}

function seekBy(dt) {
  const p = state.peaks;
  if (!p) return;
  p.player.seek(Math.min(state.duration, Math.max(0, p.player.getCurrentTime() + dt)));
}

function onKey(e) {
  if (!state.peaks || e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = e.target.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
  const sel = state.annotations?.selected;
  const keys = {
    ' ': togglePlay,
    ArrowLeft: () => seekBy(e.shiftKey ? -1 : -5),
    ArrowRight: () => seekBy(e.shiftKey ? 1 : 5),
    '[': () => zoomBy(2),
    ']': () => zoomBy(0.5),
    Home: () => state.peaks.player.seek(0),
    End: () => state.peaks.player.seek(state.duration),
    d: () => setDragMode(!dragAnnotates),
    m: () => state.annotations.addPoint(state.peaks.player.getCurrentTime()),
    p: () => sel && state.annotations.play(sel),
    Delete: () => sel && state.annotations.remove(sel),
    Backspace: () => sel && state.annotations.remove(sel),
  };
  const f = keys[e.key];
  if (!f) return;
  if (e.key === ' ' && tag === 'BUTTON') return; // the button's own click
  e.preventDefault();
  f();
}

function wire() {
  $('play').onclick = togglePlay;
  $('zoom-in').onclick = () => zoomBy(0.5);
  $('zoom-out').onclick = () => zoomBy(2);
  $('drag-mode').onclick = () => setDragMode(!dragAnnotates);
  $('add-point').onclick = () => state.annotations?.addPoint(state.peaks.player.getCurrentTime());
  $('audio-file').onchange = (e) => {
    const f = e.target.files[0];
    if (f) {
      $('audio').src = URL.createObjectURL(f);
      status(`Listening to ${f.name}`, 'ok');
    }
  };
  $('audio').addEventListener('play', tick);
  $('audio').addEventListener('pause', tick);
  document.addEventListener('keydown', onKey);
  $('open-folder').onchange = (e) => {
    if (e.target.files.length) openSource(new StaticSource(new PickedFiles(e.target.files))).catch(fail);
  };
  // a folder dropped on the page
  const start = $('start');
  document.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('Files')) {
      e.preventDefault();
      start.classList.add('dragging');
    }
  });
  document.addEventListener('dragleave', () => start.classList.remove('dragging'));
  document.addEventListener('drop', async (e) => {
    if (!e.dataTransfer?.items?.length) return;
    e.preventDefault();
    start.classList.remove('dragging');
    try {
      const files = await droppedFiles(e.dataTransfer.items);
      await openSource(new StaticSource(new PickedFiles(files)));
    } catch (err) {
      fail(err);
    }
  });
  let resizing = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(() => {
      const p = state.peaks;
      if (!p) return;
      p.views.getView('zoomview')?.fitToContainer();
      p.views.getView('overview')?.fitToContainer();
      state.lanes?.draw();
      moveCursor();
    });
  });
  requestAnimationFrame(animate);
}

// Every file under the dropped entries, with relativePath set as the folder picker does.
async function droppedFiles(items) {
  const out = [];
  const walk = async (entry, path) => {
    if (entry.isFile) {
      const f = await new Promise((res, rej) => entry.file(res, rej));
      Object.defineProperty(f, 'relativePath', { value: path + f.name });
      out.push(f);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${path}${entry.name}/`);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  for (const e of entries) await walk(e, '');
  return out;
}

function main() {
  wire();
  const q = new URLSearchParams(location.search);
  // ts-serve serves this page at /player/{item} with <meta name="timeside-api"> naming its API
  const served = document.querySelector('meta[name="timeside-api"]');
  if (served) {
    const item = served.dataset.item;
    $('open-label').hidden = true; // the server's item, not a folder
    state.source = new ApiSource(served.content, { item });
    openSource(state.source, item).catch(fail);
  } else if (q.get('api')) {
    state.source = new ApiSource(q.get('api'));
    openSource(state.source, q.get('item')).catch(fail);
  } else if (q.get('archive')) {
    openSource(new StaticSource(new UrlFiles(q.get('archive')), { audio: q.get('audio') }), q.get('item')).catch(fail);
  } else {
    document.body.dataset.state = 'start';
  }
}

main();
