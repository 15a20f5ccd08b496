// TimeSide's SDK for ts-serve: the openapi-fetch client over the types generated from the
// server's OpenAPI document (schema.ts), and a thin layer for what the client leaves to its
// user: signing in with a token or a session cookie, uploads of a Blob, bytes or a stream,
// waiting on a job through its server-sent events, problem+json errors as typed exceptions,
// versioned annotation edits (If-Match), page-by-page listing, and URL builders for media,
// peaks and images.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';
import { problemError, responseError, JobFailedError, JobCanceledError } from './errors.js';
import { eventStream } from './sse.js';

export * from './errors.js';
export { EventStreamParser, eventStream, WrongStreamError } from './sse.js';
export type { ServerSentEvent, EventStreamOptions } from './sse.js';
export type { components, paths };
type S = components['schemas'];
export type Item = S['Item'];
export type ItemPage = S['ItemPage'];
export type ItemPatch = S['ItemPatch'];
export type Collection = S['Collection'];
export type CollectionPage = S['CollectionPage'];
export type Problem = S['Problem'];
export type Me = S['Me'];
export type Job = S['Job'];
export type JobNew = S['JobNew'];
export type JobPage = S['JobPage'];
export type ResultIndex = S['ResultIndex'];
export type AnnotationTrack = S['AnnotationTrack'];
export type AnnotationTrackNew = S['AnnotationTrackNew'];
export type AnnotationTrackPatch = S['AnnotationTrackPatch'];
export type Annotation = S['Annotation'];
export type AnnotationNew = S['AnnotationNew'];
export type AnnotationPatch = S['AnnotationPatch'];

/** A signed-in session: its user and scopes (GET /api/v1/session). */
export interface Session {
  user: string;
  scopes: string[];
  [k: string]: unknown;
}

export interface TimeSideOptions {
  /** The server's root, e.g. http://127.0.0.1:8080 (the API is under /api/v1). */
  baseUrl: string;
  /** A token from `ts-serve token create`, sent as `Authorization: Bearer` (until signIn). */
  token?: string;
  /** In a browser: how to send the server's cookies (default 'same-origin'). */
  credentials?: RequestCredentials;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
}

export interface UploadOptions {
  title?: string;
  filename?: string;
  public?: boolean;
  /** The size in bytes of a stream (the server needs a Content-Length: it refuses chunked uploads). */
  size?: number;
  /** The body's type (default: the Blob's, else application/octet-stream). */
  contentType?: string;
}

export interface ImageOptions {
  start?: number;
  end?: number;
  width?: number;
  height?: number;
}

export interface WaitOptions {
  /** Called with the job at each change (state, progress), the last one included. */
  onProgress?: (job: Job) => void;
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

type Body = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;
/** An object read with its ETag, or the ETag alone: what a change's If-Match needs. */
export type Versioned = { id: string; etag?: string };

const COOKIE = 'ts_session';
const ENDED = new Set(['done', 'failed', 'canceled']);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const isBrowser = typeof document !== 'undefined';

export class TimeSide {
  readonly client: Client<paths>;
  readonly baseUrl: string;
  private token?: string;
  private cookieMode = false;
  private cookie?: string; // outside a browser: the session cookie, sent by this client
  private readonly doFetch: typeof fetch;
  private readonly credentials: RequestCredentials;
  private readonly etags = new WeakMap<object, string>();

  constructor(options: TimeSideOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.credentials = options.credentials || 'same-origin';
    this.doFetch = options.fetch || globalThis.fetch.bind(globalThis);
    this.client = createClient<paths>({ baseUrl: this.baseUrl, fetch: this.doFetch, credentials: this.credentials });
    this.client.use({
      onRequest: ({ request }) => {
        for (const [k, v] of Object.entries(this.authHeaders(request.method))) request.headers.set(k, v);
        return request;
      },
    });
  }

  /**
   * The headers that authenticate a request: the token, or in cookie mode the session cookie
   * (outside a browser; a browser sends its own) and, on every write, X-TimeSide-Request
   * (the server refuses cookie-authenticated writes without it: no cross-site form can send it).
   */
  authHeaders(method = 'GET'): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.cookieMode) {
      if (this.cookie) h.Cookie = this.cookie;
      if (!SAFE.has(method.toUpperCase())) h['X-TimeSide-Request'] = '1';
    } else if (this.token) {
      h.Authorization = `Bearer ${this.token}`;
    }
    return h;
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const method = init.method || 'GET';
    const headers = { ...this.authHeaders(method), ...(init.headers as Record<string, string>) };
    return this.doFetch(`${this.baseUrl}${path}`, { ...init, method, headers, credentials: this.credentials });
  }

  // openapi-fetch's {data, error, response} made a value or a typed exception
  private async unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await p;
    if (!response.ok) throw problemError(response, error);
    const tag = response.headers.get('ETag');
    if (tag && data && typeof data === 'object') this.etags.set(data as object, tag);
    return data as T;
  }

  // ---- signing in -------------------------------------------------------------------

  /**
   * Exchanges a token for a session cookie (POST /api/v1/session): afterwards this client
   * sends the cookie instead of the token. In a browser the cookie is HttpOnly (no script
   * reads it) and sent by the browser; in Node this client keeps it.
   */
  async signIn(token: string): Promise<void> {
    const r = await this.doFetch(`${this.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-TimeSide-Request': '1' },
      body: JSON.stringify({ token }),
      credentials: this.credentials,
    });
    if (!r.ok) throw await responseError(r);
    if (!isBrowser) {
      const cookie = sessionCookie(r.headers);
      if (!cookie) throw new Error('signIn: the server set no ts_session cookie');
      this.cookie = cookie;
    }
    this.cookieMode = true;
    this.token = undefined;
  }

  /** Ends the session (DELETE /api/v1/session); the client is then signed out. */
  async signOut(): Promise<void> {
    const r = await this.call('/api/v1/session', { method: 'DELETE' });
    this.cookie = undefined;
    this.cookieMode = false;
    if (!r.ok && r.status !== 401) throw await responseError(r);
  }

  /**
   * The session's user and scopes, or null when there is none (401). In a browser without a
   * token, a session found (an earlier signIn's cookie) puts this client in cookie mode.
   */
  async session(): Promise<Session | null> {
    const r = await this.doFetch(`${this.baseUrl}/api/v1/session`, {
      headers: this.cookie ? { Cookie: this.cookie } : {}, credentials: this.credentials,
    });
    if (r.status === 401) return null;
    if (!r.ok) throw await responseError(r);
    if (this.cookie || (isBrowser && !this.token)) this.cookieMode = true;
    return (await r.json()) as Session;
  }

  /** The token's user and scopes. */
  me(): Promise<Me> {
    return this.unwrap(this.client.GET('/api/v1/me'));
  }

  // ---- items and collections ---------------------------------------------------------

  /** One page of items; `cursor` is the previous page's `next`. */
  items(query: { limit?: number; q?: string; tag?: string; collection?: string; cursor?: string } = {}): Promise<ItemPage> {
    return this.unwrap(this.client.GET('/api/v1/items', { params: { query } as never }));
  }

  /** Every item, page after page. */
  async *allItems(query: { q?: string; tag?: string; collection?: string } = {}): AsyncGenerator<Item> {
    let page = await this.items({ ...query, limit: 200 });
    for (;;) {
      yield* page.items;
      if (!page.next) return;
      const cursor = new URL(page.next, this.baseUrl).searchParams.get('cursor') || undefined;
      page = await this.items({ ...query, limit: 200, cursor });
    }
  }

  item(id: string): Promise<Item> {
    return this.unwrap(this.client.GET('/api/v1/items/{id}', { params: { path: { id } } }));
  }

  updateItem(id: string, patch: ItemPatch): Promise<Item> {
    return this.unwrap(this.client.PATCH('/api/v1/items/{id}', { params: { path: { id } }, body: patch }));
  }

  async deleteItem(id: string): Promise<void> {
    await this.unwrap(this.client.DELETE('/api/v1/items/{id}', { params: { path: { id } } }));
  }

  /** One page of collections. */
  collections(query: { limit?: number; cursor?: string } = {}): Promise<CollectionPage> {
    return this.unwrap(this.client.GET('/api/v1/collections', { params: { query } as never }));
  }

  /**
   * Uploads an audio file: a Blob or File, bytes, or a stream of known `size`. The body is
   * the file itself (not multipart), sent with its Content-Length.
   */
  async upload(body: Body, options: UploadOptions = {}): Promise<Item> {
    const query = new URLSearchParams();
    const name = options.filename ?? (typeof File !== 'undefined' && body instanceof File ? body.name : undefined);
    if (options.title !== undefined) query.set('title', options.title);
    if (name !== undefined) query.set('filename', name);
    if (options.public !== undefined) query.set('public', String(options.public));
    const headers: Record<string, string> = {
      'Content-Type': options.contentType || (body instanceof Blob && body.type) || 'application/octet-stream',
    };
    const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body: body as BodyInit };
    if (body instanceof ReadableStream) {
      if (options.size === undefined) throw new TypeError('upload: a stream needs its size (options.size): the server refuses chunked uploads');
      headers['Content-Length'] = String(options.size);
      init.duplex = 'half';
    }
    const r = await this.call(`/api/v1/items${query.size ? `?${query}` : ''}`, init);
    const data = await r.json().catch(() => null);
    if (!r.ok) throw problemError(r, data);
    return data as Item;
  }

  // ---- jobs and results --------------------------------------------------------------

  /** Queues a job (a preset, or analyzers with params, over items or a collection). */
  createJob(request: JobNew): Promise<Job> {
    return this.unwrap(this.client.POST('/api/v1/jobs', { body: request }));
  }

  job(id: string): Promise<Job> {
    return this.unwrap(this.client.GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
  }

  /** One page of this user's jobs (every job for an admin). */
  jobs(query: { limit?: number; cursor?: string; state?: Job['state'] } = {}): Promise<JobPage> {
    return this.unwrap(this.client.GET('/api/v1/jobs', { params: { query } as never }));
  }

  cancelJob(id: string): Promise<Job> {
    return this.unwrap(this.client.DELETE('/api/v1/jobs/{id}', { params: { path: { id } } }));
  }

  /** The URL of a job's event stream (GET /api/v1/jobs/{id}/events). */
  jobEventsUrl(id: string): string {
    return `${this.baseUrl}/api/v1/jobs/${encodeURIComponent(id)}/events`;
  }

  /**
   * Waits for a job to end, through its server-sent events: resolves with the job when done,
   * rejects with JobFailedError or JobCanceledError (their `job` says why), or with a typed
   * ProblemError (no such job, signed out). A browser signed in with a cookie uses its
   * EventSource; otherwise (Node, or a token, which EventSource cannot send) a fetch-stream
   * reader that reconnects with Last-Event-ID.
   */
  waitForJob(id: string, options: WaitOptions = {}): Promise<Job> {
    const { onProgress, signal } = options;
    const settle = (job: Job): Job | null => {
      onProgress?.(job);
      if (job.state === 'done') return job;
      if (job.state === 'failed') throw new JobFailedError(job);
      if (job.state === 'canceled') throw new JobCanceledError(job);
      return null;
    };
    if (typeof EventSource !== 'undefined' && (this.cookieMode || !this.token) && !this.cookie)
      return this.waitWithEventSource(id, settle, signal);
    return (async () => {
      for await (const ev of eventStream(this.jobEventsUrl(id), {
        fetch: this.doFetch, headers: this.authHeaders('GET'), credentials: this.credentials, signal,
      })) {
        if (ev.type !== 'job') continue;
        const done = settle(JSON.parse(ev.data) as Job);
        if (done) return done;
      }
      // the server said 204: the end was seen before; the job as it is now
      const job = await this.job(id);
      if (ENDED.has(job.state)) return settle(job) as Job;
      throw new Error(`job ${id}: its event stream ended while it is ${job.state}`);
    })();
  }

  private waitWithEventSource(id: string, settle: (job: Job) => Job | null, signal?: AbortSignal): Promise<Job> {
    return new Promise<Job>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const es = new EventSource(this.jobEventsUrl(id), { withCredentials: this.credentials === 'include' });
      const finish = (f: () => void) => {
        es.close();
        signal?.removeEventListener('abort', abort);
        f();
      };
      const abort = () => finish(() => reject(signal!.reason));
      signal?.addEventListener('abort', abort, { once: true });
      es.addEventListener('job', (e) => {
        try {
          const done = settle(JSON.parse((e as MessageEvent).data) as Job);
          if (done) finish(() => resolve(done));
        } catch (err) {
          finish(() => reject(err));
        }
      });
      // EventSource retries by itself; once it has given up (an error status), ask the job
      // itself for the typed error
      es.onerror = () => {
        if (es.readyState !== EventSource.CLOSED) return;
        finish(() => this.job(id).then((job) => (ENDED.has(job.state) ? resolve(settle(job) as Job) : reject(new Error(`job ${id}: its event stream closed`))), reject));
      };
    });
  }

  /** The results made for an item (its result index). */
  results(item: string): Promise<ResultIndex> {
    return this.unwrap(this.client.GET('/api/v1/items/{id}/results', { params: { path: { id: item } } }));
  }

  /** One result of an item as ts-result JSON Lines (or another format of ts-serialize). */
  async result(item: string, result: string, options: { set?: string; format?: string } = {}): Promise<string> {
    const q = new URLSearchParams(Object.entries(options).filter(([, v]) => v !== undefined) as [string, string][]);
    const r = await this.call(`/api/v1/items/${encodeURIComponent(item)}/results/${encodeURIComponent(result)}${q.size ? `?${q}` : ''}`);
    if (!r.ok) throw await responseError(r);
    return r.text();
  }

  // ---- annotations -------------------------------------------------------------------

  /**
   * The ETag an object came with (tracks and annotations; their changes send it as If-Match).
   */
  etag(object: object): string | undefined {
    return this.etags.get(object);
  }

  private ifMatch(v: Versioned): string {
    const tag = v.etag ?? this.etags.get(v);
    if (!tag) throw new TypeError(`${v.id}: no ETag known; pass the object as read, or {id, etag}`);
    return tag;
  }

  annotationTracks(item: string): Promise<S['AnnotationTrackList']> {
    return this.unwrap(this.client.GET('/api/v1/items/{id}/annotation-tracks', { params: { path: { id: item } } }));
  }

  createAnnotationTrack(item: string, track: AnnotationTrackNew): Promise<AnnotationTrack> {
    return this.unwrap(this.client.POST('/api/v1/items/{id}/annotation-tracks', { params: { path: { id: item } }, body: track }));
  }

  annotationTrack(id: string): Promise<AnnotationTrack> {
    return this.unwrap(this.client.GET('/api/v1/annotation-tracks/{id}', { params: { path: { id } } }));
  }

  /** Changes a track read earlier; a ConflictError (412) when it changed since. */
  async updateAnnotationTrack(track: Versioned, patch: AnnotationTrackPatch): Promise<AnnotationTrack> {
    return this.unwrap(this.client.PATCH('/api/v1/annotation-tracks/{id}', {
      params: { path: { id: track.id }, header: { 'If-Match': this.ifMatch(track) } }, body: patch,
    }));
  }

  async deleteAnnotationTrack(track: Versioned): Promise<void> {
    await this.unwrap(this.client.DELETE('/api/v1/annotation-tracks/{id}', {
      params: { path: { id: track.id }, header: { 'If-Match': this.ifMatch(track) } } as never,
    }));
  }

  addAnnotation(track: string, annotation: AnnotationNew): Promise<Annotation> {
    return this.unwrap(this.client.POST('/api/v1/annotation-tracks/{id}/annotations', { params: { path: { id: track } }, body: annotation }));
  }

  annotation(id: string): Promise<Annotation> {
    return this.unwrap(this.client.GET('/api/v1/annotations/{id}', { params: { path: { id } } }));
  }

  /** Changes an annotation read earlier; a ConflictError (412) when it changed since. */
  async updateAnnotation(annotation: Versioned, patch: AnnotationPatch): Promise<Annotation> {
    return this.unwrap(this.client.PATCH('/api/v1/annotations/{id}', {
      params: { path: { id: annotation.id }, header: { 'If-Match': this.ifMatch(annotation) } }, body: patch,
    }));
  }

  async deleteAnnotation(annotation: Versioned): Promise<void> {
    await this.unwrap(this.client.DELETE('/api/v1/annotations/{id}', {
      params: { path: { id: annotation.id }, header: { 'If-Match': this.ifMatch(annotation) } } as never,
    }));
  }

  /** A track in a format of ts-serialize's writers (jsonl, audacity, elan, jams, csv). */
  async exportAnnotationTrack(id: string, format: 'jsonl' | 'audacity' | 'elan' | 'jams' | 'csv' = 'jsonl'): Promise<string> {
    const r = await this.call(`/api/v1/annotation-tracks/${encodeURIComponent(id)}/export?format=${format}`);
    if (!r.ok) throw await responseError(r);
    return r.text();
  }

  // ---- URLs of media, peaks and images -------------------------------------------------

  /** The item's file (Range requests work on it: give it to an <audio> element). */
  mediaUrl(id: string): string {
    return `${this.baseUrl}/api/v1/items/${encodeURIComponent(id)}/media`;
  }

  /** Its peaks for peaks.js: 8-bit audiowaveform data, `.dat` (default) or JSON. */
  peaksUrl(id: string, options: { format?: 'dat' | 'json'; pixelsPerSecond?: number } = {}): string {
    const q = options.pixelsPerSecond ? `?pixels_per_second=${options.pixelsPerSecond}` : '';
    return `${this.baseUrl}/api/v1/items/${encodeURIComponent(id)}/peaks.${options.format || 'dat'}${q}`;
  }

  /** A waveform or spectrogram PNG, of the whole item or of [start, end) seconds. */
  imageUrl(id: string, kind: 'waveform' | 'spectrogram', options: ImageOptions = {}): string {
    const q = new URLSearchParams();
    for (const k of ['start', 'end', 'width', 'height'] as const) if (options[k] !== undefined) q.set(k, String(options[k]));
    return `${this.baseUrl}/api/v1/items/${encodeURIComponent(id)}/${kind}.png${q.size ? `?${q}` : ''}`;
  }

  /** A transcoded copy (mp3, ogg, opus, flac, ...), whole or of [start, end) seconds. */
  downloadUrl(id: string, format: string, options: { start?: number; end?: number; bitrate?: number } = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(options)) if (v !== undefined) q.set(k, String(v));
    return `${this.baseUrl}/api/v1/items/${encodeURIComponent(id)}/download/${encodeURIComponent(format)}${q.size ? `?${q}` : ''}`;
  }

  /** GET one of the URLs above with this client's credentials: the bytes, or a typed exception. */
  async bytes(url: string, init: RequestInit = {}): Promise<ArrayBuffer> {
    const r = await this.doFetch(url, { ...init, credentials: this.credentials, headers: { ...this.authHeaders(init.method), ...(init.headers as Record<string, string>) } });
    if (!r.ok) throw await responseError(r);
    return r.arrayBuffer();
  }
}

/** The `ts_session=VALUE` pair of a response's Set-Cookie headers, if any. */
export function sessionCookie(headers: Headers): string | undefined {
  const all = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [headers.get('Set-Cookie') || ''];
  for (const c of all) {
    const pair = c.split(';', 1)[0].trim();
    if (pair.startsWith(`${COOKIE}=`) && pair.length > COOKIE.length + 1) return pair;
  }
  return undefined;
}

