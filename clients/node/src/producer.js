// A batching producer: concurrent append() calls are sent as NDJSON lines of one POST /append kept
// open (appendStream.js), many batches in flight, so that the ledger stores them in call order; where
// POST /append cannot be used (a proxy refusing chunked bodies), as POST /streams batches (streamBatches.js).
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { IndelibleError } from './errors.js';
import { AppendSession } from './appendStream.js';
import { sendAsBatches } from './streamBatches.js';
import { sleep, backoff, retryable } from './transport.js';

export class Producer {
  /**
   * @param {import('./transport.js').Transport} transport
   * @param {{lingerMs?: number, maxBatch?: number}} options lingerMs: how long the oldest waiting append
   *   may wait for others to join its chunk; maxBatch: most lines per chunk
   */
  constructor(transport, { lingerMs = 5, maxBatch = 1000 } = {}) {
    if (!(maxBatch >= 1)) throw new TypeError('maxBatch must be >= 1');
    this.transport = transport;
    this.lingerMs = lingerMs;
    this.maxBatch = maxBatch;
    this.queue = [];
    this.outstanding = new Set();
    this.running = null; // the sender loop, while it runs
    this.closed = false;
    this.wake = null;
    this.session = null; // the open POST /append
    this.batches = false; // POST /streams batches instead: POST /append was refused on the way
    this.failures = 0; // retries since the last progress
    this.retryDeadline = 0;
    this.agent = new (new URL(transport.url).protocol === 'https:' ? https : http).Agent({ keepAlive: true });
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
      item = { line, text: JSON.stringify(line), eventId, resolve, reject, settled: false, at: Date.now(), outstanding: this.outstanding };
    });
    this.outstanding.add(item);
    this.queue.push(item);
    if (this.wake) this.wake();
    if (!this.running) this.running = this.run();
    return promise;
  }

  /** Resolves once every append made before the call is acknowledged or rejected. */
  async flush() {
    if (this.wake) this.wake();
    await Promise.all([...this.outstanding].map((i) => i.done ?? (i.done = new Promise((r) => { i.onSettled = r; }))));
  }

  /** Flushes, then refuses new appends and ends the request. */
  async close() {
    this.closed = true;
    await this.flush();
    if (this.wake) this.wake();
    await this.running;
    this.agent.destroy();
  }

  async run() {
    try {
      for (let batch = await this.take(); batch !== null; batch = await this.take()) {
        if (batch.length) await this.send(batch);
        else await this.idle();
      }
    } finally {
      this.running = null;
    }
  }

  /** The next batch; [] when the open request has ended or gone quiet; null when nothing is left to do. */
  async take() {
    while (!this.queue.length) {
      const s = this.session;
      if (!s) return null;
      const left = s.endsAt - Date.now();
      if (s.ended || this.closed || left <= 0) return [];
      await this.sleep(left, s.done);
    }
    // Linger from the oldest append's arrival: under load it has waited long enough already.
    for (;;) {
      const left = this.queue[0].at + this.lingerMs - Date.now();
      if (left <= 0 || this.queue.length >= this.maxBatch || this.closed) break;
      await this.sleep(left);
    }
    return this.queue.splice(0, this.maxBatch);
  }

  /** Waits `ms`, or until an append or close() wakes the loop, or `also` resolves. */
  sleep(ms, also) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
      also?.then(() => this.wake?.());
    });
  }

  /** Writes `items` to the open request (opening one), first sending again what an ended one left. */
  async send(items) {
    let pending = items;
    for (;;) {
      const s = this.session;
      if (s && (s.ended || Date.now() >= s.endsAt)) {
        s.close();
        pending = [...(await this.recover()), ...pending];
      }
      if (!pending.length) return;
      if (this.batches) {
        this.stats.lines += pending.length;
        await sendAsBatches(this.transport, pending, settle, this.stats);
        return;
      }
      if (!this.session) {
        this.session = new AppendSession(this.transport, this.agent, settle);
        this.stats.requests++;
      }
      const written = this.session.write(pending);
      if (written === false) {
        await this.session.done;
        continue;
      }
      this.stats.lines += pending.length;
      pending = [];
      await written; // the body takes more (or the request ended)
    }
  }

  /** Nothing to send: sends again what an ended request left; ends one past its time. */
  async idle() {
    const s = this.session;
    if (!s) return;
    if (!s.ended && !this.closed && Date.now() < s.endsAt) return;
    s.close();
    const left = await this.recover();
    if (left.length) await this.send(left);
  }

  /**
   * Waits for the open request's answer to end; returns its lines without an outcome, to send again
   * (after a backoff when it failed; rejected themselves when the retries run out or it is not retryable).
   */
  async recover() {
    const s = this.session;
    await s.done;
    this.session = null;
    if (s.resolved) this.failures = 0; // progress: the budget starts again
    if (s.plainBodiesOnly) this.batches = true;
    const left = s.left;
    if (!left.length || s.error === null) return left;
    const retry = this.transport.retry;
    if (this.failures === 0) this.retryDeadline = Date.now() + retry.maxMs;
    const wait = backoff(this.failures, retry);
    if (!retryable(s.error) || ++this.failures >= retry.attempts || Date.now() + wait > this.retryDeadline) {
      for (const i of left) settle(i, s.error);
      return [];
    }
    this.stats.retries++;
    await sleep(wait);
    return left;
  }
}

function settle(item, error, ack) {
  if (item.settled) return;
  item.settled = true;
  item.outstanding.delete(item);
  if (error) item.reject(error);
  else item.resolve(ack);
  item.onSettled?.();
}
