// TimeSide's SDK for ts-serve: the openapi-fetch client over the types generated from the
// server's OpenAPI document (schema.d.ts), and a thin layer for what the client leaves to
// its user: the token, uploads of a Blob, bytes or a stream, problem+json errors as typed
// exceptions, page-by-page listing, and URL builders for media, peaks and images.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Item = components['schemas']['Item'];
export type ItemPage = components['schemas']['ItemPage'];
export type ItemPatch = components['schemas']['ItemPatch'];
export type Collection = components['schemas']['Collection'];
export type Problem = components['schemas']['Problem'];
export type Me = components['schemas']['Me'];

/** An answer of status 4xx or 5xx: the server's RFC 9457 problem details, as an exception. */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly problem: Partial<Problem>;
  constructor(status: number, problem: Partial<Problem>, fallback: string) {
    super(`${status} ${problem.title || fallback}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = new.target.name;
    this.status = status;
    this.type = problem.type || 'about:blank';
    this.title = problem.title || fallback;
    this.detail = problem.detail || '';
    this.requestId = problem.request_id;
    this.problem = problem;
  }
}
/** 400: a bad request (a parameter out of range, a malformed body). */
export class BadRequestError extends ProblemError {}
/** 401: no token, or one the server does not know. */
export class UnauthorizedError extends ProblemError {}
/** 403: the token's scopes or its user's rights do not allow it. */
export class ForbiddenError extends ProblemError {}
/** 404: no such object, or one this user may not see. */
export class NotFoundError extends ProblemError {}
/** 409 or 412: changed meanwhile; `If-Match` named an older version. */
export class ConflictError extends ProblemError {}
/** 413, 415, 411: an upload the server refuses (too large, not audio, no length). */
export class UploadRefusedError extends ProblemError {}
/** 429: too many requests; `retryAfter` in seconds when the server said. */
export class RateLimitedError extends ProblemError {
  retryAfter: number | null = null;
}

const CLASSES: Record<number, typeof ProblemError> = {
  400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError,
  409: ConflictError, 412: ConflictError, 411: UploadRefusedError, 413: UploadRefusedError,
  415: UploadRefusedError, 429: RateLimitedError,
};

/** The typed exception of a response that failed (its body read as problem+json if it is). */
export function problemError(response: Response, body: unknown): ProblemError {
  const problem = body && typeof body === 'object' ? (body as Partial<Problem>) : {};
  const Class = CLASSES[response.status] || ProblemError;
  const e = new Class(response.status, problem, response.statusText || 'error');
  if (e instanceof RateLimitedError) {
    const s = Number(response.headers.get('Retry-After'));
    e.retryAfter = Number.isFinite(s) ? s : null;
  }
  return e;
}

export interface TimeSideOptions {
  /** The server's root, e.g. http://127.0.0.1:8080 (the API is under /api/v1). */
  baseUrl: string;
  /** A token from `ts-serve token create`, sent as `Authorization: Bearer`. */
  token?: string;
  /** In a browser on the server's own origin: 'same-origin' or 'include' to send its cookies. */
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

type Body = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

export class TimeSide {
  readonly client: Client<paths>;
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly doFetch: typeof fetch;
  private readonly credentials?: RequestCredentials;

  constructor(options: TimeSideOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.credentials = options.credentials;
    this.doFetch = options.fetch || globalThis.fetch.bind(globalThis);
    this.client = createClient<paths>({
      baseUrl: this.baseUrl,
      fetch: this.doFetch,
      credentials: options.credentials,
      headers: this.headers(),
    });
  }

  private headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  // openapi-fetch's {data, error, response} made a value or a typed exception
  private async unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await p;
    if (!response.ok) throw problemError(response, error);
    return data as T;
  }

  /** The token's user and scopes. */
  me(): Promise<Me> {
    return this.unwrap(this.client.GET('/api/v1/me'));
  }

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
      ...this.headers(),
      'Content-Type': options.contentType || (body instanceof Blob && body.type) || 'application/octet-stream',
    };
    const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body: body as BodyInit, credentials: this.credentials };
    if (body instanceof ReadableStream) {
      if (options.size === undefined) throw new TypeError('upload: a stream needs its size (options.size): the server refuses chunked uploads');
      headers['Content-Length'] = String(options.size);
      init.duplex = 'half';
    }
    const r = await this.doFetch(`${this.baseUrl}/api/v1/items${query.size ? `?${query}` : ''}`, init);
    const data = await r.json().catch(() => null);
    if (!r.ok) throw problemError(r, data);
    return data as Item;
  }

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

  /** GET one of the URLs above with this client's token: the bytes, or a typed exception. */
  async bytes(url: string, init: RequestInit = {}): Promise<ArrayBuffer> {
    const r = await this.doFetch(url, { ...init, credentials: this.credentials, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
    if (!r.ok) throw problemError(r, await r.json().catch(() => null));
    return r.arrayBuffer();
  }
}
