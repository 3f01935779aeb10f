// Shared by the tests: the real server from the environment, unique names per run, a faulty proxy.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Client } from '../src/index.js';

const missing = ['INDELIBLE_URL', 'INDELIBLE_TOKEN', 'INDELIBLE_NARROW_TOKEN', 'INDELIBLE_PARTITIONED_URL']
  .filter((v) => !process.env[v]);
if (missing.length) {
  throw new Error(`the tests need a running server: set ${missing.join(', ')} (INDELIBLE_URL=http://127.0.0.1:7171, `
    + "INDELIBLE_TOKEN for streams '*' with verbs append,read,query,status,admin, INDELIBLE_NARROW_TOKEN for 'selfies-*' "
    + 'with append,read, INDELIBLE_PARTITIONED_URL for a server of those tokens over 3 partitions; '
    + 'see server/src/test/java/dev/indelible/server/NodeClientTest.java)');
}
export const URL = process.env.INDELIBLE_URL;
export const TOKEN = process.env.INDELIBLE_TOKEN;
export const NARROW_TOKEN = process.env.INDELIBLE_NARROW_TOKEN;
/** A server of the same tokens over 3 partitions (a stream ending in a number n in partition n % 3). */
export const PARTITIONED_URL = process.env.INDELIBLE_PARTITIONED_URL;

/** A tag unique to this run, so that the tests can share a server with earlier runs. */
export const RUN = randomUUID().slice(0, 8);
/** A user id unique to this run (selfie streams are named by it). */
export const userBase = () => 1_000_000 + Math.floor(Math.random() * 1e9) * 10;

export const client = (options = {}) => new Client({ url: URL, token: TOKEN, timeoutMs: 10_000, ...options });

/** Every event of the streams `keep` accepts, from global_seq `from`, read through GET /events. */
export async function readAllEvents(c, keep, from = 0) {
  const out = [];
  for (let position = from; ;) {
    const page = await c.readAll({ from: position, limit: 1000 });
    out.push(...page.events.filter(keep));
    if (page.next >= page.head) return out;
    position = page.next;
  }
}

/**
 * A proxy to the real server that misbehaves as `plan(n, req)` says for its n-th request (0-based):
 * 'pass', '503', 'drop' (closes the connection without an answer) or 'truncate' (forwards, then
 * sends only the first half of the answer's lines and closes the connection), or '411' (refuses the
 * request at once, as a proxy that takes no chunked bodies does).
 */
export async function faultyProxy(plan) {
  let n = 0;
  const server = http.createServer(async (req, res) => {
    const action = plan(n++, req);
    if (action === '411') { // as nginx without chunked request bodies: at once, before the body
      res.writeHead(411, { 'Content-Type': 'text/html', Connection: 'close' });
      return res.end('<html><body><h1>411 Length Required</h1></body></html>');
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (action === 'drop') return req.socket.destroy();
    if (action === '503') {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: 'unavailable', field: null, message: 'proxy says: try again' }));
    }
    const headers = { Authorization: req.headers.authorization ?? '' };
    if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
    const upstream = await fetch(URL + req.url, { method: req.method, headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined });
    const text = await upstream.text();
    if (action === 'truncate') {
      const lines = text.split('\n').filter(Boolean);
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') });
      res.write(lines.slice(0, Math.floor(lines.length / 2)).map((l) => `${l}\n`).join(''));
      return setTimeout(() => res.socket.destroy(), 20);
    }
    res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') });
    res.end(text);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests: () => n,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

export const selfie = (userId, fileId, extra = {}) => ({
  type: 'selfie.submitted',
  data: { user_id: userId, media_type: 'photo', file_id: fileId, submitted_at: '2026-01-02T03:04:05Z' },
  ...extra,
});
