// A loopback static HTTP server for the browser test: GET and HEAD with byte ranges (the
// <audio> element seeks with Range requests), a few MIME types, nothing outside its roots.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.jsonl': 'application/jsonl', '.csv': 'text/csv',
  '.png': 'image/png', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.opus': 'audio/ogg',
  '.dat': 'application/octet-stream', '.map': 'application/json',
};

// mounts: {'/page/': '/path/to/web/player', '/archive/': '/path/to/out'}
export function serve(mounts) {
  const log = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const prefix = Object.keys(mounts).find((m) => path.startsWith(m));
    if (!prefix || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(prefix ? 405 : 404).end();
      return;
    }
    const root = mounts[prefix];
    const file = normalize(join(root, path.slice(prefix.length)));
    let st;
    try {
      if (!file.startsWith(root + sep) && file !== root) throw new Error('outside');
      st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404).end();
      return;
    }
    const entry = { method: req.method, path, range: req.headers.range || null, bytes: 0 };
    log.push(entry);

    const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
    if (m && (m[1] || m[2])) {
      if (m[1]) {
        start = Number(m[1]);
        if (m[2]) end = Math.min(end, Number(m[2]));
      } else start = Math.max(0, st.size - Number(m[2]));
      if (start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    }
    headers['Content-Length'] = String(end - start + 1);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).on('data', (c) => (entry.bytes += c.length)).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, log, port: server.address().port }));
  });
}
