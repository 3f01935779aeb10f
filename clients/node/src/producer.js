// A batching producer: concurrent append() calls are sent as NDJSON lines of POST /append, one
// request at a time so that the ledger stores them in call order.
import { randomUUID } from 'node:crypto';
import { errorFrom, IndelibleError, Unavailable } from './errors.js';
import { sleep, backoff, retryable } from './transport.js';

const STATUS = {
  invalid_argument: 400, unauthenticated: 401, permission_denied: 403, not_found: 404, request_too_large: 413,
  too_many_events: 413, too_many_requests: 429, unavailable: 503,
  wrong_expected_version: 409, event_id_conflict: 409, rule_violated: 409,
};

export class Producer {
  /**
   * @param {import('./transport.js').Transport} transport
   * @param {{lingerMs?: number, maxBatch?: number}} options lingerMs: how long the first append of an idle
   *   producer waits for others to join its request; maxBatch: most lines per request
   */
  constructor(transport, { lingerMs = 5, maxBatch = 1000 } = {}) {
    if (!(maxBatch >= 1)) throw new TypeError('maxBatch must be >= 1');
    this.transport = transport;
    this.lingerMs = lingerMs;
    this.maxBatch = maxBatch;
    this.queue = [];
    this.outstanding = new Set();
    this.running = false;
    this.closed = false;
    this.wake = null;
    this.stats = { requests: 0, lines: 0, retries: 0 };
  }

  /**
   * Queues one event for `stream`; resolves its ack {stream, globalSeq, streamVersion, eventId, duplicate}
   * once durable, or rejects with the typed error of its own line (WrongExpectedVersion, RuleViolated,
   * InvalidEvent, PermissionDenied, ...). The event gets a random id if it has none, and keeps it
   * through retries.
   */
  append(stream, event, { expectedVersion } = {}) {
    if (this.closed) return Promise.reject(new IndelibleError('the producer is closed', { code: 'closed' }));
    if (typeof stream !== 'string' || !stream) return Promise.reject(new TypeError('stream must be a non-empty string'));
    if (!event || typeof event.type !== 'string' || !event.data || typeof event.data !== 'object') {
      return Promise.reject(new TypeError('event must be {type, data, eventId?}'));
    }
    const eventId = event.eventId ?? event.event_id ?? randomUUID();
    const line = { stream, type: event.type, data: event.data, event_id: eventId };
    if (expectedVersion !== undefined && expectedVersion !== null) line.expect = String(expectedVersion);
    let item;
    const promise = new Promise((resolve, reject) => {
      item = { text: JSON.stringify(line), eventId, resolve, reject, settled: false };
    });
    const done = promise.then(() => {}, () => {});
    this.outstanding.add(done);
    done.then(() => this.outstanding.delete(done));
    this.queue.push(item);
    if (this.queue.length >= this.maxBatch && this.wake) this.wake();
    if (!this.running) this.run();
    return promise;
  }

  /** Resolves once every append made before the call is acknowledged or rejected. */
  async flush() {
    if (this.wake) this.wake();
    await Promise.all([...this.outstanding]);
  }

  /** Flushes, then refuses new appends. */
  async close() {
    this.closed = true;
    await this.flush();
  }

  async run() {
    this.running = true;
    try {
      // An idle producer lingers so that concurrent callers share the request.
      if (this.lingerMs > 0 && this.queue.length < this.maxBatch) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, this.lingerMs);
          this.wake = () => { clearTimeout(timer); resolve(); };
        });
        this.wake = null;
      }
      while (this.queue.length) {
        await this.send(this.queue.splice(0, this.maxBatch));
      }
    } finally {
      this.running = false;
    }
    if (this.queue.length) this.run();
  }

  /** Sends `items` until each is settled: acks and conflicts settle theirs; the rest are resent with the same ids. */
  async send(items) {
    const retry = this.transport.retry;
    const deadline = Date.now() + retry.maxMs;
    let pending = items;
    let failures = 0;
    while (pending.length) {
      let problem = null; // why some lines were not answered: retried after a backoff when retryable
      const before = pending.length;
      try {
        await this.request(pending);
      } catch (e) {
        problem = e;
      }
      pending = pending.filter((i) => !i.settled);
      if (!pending.length) return;
      if (pending.length < before) failures = 0; // progress: the budget starts again
      if (problem && !retryable(problem)) {
        for (const i of pending) settle(i, problem);
        return;
      }
      if (!problem) continue; // a bad line ended the answer: the lines after it are sent again at once
      const wait = backoff(failures, retry);
      if (++failures >= retry.attempts || Date.now() + wait > deadline) {
        for (const i of pending) settle(i, problem);
        return;
      }
      this.stats.retries++;
      await sleep(wait);
    }
  }

  /** One POST /append of `items`; settles the lines answered; throws why the others were not. */
  async request(items) {
    this.stats.requests++;
    this.stats.lines += items.length;
    const body = items.map((i) => i.text).join('\n') + '\n';
    const response = await this.transport.fetch('/append', { method: 'POST', body, contentType: 'application/x-ndjson' });
    if (!response.ok) {
      let parsed = null;
      try {
        parsed = JSON.parse(await response.text());
      } catch {
        // not JSON: a status without details
      }
      const error = errorFrom(parsed, response.status);
      if ((response.status === 400 || response.status === 403) && /^line 1: /.test(parsed?.message ?? '')) {
        settle(items[0], error); // a bad first line is its own; the others go again
        return;
      }
      throw error;
    }
    let ended = null;
    let lastAnswered = null;
    const onLine = (text) => {
      if (!text.trim()) return;
      let answer;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new Unavailable(`unavailable: POST /append answered a line that is not JSON: ${text.slice(0, 200)}`);
      }
      if (typeof answer.line !== 'number') {
        ended = errorFrom(answer, STATUS[answer.error] ?? 500); // e.g. the ledger stopped: unavailable
        return;
      }
      const item = items[answer.line - 1];
      if (!item) return;
      lastAnswered = item;
      if (item.settled) return;
      if (answer.error) {
        settle(item, errorFrom(answer, STATUS[answer.error] ?? 500));
      } else {
        settle(item, null, {
          stream: answer.stream, globalSeq: answer.global_seq, streamVersion: answer.stream_version,
          eventId: answer.event_id, duplicate: answer.duplicate,
        });
      }
    };
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          onLine(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      }
      buffered += decoder.decode();
      onLine(buffered);
    } catch (e) {
      throw this.transport.failure(e, undefined, 'POST', '/append');
    }
    if (ended) throw ended;
    // A bad or forbidden line ends the answer and the lines after it were not read: send them again.
    // Fewer lines answered without one is a dropped answer: retried.
    if (items.some((i) => !i.settled) && !(lastAnswered && lastAnswered.badLine)) {
      throw new Unavailable('unavailable: POST /append ended before answering every line');
    }
  }
}

/** A refusal that ends a POST /append answer (the lines after it were not read). */
const isBadLine = (e) => e.code === 'invalid_argument' || e.code === 'permission_denied';

function settle(item, error, ack) {
  if (item.settled) return;
  item.settled = true;
  if (error) {
    item.error = error;
    item.badLine = isBadLine(error);
    item.reject(error);
  } else {
    item.resolve(ack);
  }
}
