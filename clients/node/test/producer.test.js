import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, WrongExpectedVersion, InvalidEvent, PermissionDenied } from '../src/index.js';
import { RUN, TOKEN, NARROW_TOKEN, URL, client, faultyProxy, readAllEvents, selfie, userBase } from '../testing/helpers.js';

const WORKERS = 8;
const PER_WORKER = 2000;

test('producer: 8 concurrent workers x 2,000 selfies are all acked, stored once, each worker in order', async (t) => {
  const c = client();
  const producer = c.producer({ lingerMs: 5, maxBatch: 1000 });
  const base = userBase();
  const { head: start } = await c.readAll({ from: 0, limit: 1 });
  const acks = Array.from({ length: WORKERS }, () => []);
  const ids = Array.from({ length: WORKERS }, () => []);
  const began = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    const window = [];
    for (let i = 0; i < PER_WORKER; i++) {
      const eventId = randomUUID();
      ids[w].push(eventId);
      window.push(producer.append(`selfies-user-${base + w}`, selfie(base + w, `p-${RUN}-${w}-${i}`, { eventId }))
        .then((ack) => { acks[w][i] = ack; }));
      if (window.length >= 250) await window.shift(); // each worker keeps at most 250 in flight
      if (i % 100 === 0) await new Promise(setImmediate);
    }
    await Promise.all(window);
  }));
  await producer.flush();
  const seconds = (performance.now() - began) / 1000;
  const total = WORKERS * PER_WORKER;
  t.diagnostic(`producer: ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s `
    + `(${producer.stats.requests} requests, ${producer.stats.retries} retries)`);

  for (let w = 0; w < WORKERS; w++) {
    assert.equal(acks[w].filter(Boolean).length, PER_WORKER, `worker ${w} all acked`);
    acks[w].forEach((a, i) => {
      assert.equal(a.eventId, ids[w][i]);
      assert.equal(a.streamVersion, i, `worker ${w} line ${i} in order`);
      assert.equal(a.duplicate, false);
      if (i > 0) assert.ok(a.globalSeq > acks[w][i - 1].globalSeq);
    });
  }
  const streams = new Set(Array.from({ length: WORKERS }, (_, w) => `selfies-user-${base + w}`));
  const stored = await readAllEvents(c, (e) => streams.has(e.stream), start);
  assert.equal(stored.length, total, 'each stored once');
  assert.equal(new Set(stored.map((e) => e.eventId)).size, total);
  for (let w = 0; w < WORKERS; w++) {
    const mine = stored.filter((e) => e.stream === `selfies-user-${base + w}`);
    assert.deepEqual(mine.map((e) => e.data.file_id), ids[w].map((_, i) => `p-${RUN}-${w}-${i}`), `worker ${w} order`);
    assert.deepEqual(mine.map((e) => e.eventId), ids[w]);
  }
  await producer.close();
});

test('producer: batches go out without waiting for the answers of those before', async () => {
  // 200 batches of 10: one request each if every batch waited for its answer.
  const producer = client().producer({ lingerMs: 0, maxBatch: 10 });
  const stream = `orders-${RUN}-pipelined`;
  const acks = await Promise.all(Array.from({ length: 2000 },
    (_, i) => producer.append(stream, { type: 'order.placed', data: { n: i } })));
  assert.deepEqual(acks.map((a) => a.streamVersion), Array.from({ length: 2000 }, (_, i) => i));
  assert.ok(producer.stats.requests < 20, JSON.stringify(producer.stats));
  await producer.close();
});

test('producer: a conflict rejects only its own promise, the others are acked in order', async () => {
  const c = client();
  const producer = c.producer();
  const stream = `orders-${RUN}-prod`;
  const p = [
    producer.append(stream, { type: 'order.placed', data: { n: 0 } }, { expectedVersion: 'new' }),
    producer.append(stream, { type: 'order.placed', data: { n: 1 } }, { expectedVersion: 'new' }),
    producer.append(stream, { type: 'order.placed', data: { n: 2 } }, { expectedVersion: 0 }),
    producer.append(stream, { type: 'order.placed', data: { n: 3 } }, { expectedVersion: 7 }),
    producer.append('selfies-user-0', selfie(0, 'zero')), // a bad line ends the answer: those after it go again
    producer.append(stream, { type: 'order.placed', data: { n: 5 } }),
  ];
  const r = await Promise.allSettled(p);
  assert.equal(r[0].value.streamVersion, 0);
  assert.ok(r[1].reason instanceof WrongExpectedVersion);
  assert.equal(r[1].reason.actualVersion, 0);
  assert.equal(r[2].value.streamVersion, 1);
  assert.ok(r[3].reason instanceof WrongExpectedVersion);
  assert.ok(r[4].reason instanceof InvalidEvent);
  assert.equal(r[4].reason.field, 'data.user_id');
  assert.equal(r[5].value.streamVersion, 2);
  const narrow = new Client({ url: URL, token: NARROW_TOKEN }).producer();
  const user = userBase();
  const n = await Promise.allSettled([
    narrow.append('accounts-1', { type: 'x.y', data: {} }),
    narrow.append(`selfies-user-${user}`, selfie(user, 'n1')),
  ]);
  assert.ok(n[0].reason instanceof PermissionDenied);
  assert.equal(n[1].value.streamVersion, 0);
  await producer.close();
  await assert.rejects(producer.append(stream, { type: 'order.placed', data: {} }), /closed/);
});

test('producer: a dropped answer and 503 are retried with the same ids, nothing stored twice', async () => {
  // request 0: appended, but only half the answer arrives; request 1: 503; then the rest is resent
  const proxy = await faultyProxy((n) => ['truncate', '503'][n] ?? 'pass');
  try {
    const c = new Client({ url: proxy.url, token: TOKEN, retry: { baseMs: 10, capMs: 50 } });
    const producer = c.producer({ lingerMs: 20 });
    const stream = `orders-${RUN}-drop`;
    const acks = await Promise.all(Array.from({ length: 10 },
      (_, i) => producer.append(stream, { type: 'order.placed', data: { n: i } })));
    assert.deepEqual(acks.map((a) => a.streamVersion), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(acks.map((a) => a.duplicate), [...Array(5).fill(false), ...Array(5).fill(true)]);
    assert.equal(proxy.requests(), 3);
    const read = await client().readStream(stream);
    assert.deepEqual(read.events.map((e) => e.data.n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  } finally {
    await proxy.close();
  }
});

test('producer: behind a proxy that refuses chunked bodies (411), appends go as POST /streams batches', async () => {
  const proxy = await faultyProxy((n, req) => (req.headers['transfer-encoding'] === 'chunked' ? '411' : 'pass'));
  try {
    const producer = new Client({ url: proxy.url, token: TOKEN, timeoutMs: 10_000 }).producer({ lingerMs: 20 });
    const stream = `orders-${RUN}-411`;
    const first = await Promise.all(Array.from({ length: 300 },
      (_, i) => producer.append(stream, { type: 'order.placed', data: { n: i } })));
    const r = await Promise.allSettled([
      producer.append(stream, { type: 'order.placed', data: { n: 300 } }, { expectedVersion: 299 }),
      producer.append(stream, { type: 'order.placed', data: { n: 301 } }, { expectedVersion: 299 }),
      producer.append('selfies-user-0', selfie(0, 'zero')),
      producer.append(stream, { type: 'order.placed', data: { n: 302 } }),
    ]);
    assert.deepEqual(first.map((a) => a.streamVersion), Array.from({ length: 300 }, (_, i) => i));
    assert.equal(r[0].value.streamVersion, 300);
    assert.ok(r[1].reason instanceof WrongExpectedVersion);
    assert.equal(r[1].reason.actualVersion, 300);
    assert.ok(r[2].reason instanceof InvalidEvent);
    assert.equal(r[2].reason.field, 'data.user_id', 'named as POST /append names it');
    assert.equal(r[3].value.streamVersion, 301);
    assert.ok(producer.stats.requests < 20, `batches, not one request per append: ${JSON.stringify(producer.stats)}`);
    await producer.close();
    const read = await client().readStream(stream, { limit: 1000 });
    assert.deepEqual(read.events.map((e) => e.data.n), [...Array.from({ length: 301 }, (_, i) => i), 302]);
  } finally {
    await proxy.close();
  }
});
