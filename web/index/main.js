// The index page: sign in, search the items (text, tag, collection; page by page, 20 a page),
// list the collections, and show the job queue kept live by the stream of every job's changes
// (GET /api/v1/jobs/events). Each item links to its player page, /player/{id}.
import { api, signIn, signOut, whoami } from './api.js';

const PAGE = 20;
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
};

const state = { cursors: [null], page: 0, next: null, stream: null, jobs: new Map() };

function status(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function duration(s) {
  if (s === null || s === undefined) return '';
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(sec).padStart(2, '0')}`;
}

// ---- the search, kept in the address (?q=&tag=&collection=) ------------------------------

function query() {
  const f = new FormData($('search'));
  const q = {};
  for (const k of ['q', 'tag', 'collection']) if (f.get(k)) q[k] = String(f.get(k)).trim();
  return q;
}

function keepInAddress(q) {
  const u = new URL(location.href);
  for (const k of ['q', 'tag', 'collection']) if (q[k]) u.searchParams.set(k, q[k]); else u.searchParams.delete(k);
  history.replaceState(null, '', u);
}

async function loadItems() {
  const q = query();
  keepInAddress(q);
  const p = new URLSearchParams({ ...q, limit: String(PAGE) });
  const cursor = state.cursors[state.page];
  if (cursor) p.set('cursor', cursor);
  $('items').setAttribute('aria-busy', 'true');
  try {
    const page = await api(`/api/v1/items?${p}`);
    state.next = page.next ? new URL(page.next, location.href).searchParams.get('cursor') : null;
    renderItems(page.items, q);
  } catch (e) {
    status(`Items: ${e.message}`, true);
  } finally {
    $('items').removeAttribute('aria-busy');
  }
}

function renderItems(items, q) {
  const list = $('items');
  list.replaceChildren(...items.map((it) => el('li', { 'data-id': it.id },
    el('a', { class: 'title', href: `/player/${encodeURIComponent(it.id)}` }, it.title || it.filename),
    el('span', { class: 'meta' }, [it.filename, duration(it.duration), it.owner].filter(Boolean).join(' · ')),
    el('span', { class: 'tags' }, ...it.tags.map((t) => el('button', {
      type: 'button', textContent: t, 'aria-label': `items tagged ${t}`, onclick: () => { $('tag').value = t; search(); },
    }))))));
  const filters = Object.entries(q).map(([k, v]) => (k === 'collection' ? `in ${$('collection').selectedOptions[0]?.textContent || v}` : `${k === 'q' ? 'matching' : 'tagged'} “${v}”`));
  $('count').textContent = items.length
    ? `${items.length}${state.next ? '+' : ''} item${items.length === 1 ? '' : 's'}${filters.length ? ` ${filters.join(', ')}` : ''}`
    : `No item${filters.length ? ` ${filters.join(', ')}` : ''}.`;
  $('page').textContent = `page ${state.page + 1}`;
  $('prev').disabled = state.page === 0;
  $('next').disabled = !state.next;
}

function search() {
  state.cursors = [null];
  state.page = 0;
  for (const b of $('collections').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.id === $('collection').value));
  return loadItems();
}

// ---- collections -------------------------------------------------------------------------

async function loadCollections() {
  const page = await api('/api/v1/collections?limit=200');
  const select = $('collection');
  const chosen = new URL(location.href).searchParams.get('collection') || '';
  select.replaceChildren(el('option', { value: '', textContent: 'all collections' }),
    ...page.collections.map((c) => el('option', { value: c.id, textContent: c.title })));
  select.value = chosen;
  $('collections').replaceChildren(...(page.collections.length ? page.collections.map((c) => el('li', {},
    el('button', {
      type: 'button', 'data-id': c.id, 'aria-pressed': String(c.id === chosen), 'aria-label': `show the items of ${c.title}`,
      onclick: () => { select.value = select.value === c.id ? '' : c.id; search(); },
    }, el('span', { textContent: c.title }), el('span', { class: 'count', textContent: `${c.item_count}` }))))
    : [el('li', { class: 'count', textContent: 'No collection.' })]));
}

// ---- the job queue -----------------------------------------------------------------------

function jobLine(job) {
  const r = job.request || {};
  const what = r.preset ? `${r.preset} preset` : (r.analyzers || []).join(', ') || 'job';
  const n = job.items.length;
  return `${what} over ${n} item${n === 1 ? '' : 's'}`;
}

function renderJob(job) {
  let li = $('jobs').querySelector(`li[data-id="${job.id}"]`);
  if (!li) {
    li = el('li', { 'data-id': job.id },
      el('span', { class: 'what' }), el('span', { class: 'state' }),
      el('span', { class: 'when' }), el('progress', { max: 1 }));
    $('jobs').prepend(li);
  }
  li.dataset.state = job.state;
  li.querySelector('.what').textContent = jobLine(job);
  const s = li.querySelector('.state');
  s.textContent = job.state;
  s.className = `state state-${job.state}`;
  li.querySelector('.when').textContent = `${job.id.slice(0, 8)} · ${job.created.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}${job.error ? ` · ${job.error}` : ''}`;
  const bar = li.querySelector('progress');
  bar.value = job.progress;
  bar.setAttribute('aria-label', `job ${job.id.slice(0, 8)}: ${Math.round(job.progress * 100)} %`);
  // at most 30 jobs shown, the newest first
  while ($('jobs').children.length > 30) $('jobs').lastElementChild.remove();
  summary();
}

function summary() {
  const count = (st) => $('jobs').querySelectorAll(`li[data-state="${st}"]`).length;
  const running = count('running'), queued = count('queued');
  $('jobs-summary').textContent = running || queued ? `${running} running, ${queued} queued` : 'No job queued or running.';
}

// The stream sends the queued and running jobs at once, then every new job and change: the
// list shows those, and the jobs that end while the page is open.
function loadJobs() {
  $('jobs').replaceChildren();
  summary();
  state.stream?.close();
  // the browser's EventSource: it sends the session cookie, and reconnects by itself with
  // Last-Event-ID (the stream then sends the jobs made meanwhile)
  const es = new EventSource('/api/v1/jobs/events');
  for (const type of ['job', 'created']) es.addEventListener(type, (e) => renderJob(JSON.parse(e.data)));
  const shown = (s) => {
    const dot = $('stream');
    dot.textContent = s === 'live' ? '●' : '○';
    dot.classList.toggle('live', s === 'live');
    dot.title = `the live stream of job changes: ${s}`;
    dot.setAttribute('aria-label', `live updates: ${s}`);
    document.body.dataset.stream = s;
  };
  es.onopen = () => shown('live');
  es.onerror = () => shown(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  state.stream = es;
}

// ---- signing in --------------------------------------------------------------------------

async function show(me) {
  $('signin').hidden = !!me;
  $('signout').hidden = !me;
  $('main').hidden = !me;
  $('who').textContent = me ? `${me.user} (${me.scopes.join(', ')})` : '';
  if (!me) {
    state.stream?.close();
    state.stream = null;
    document.body.dataset.state = 'signed-out';
    status('Sign in with a token from `ts-serve token create`.');
    return;
  }
  status('');
  const params = new URL(location.href).searchParams;
  $('q').value = params.get('q') || '';
  $('tag').value = params.get('tag') || '';
  await Promise.all([loadCollections().catch((e) => status(`Collections: ${e.message}`, true))]);
  loadJobs();
  await search();
  document.body.dataset.state = 'ready';
}

$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  try {
    const me = await signIn(t);
    $('token').value = '';
    await show(me);
  } catch (err) {
    status(`Sign-in refused: ${err.message}`, true);
  }
});
$('signout').addEventListener('click', async () => {
  try {
    await signOut();
    await show(null);
  } catch (err) {
    status(`Sign-out failed: ${err.message}`, true);
  }
});
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  search();
});
$('search').addEventListener('reset', () => setTimeout(search));
$('collection').addEventListener('change', search);
$('prev').addEventListener('click', () => {
  state.page = Math.max(0, state.page - 1);
  loadItems();
});
$('next').addEventListener('click', () => {
  if (!state.next) return;
  state.cursors[state.page + 1] = state.next;
  state.page++;
  loadItems();
});

whoami().then(show, (e) => {
  status(`The server did not answer: ${e.message}`, true);
  document.body.dataset.state = 'error';
});
