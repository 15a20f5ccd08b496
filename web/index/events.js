// Server-sent events for the index page: the browser's EventSource when the page signs in
// with its session cookie, or a reader over fetch when it holds a token (EventSource cannot
// send an Authorization header). The reader parses text/event-stream as the HTML standard
// says (lines ending in CR, LF or CRLF; comments; data lines joined) and reconnects with
// Last-Event-ID after the server's retry delay.

// Feeds chunks of text; calls onEvent(type, data, lastEventId) for each complete event.
export function eventParser(onEvent) {
  let line = '', data = '', hasData = false, type = '', afterCR = false;
  const state = { lastEventId: '', retry: 2000 };
  function field(l) {
    if (l === '') {
      if (hasData) onEvent(type || 'message', data, state.lastEventId);
      data = '';
      hasData = false;
      type = '';
      return;
    }
    if (l[0] === ':') return;
    const c = l.indexOf(':');
    const name = c < 0 ? l : l.slice(0, c);
    let value = c < 0 ? '' : l.slice(c + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (name === 'event') type = value;
    else if (name === 'data') {
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
    } else if (name === 'id' && !value.includes('\0')) state.lastEventId = value;
    else if (name === 'retry' && /^[0-9]+$/.test(value)) state.retry = Number(value);
  }
  state.push = (text) => {
    let i = afterCR && text[0] === '\n' ? 1 : 0;
    afterCR = false;
    while (i < text.length) {
      let j = i;
      while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
      if (j === text.length) {
        line += text.slice(i);
        return;
      }
      const l = line + text.slice(i, j);
      line = '';
      if (text[j] === '\r') {
        if (j + 1 === text.length) afterCR = true;
        else if (text[j + 1] === '\n') j++;
      }
      i = j + 1;
      field(l);
    }
  };
  state.reset = () => {
    line = data = type = '';
    hasData = afterCR = false;
  };
  return state;
}

// Opens url and calls onEvent(type, data) for each event until close() is called. headers:
// null to use EventSource (cookies), or the headers a fetch needs. onStatus(text) tells the
// connection's state ('live', 'reconnecting', or an error).
export function listen(url, { headers, types, onEvent, onStatus }) {
  if (!headers && typeof EventSource !== 'undefined') {
    const es = new EventSource(url);
    for (const t of types) es.addEventListener(t, (e) => onEvent(t, e.data));
    es.onopen = () => onStatus('live');
    es.onerror = () => onStatus(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return { close: () => es.close() };
  }
  const ac = new AbortController();
  const parser = eventParser((type, data) => {
    if (types.includes(type)) onEvent(type, data);
  });
  (async () => {
    while (!ac.signal.aborted) {
      try {
        const h = { Accept: 'text/event-stream', ...headers };
        if (parser.lastEventId) h['Last-Event-ID'] = parser.lastEventId;
        const r = await fetch(url, { headers: h, signal: ac.signal, cache: 'no-store' });
        if (r.status === 204) return onStatus('closed');
        if (!r.ok) {
          const p = await r.json().catch(() => ({}));
          onStatus(`${r.status} ${p.detail || p.title || r.statusText}`);
          if (r.status !== 429 && r.status !== 503) return;
        } else {
          onStatus('live');
          const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.push(value);
          }
          parser.reset();
          onStatus('reconnecting');
        }
      } catch (e) {
        if (ac.signal.aborted) return;
        onStatus('reconnecting');
      }
      await new Promise((res) => setTimeout(res, parser.retry));
    }
  })();
  return { close: () => ac.abort() };
}
