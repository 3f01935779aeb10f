// HTTP with a bearer token, per-request timeouts and bounded retries (network errors, timeouts, 503).
import { errorFrom, IndelibleError, Unavailable } from './errors.js';

export const DEFAULT_RETRY = Object.freeze({ attempts: 8, maxMs: 30_000, baseMs: 50, capMs: 2_000 });

export const sleep = (ms, signal) => new Promise((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
  const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** Full-jitter exponential backoff for attempt n (0-based). */
export const backoff = (n, { baseMs, capMs }) => Math.random() * Math.min(capMs, baseMs * 2 ** n) + baseMs / 2;

/** Whether `e` (thrown by fetch or by us) is worth a retry with the same event ids. */
export function retryable(e) {
  return e instanceof Unavailable;
}

export class Transport {
  constructor({ url, token, timeoutMs = 30_000, retry = {} }) {
    if (!url) throw new TypeError('Client: url is required (e.g. http://127.0.0.1:7171)');
    this.url = String(url).replace(/\/+$/, '');
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  headers(contentType) {
    const h = { Accept: 'application/json' };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (contentType) h['Content-Type'] = contentType;
    return h;
  }

  /**
   * One fetch with the client's timeout; network failures and timeouts become Unavailable, the
   * caller's abort stays an AbortError. Resolves the Response (any status).
   */
  async fetch(path, { method = 'GET', body, contentType, signal } = {}) {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await fetch(this.url + path, { method, body, headers: this.headers(contentType), signal: combined });
    } catch (e) {
      throw this.failure(e, signal, method, path);
    }
  }

  failure(e, signal, method, path) {
    if (signal?.aborted) return signal.reason ?? e;
    if (e instanceof IndelibleError) return e;
    const why = e?.name === 'TimeoutError' || e?.name === 'AbortError' ? `timed out after ${this.timeoutMs} ms`
      : `${e?.cause?.code ?? e?.cause?.message ?? e?.message ?? e}`;
    return new Unavailable(`unavailable: ${method} ${path}: ${why}`, { code: 'unavailable', cause: e });
  }

  /** A JSON request; resolves the parsed answer of a 2xx, throws the typed error otherwise. */
  async once(path, opts = {}) {
    const response = await this.fetch(path, opts);
    let text;
    try {
      text = await response.text();
    } catch (e) {
      throw this.failure(e, opts.signal, opts.method ?? 'GET', path);
    }
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: response.status === 503 ? 'unavailable' : `http_${response.status}`, message: text.slice(0, 200) };
    }
    if (!response.ok) throw errorFrom(parsed, response.status);
    return parsed;
  }

  /** As once(), retried with backoff after Unavailable (the same body: the same event ids). */
  async call(path, opts = {}) {
    const { attempts, maxMs } = this.retry;
    const deadline = Date.now() + maxMs;
    for (let n = 0; ; n++) {
      try {
        return await this.once(path, opts);
      } catch (e) {
        const wait = backoff(n, this.retry);
        if (!retryable(e) || n + 1 >= attempts || Date.now() + wait > deadline) throw e;
        await sleep(wait, opts.signal);
      }
    }
  }
}
