// The producer's path: one POST /append kept open, each batch written as a chunk of its body without
// waiting, the outcomes read from the streamed answer in order. Many batches are in flight at once
// (the server appends each line as it reads it and answers it once durable, so one sync covers them
// all) and the lines stay in the order of the producer's queue. node:http, not fetch: fetch does not
// hand over the answer while the body is still being written.
import http from 'node:http';
import https from 'node:https';
import { errorFrom, Unavailable } from './errors.js';

const STATUS = {
  invalid_argument: 400, unauthenticated: 401, permission_denied: 403, not_found: 404, request_too_large: 413,
  too_many_events: 413, too_many_requests: 429, unavailable: 503,
  wrong_expected_version: 409, event_id_conflict: 409, rule_violated: 409,
};
/**
 * No route (an older server), or a chunked body refused (Length Required, Not Implemented: a proxy on
 * the way that takes only bodies of a known length): POST /append cannot be used.
 */
const PLAIN_BODIES_ONLY = new Set([404, 405, 411, 501]);
/** Refusals of one line after which the server goes on with the next (the others end the answer). */
const CONFLICTS = new Set(['wrong_expected_version', 'event_id_conflict', 'rule_violated']);
/**
 * A request takes lines for this long, then is ended (and the next opened): a server that is stopping
 * waits for the requests in flight, and a quiet one holds a server thread.
 */
export const REQUEST_MS = 1000;

/**
 * One POST /append request. `sent` holds the items written whose outcome has not come, in order;
 * `done` resolves once the answer has ended, with `error` saying why the items left were not
 * answered (null: they go again at once, as after a bad line).
 */
export class AppendSession {
  constructor(transport, agent, settle) {
    this.sent = [];
    this.head = 0; // sent[head] is the next to be answered
    this.resolved = 0;
    this.writable = true;
    this.ended = false;
    this.error = null;
    this.left = [];
    this.plainBodiesOnly = false;
    this.endsAt = Date.now() + REQUEST_MS;
    this.settle = settle;
    const url = new URL(`${transport.url}/append`);
    const headers = { ...transport.headers('application/x-ndjson'), 'Transfer-Encoding': 'chunked' };
    this.request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent });
    this.done = new Promise((resolve) => { this.finished = resolve; });
    this.request.setTimeout(transport.timeoutMs, () => {
      this.request.destroy(new Unavailable(`unavailable: POST /append: timed out after ${transport.timeoutMs} ms`));
    });
    this.request.on('response', (response) => this.read(response));
    this.request.on('error', (e) => this.end(e instanceof Unavailable ? e
      : new Unavailable(`unavailable: POST /append: ${e.code ?? e.message}`, { code: 'unavailable', cause: e })));
    this.request.flushHeaders();
  }

  get unanswered() {
    return this.sent.length - this.head;
  }

  /** Writes the items as one chunk; false when the request takes no more. Resolves when the body may take more. */
  write(items) {
    if (!this.writable) return false;
    for (const item of items) this.sent.push(item);
    const text = items.map((i) => i.text).join('\n') + '\n';
    if (this.request.write(text)) return true;
    return new Promise((resolve) => {
      const go = () => { this.request.off('close', go); resolve(true); };
      this.request.once('drain', go);
      this.request.once('close', go);
    });
  }

  /** Ends the body: the server answers the lines in flight, then ends its answer. */
  close() {
    if (!this.writable) return;
    this.writable = false;
    this.request.end();
  }

  async read(response) {
    if (PLAIN_BODIES_ONLY.has(response.statusCode)) {
      response.resume();
      this.plainBodiesOnly = true; // the producer sends these lines again as POST /streams batches
      return this.end(null);
    }
    if (response.statusCode !== 200) {
      let parsed = null;
      let text = '';
      try {
        for await (const chunk of response) text += chunk;
        parsed = JSON.parse(text);
      } catch {
        // not JSON or cut: a status without details
      }
      const error = errorFrom(parsed, response.statusCode);
      if (error instanceof Unavailable) return this.end(error);
      if ((response.statusCode === 400 || response.statusCode === 403) && /^line 1: /.test(parsed?.message ?? '')) {
        this.take(error); // a bad first line is its own; the others go again
        return this.end(null);
      }
      while (this.unanswered) this.take(error); // unauthenticated, too many requests, ...: all of them
      return this.end(null);
    }
    let buffered = '';
    try {
      response.setEncoding('utf8');
      for await (const chunk of response) {
        buffered += chunk;
        let start = 0;
        let nl;
        while ((nl = buffered.indexOf('\n', start)) >= 0) {
          const stop = this.outcome(buffered.slice(start, nl));
          if (stop !== undefined) return this.end(stop);
          start = nl + 1;
        }
        buffered = buffered.slice(start);
      }
      const stop = buffered.trim() ? this.outcome(buffered) : undefined;
      if (stop !== undefined) return this.end(stop);
    } catch (e) {
      return this.end(new Unavailable(`unavailable: POST /append: ${e.code ?? e.message}`, { code: 'unavailable', cause: e }));
    }
    this.end(this.unanswered ? new Unavailable('unavailable: POST /append ended before answering every line') : null);
  }

  /** Settles one answered line; returns why the answer stops (null: a bad line, the rest go again). */
  outcome(text) {
    if (!text.trim()) return undefined;
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      return new Unavailable(`unavailable: POST /append answered a line that is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof answer.line !== 'number') return errorFrom(answer, STATUS[answer.error] ?? 503); // the ledger stopped
    if (answer.line !== this.resolved + 1 || !this.unanswered) {
      return new Unavailable(`unavailable: POST /append answered line ${answer.line}, expected ${this.resolved + 1}`);
    }
    if (!answer.error) {
      this.take(null, {
        stream: answer.stream, globalSeq: answer.global_seq, streamVersion: answer.stream_version,
        eventId: answer.event_id, duplicate: answer.duplicate,
      });
      return undefined;
    }
    // Not taken (the ledger failed, a cluster's writer changed): it goes again with the rest, same ids.
    if (answer.error === 'unavailable') return errorFrom(answer, 503);
    this.take(errorFrom(answer, STATUS[answer.error] ?? 500));
    return CONFLICTS.has(answer.error) ? undefined : null;
  }

  take(error, ack) {
    const item = this.sent[this.head];
    this.sent[this.head++] = undefined;
    this.resolved++;
    this.settle(item, error, ack);
  }

  end(error) {
    if (this.ended) return;
    this.ended = true;
    this.writable = false;
    this.error = error;
    this.left = this.sent.slice(this.head);
    // Only a request answered to its end after its body ended leaves a connection fit to reuse.
    if (error !== null || this.left.length || !this.request.writableEnded) this.request.destroy();
    this.finished();
  }
}
