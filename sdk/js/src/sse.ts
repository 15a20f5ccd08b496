// Server-sent events without EventSource: a parser of the text/event-stream format as the
// HTML standard defines it (§9.2.6: lines end in CRLF, LF or CR; "field: value"; comments;
// data lines joined by LF; id and retry), and a reader over fetch that reconnects with
// Last-Event-ID. It runs in Node (which has no EventSource) and in browsers when a request
// needs headers that EventSource cannot send (Authorization).
import { ProblemError, RateLimitedError, responseError } from './errors.js';

/** One event: its type ('message' unless named), its data, and the last event id seen. */
export interface ServerSentEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** Parses a text/event-stream fed in chunks of any size (split anywhere, even mid-line). */
export class EventStreamParser {
  /** The last `id:` field seen (kept across events, as the standard says). */
  lastEventId = '';
  /** The last valid `retry:` field, in milliseconds. */
  retry: number | null = null;
  private line = '';
  private data = '';
  private hasData = false;
  private type = '';
  private afterCR = false;
  private started = false;

  /** Feeds some text; returns the events it completes. */
  push(text: string): ServerSentEvent[] {
    const out: ServerSentEvent[] = [];
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one leading BOM
    }
    let i = 0;
    // an LF right after a CR that ended the previous chunk belongs to that line's end
    if (this.afterCR && text[0] === '\n') i = 1;
    this.afterCR = false;
    while (i < text.length) {
      let j = i;
      while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
      if (j === text.length) {
        this.line += text.slice(i);
        break;
      }
      const line = this.line + text.slice(i, j);
      this.line = '';
      if (text[j] === '\r') {
        if (j + 1 === text.length) this.afterCR = true;
        else if (text[j + 1] === '\n') j++;
      }
      i = j + 1;
      const ev = this.processLine(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** The stream has ended: an event not yet closed by a blank line is dropped. */
  end(): void {
    this.line = '';
    this.data = '';
    this.hasData = false;
    this.type = '';
    this.afterCR = false;
  }

  private processLine(line: string): ServerSentEvent | null {
    if (line === '') {
      const ev = this.hasData ? { type: this.type || 'message', data: this.data, lastEventId: this.lastEventId } : null;
      this.data = '';
      this.hasData = false;
      this.type = '';
      return ev;
    }
    if (line[0] === ':') return null; // a comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retry = Number(value);
        break;
      default: // ignored, as the standard says
    }
    return null;
  }
}

export interface EventStreamOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
  signal?: AbortSignal;
  /** Resume after this event id (sent as Last-Event-ID). */
  lastEventId?: string;
  /** Milliseconds before a reconnection until the server sets its own (retry:); default 2000. */
  retry?: number;
  /** Reconnections in a row without an event before giving up; default 5. */
  maxRetries?: number;
}

/** The URL answered with something other than text/event-stream. */
export class WrongStreamError extends TypeError {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * The events of a text/event-stream URL, read with fetch. When the connection drops or the
 * stream ends, it reconnects after the server's retry delay, sending Last-Event-ID, until the
 * server answers 204 (nothing more) or the consumer stops iterating; an error status is a
 * typed ProblemError (429 and 503 are retried after their Retry-After).
 */
export async function* eventStream(url: string, options: EventStreamOptions = {}): AsyncGenerator<ServerSentEvent> {
  const doFetch = options.fetch || globalThis.fetch.bind(globalThis);
  const parser = new EventStreamParser();
  parser.lastEventId = options.lastEventId || '';
  const maxRetries = options.maxRetries ?? 5;
  let failures = 0;
  for (;;) {
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers };
    if (parser.lastEventId) headers['Last-Event-ID'] = parser.lastEventId;
    let delay = parser.retry ?? options.retry ?? 2000;
    let lastError: unknown = null;
    try {
      const r = await doFetch(url, { headers, credentials: options.credentials, signal: options.signal, cache: 'no-store' });
      if (r.status === 204) return;
      if (!r.ok) {
        const e = await responseError(r);
        if (!(r.status === 429 || r.status === 503)) throw e;
        if (e instanceof RateLimitedError && e.retryAfter !== null) delay = e.retryAfter * 1000;
        lastError = e;
      } else if (!(r.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
        throw new WrongStreamError(`${url}: not an event stream (${r.headers.get('Content-Type')})`);
      } else if (r.body) {
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const ev of parser.push(value)) {
              failures = 0;
              yield ev;
            }
          }
        } finally {
          parser.end();
          reader.cancel().catch(() => {});
        }
      }
    } catch (e) {
      // a typed error status or a wrong answer is final; a dropped connection is retried
      if (options.signal?.aborted) throw options.signal.reason;
      if (e instanceof ProblemError || e instanceof WrongStreamError) throw e;
      lastError = e;
    }
    if (++failures > maxRetries) throw lastError ?? new Error(`${url}: the event stream kept ending without an event`);
    await sleep(parser.retry ?? delay, options.signal);
  }
}
