// The client: appends, reads, subscriptions, the batching producer and the domain helpers.
import { randomUUID } from 'node:crypto';
import { Transport, sleep, backoff, retryable } from './transport.js';
import { IndelibleError } from './errors.js';
import { Producer } from './producer.js';
import { Selfies, Accounts, Community, Videos, Messages } from './domain.js';

/** 'any' | 'new' | 'exists' | a version >= 0 (number, bigint or digits) as the server's text, or undefined. */
export function expectedText(expectedVersion) {
  if (expectedVersion === undefined || expectedVersion === null) return undefined;
  if (typeof expectedVersion === 'number' || typeof expectedVersion === 'bigint') return String(expectedVersion);
  return String(expectedVersion);
}

/** The wire form of one event {type, data, eventId?}: an id is given here if missing, so retries are safe. */
export function wireEvent(event, where = 'event') {
  if (!event || typeof event !== 'object') throw new TypeError(`${where} must be an object {type, data, eventId?}`);
  if (typeof event.type !== 'string' || !event.type) throw new TypeError(`${where}.type must be a non-empty string`);
  if (!event.data || typeof event.data !== 'object' || Array.isArray(event.data)) {
    throw new TypeError(`${where}.data must be a JSON object`);
  }
  return { type: event.type, data: event.data, event_id: event.eventId ?? event.event_id ?? randomUUID() };
}

/**
 * One stored event, as /events and subscribe() give it. From a journal of several partitions it
 * also has `partition` (globalSeq counts within it) and `next`, where to read on from past it.
 */
export function recordedEvent(e) {
  const out = {
    globalSeq: e.global_seq, stream: e.stream, streamVersion: e.stream_version, type: e.type, eventId: e.event_id,
    recordedAt: e.recorded_at, producerId: e.producer_id, data: e.data,
  };
  if (e.data_base64 !== undefined) out.dataBase64 = e.data_base64;
  if (e.metadata !== undefined) out.metadata = e.metadata;
  if (e.partition !== undefined) {
    out.partition = e.partition;
    out.next = e.next;
  }
  return out;
}

const query = (params) => {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

export class Client {
  /**
   * @param {{url: string, token?: string, timeoutMs?: number,
   *          retry?: {attempts?: number, maxMs?: number, baseMs?: number, capMs?: number}}} options
   */
  constructor({ url, token, timeoutMs = 30_000, retry } = {}) {
    this.transport = new Transport({ url, token, timeoutMs, retry });
    this.selfies = new Selfies(this);
    this.accounts = new Accounts(this);
    this.community = new Community(this);
    this.videos = new Videos(this);
    this.messages = new Messages(this);
  }

  /**
   * Appends one event or an array of them to `stream`, all or nothing; resolves an Appended
   * {stream, firstGlobalSeq, lastGlobalSeq, firstStreamVersion, lastStreamVersion, count, duplicate, eventIds}.
   * Retried with the same event ids after network errors, timeouts and 503.
   */
  async append(stream, events, { expectedVersion, signal } = {}) {
    if (typeof stream !== 'string' || !stream) throw new TypeError('stream must be a non-empty string');
    const single = !Array.isArray(events);
    const list = (single ? [events] : events).map((e, i) => wireEvent(e, single ? 'event' : `events[${i}]`));
    const expected = expectedText(expectedVersion);
    // One event goes as itself, so that the server's errors name its fields as `data.user_id`, not `events[0].data.user_id`.
    const body = single ? list[0] : { events: list };
    const path = `/streams/${encodeURIComponent(stream)}${expected === undefined ? '' : query({ expected_version: expected })}`;
    const a = await this.transport.call(path, {
      method: 'POST', body: JSON.stringify(body), contentType: 'application/json', signal,
    });
    return {
      stream: a.stream, firstGlobalSeq: a.first_global_seq, lastGlobalSeq: a.last_global_seq,
      firstStreamVersion: a.first_stream_version, lastStreamVersion: a.last_stream_version,
      count: a.count, duplicate: a.duplicate, eventIds: list.map((e) => e.event_id),
    };
  }

  /**
   * POST /transactions: appends to several streams as one step, all or nothing, if every part's
   * stream is at its expected version and every condition holds. `parts`: [{stream, events,
   * expectedVersion?}], `conditions`: [{stream, expectedVersion}] on streams it does not write.
   * Resolves {firstGlobalSeq, lastGlobalSeq, duplicate, parts: [Appended], eventIds: [[ids of part 0], ...]};
   * pass the event ids again to retry (answered as a duplicate). A refusal throws the errors of
   * append(), with `.part` or `.condition` the index of what failed and `.field` naming it
   * (`parts[1].expected_version`, `conditions[0].expected_version`).
   */
  async appendTransaction(parts, conditions = [], { signal } = {}) {
    if (!Array.isArray(parts) || parts.length === 0) throw new TypeError('parts must be a non-empty array');
    const wireParts = parts.map((p, i) => {
      if (!p || typeof p.stream !== 'string' || !p.stream) throw new TypeError(`parts[${i}].stream must be a non-empty string`);
      if (!Array.isArray(p.events) || p.events.length === 0) throw new TypeError(`parts[${i}].events must be a non-empty array`);
      return { stream: p.stream, expected_version: expectedText(p.expectedVersion),
        events: p.events.map((e, k) => wireEvent(e, `parts[${i}].events[${k}]`)) };
    });
    const wireConditions = conditions.map((c, i) => {
      if (!c || c.expectedVersion === undefined) throw new TypeError(`conditions[${i}].expectedVersion is required`);
      return { stream: c.stream, expected_version: expectedText(c.expectedVersion) };
    });
    const t = await this.transport.call('/transactions', {
      method: 'POST', body: JSON.stringify({ parts: wireParts, conditions: wireConditions }),
      contentType: 'application/json', signal,
    });
    return {
      firstGlobalSeq: t.first_global_seq, lastGlobalSeq: t.last_global_seq, duplicate: t.duplicate,
      parts: t.parts.map((a) => ({
        stream: a.stream, firstGlobalSeq: a.first_global_seq, lastGlobalSeq: a.last_global_seq,
        firstStreamVersion: a.first_stream_version, lastStreamVersion: a.last_stream_version,
        count: a.count, duplicate: a.duplicate,
      })),
      eventIds: wireParts.map((p) => p.events.map((e) => e.event_id)),
    };
  }

  /**
   * GET /events: {events, next, head}, only the streams the token may read. Over a journal of
   * several partitions `from`, `next` and `head` are positions as text ("12,0,7"; 0 is the
   * start): pass `next` or an event's `next` back as it is. Each partition comes in its order.
   */
  async readAll({ from = 0, limit = 100, signal } = {}) {
    const page = await this.transport.call(`/events${query({ from, limit })}`, { signal });
    return { events: page.events.map(recordedEvent), next: page.next, head: page.head };
  }

  /** GET /streams/{stream}: {stream, events, nextVersion}. */
  async readStream(stream, { fromVersion = 0, limit = 100, signal } = {}) {
    const page = await this.transport.call(`/streams/${encodeURIComponent(stream)}${query({ from_version: fromVersion, limit })}`,
      { signal });
    return { stream: page.stream, events: page.events.map(recordedEvent), nextVersion: page.next_version };
  }

  /** GET /projections/{name}?...: the rows. */
  async query(projection, params = {}, { signal } = {}) {
    const answer = await this.transport.call(`/projections/${encodeURIComponent(projection)}${query(params)}`, { signal });
    return answer.rows;
  }

  /**
   * POST /admin/erase?subject= (verb admin): crypto-shredding of a data subject, e.g.
   * `account-<accountId>`. The server appends `ops.erase` and destroys the subject's key, so its
   * personal fields read `[erased]` everywhere; the events stay. Resolves true when this call erased
   * it, false when it had been erased before (a retry after a lost answer reads false). NotFound
   * (field `subject`) when nothing of it was sealed, InvalidEvent (field `subject`) for an empty one;
   * nothing is written then. Any node of a cluster takes it.
   */
  async erase(subject, { signal } = {}) {
    const answer = await this.transport.call(`/admin/erase${query({ subject })}`, { method: 'POST', signal });
    return !answer.already_erased;
  }

  /** GET /status. */
  async status({ signal } = {}) {
    return this.transport.call('/status', { signal });
  }

  /** A batching producer over POST /append (see Producer). */
  producer(options = {}) {
    return new Producer(this.transport, options);
  }

  /**
   * Events from `from` (a global_seq) on, in order, by polling GET /events; filtered here by
   * `streamPrefix` (a string or an array of them) and `types`. It resumes by itself after network
   * errors and 503 from the last global_seq + 1 and never yields an event twice; it ends when the
   * caller breaks out of the loop or `signal` aborts. Other errors (401, 403, 400) are thrown.
   * Over a journal of several partitions `from` is positions as text (an event's `next`), and
   * events come in each partition's order, none across partitions: resume from the last event's `next`.
   */
  subscribe({ from = 0, streamPrefix, types, pollMs = 200, waitMs = 10_000, batch = 1000, signal } = {}) {
    const prefixes = streamPrefix === undefined || streamPrefix === null ? null
      : Array.isArray(streamPrefix) ? streamPrefix : [streamPrefix];
    const wanted = types ? new Set(Array.isArray(types) ? types : [types]) : null;
    const transport = this.transport;
    const keep = (e) => (!prefixes || prefixes.some((p) => e.stream.startsWith(p))) && (!wanted || wanted.has(e.type));
    return (async function* subscription() {
      let position = from;
      const lastIn = new Map(); // over several partitions: the last globalSeq yielded per partition
      let failures = 0;
      const aborted = () => signal?.aborted;
      while (!aborted()) {
        let page;
        try {
          // A long poll, filtered by the server where it can be: an empty answer means nothing came within the wait.
          page = await transport.once(`/events${query({
            from: position, limit: batch, wait: waitMs > 0 ? `${waitMs}ms` : undefined,
            stream_prefix: prefixes && prefixes.length === 1 ? prefixes[0] : undefined,
            type: wanted ? [...wanted].join(',') : undefined,
          })}`, { signal });
          failures = 0;
        } catch (e) {
          if (aborted()) return;
          if (!retryable(e)) throw e;
          try {
            await sleep(backoff(Math.min(failures++, 10), transport.retry), signal);
          } catch {
            return;
          }
          continue;
        }
        const partitioned = typeof page.next === 'string'; // positions over several partitions: the server's, as they are
        for (const raw of page.events) {
          if (partitioned) {
            if (raw.global_seq <= (lastIn.get(raw.partition) ?? -1)) continue; // never twice
            lastIn.set(raw.partition, raw.global_seq);
          } else {
            if (raw.global_seq < position) continue; // never twice
            position = raw.global_seq + 1;
          }
          const e = recordedEvent(raw);
          if (keep(e)) {
            yield e;
            if (aborted()) return;
          }
        }
        position = partitioned ? page.next : Math.max(position, page.next);
        const caughtUp = partitioned ? position === page.head : position >= page.head;
        if (page.events.length === 0 && caughtUp && waitMs === 0) { // caught up, no long poll: wait here
          try {
            await sleep(pollMs, signal);
          } catch {
            return;
          }
        }
      }
    })();
  }
}

export { IndelibleError };
