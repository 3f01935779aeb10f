import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../src/index.js';
import { PARTITIONED_URL, RUN, TOKEN, client, faultyProxy } from '../testing/helpers.js';

test('subscribe yields exactly the matching events appended, in order, and ends on break', async () => {
  const c = client();
  const { head } = await c.readAll({ from: 0, limit: 1 });
  const prefix = `sub-${RUN}-`;
  const seen = [];
  const reading = (async () => {
    for await (const e of c.subscribe({ from: head, streamPrefix: prefix, types: ['sub.kept'], pollMs: 20 })) {
      seen.push(e);
      if (seen.length === 6) break;
    }
  })();
  const appended = [];
  for (let i = 0; i < 6; i++) {
    const stream = `${prefix}${i % 2}`;
    appended.push((await c.append(stream, { type: 'sub.kept', data: { i } })).firstGlobalSeq);
    await c.append(stream, { type: 'sub.other', data: { i } }); // filtered out by type
    await c.append(`unsub-${RUN}`, { type: 'sub.kept', data: { i } }); // and by stream
  }
  await reading;
  assert.deepEqual(seen.map((e) => e.data.i), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(seen.map((e) => e.globalSeq), appended);
  assert.ok(seen.every((e) => e.type === 'sub.kept' && e.stream.startsWith(prefix) && e.eventId && e.recordedAt));
});

test('subscribe resumes after 503s and dropped connections without yielding an event twice, and ends on abort', async () => {
  const c = client();
  const { head } = await c.readAll({ from: 0, limit: 1 });
  const stream = `sub-${RUN}-flaky`;
  for (let i = 0; i < 30; i++) await c.append(stream, { type: 'sub.kept', data: { i } });
  const proxy = await faultyProxy((n) => (n % 3 === 1 ? '503' : n % 3 === 2 ? 'drop' : 'pass'));
  const controller = new AbortController();
  try {
    const flaky = new Client({ url: proxy.url, token: TOKEN, retry: { baseMs: 5, capMs: 20 } });
    const seen = [];
    for await (const e of flaky.subscribe({ from: head, streamPrefix: stream, pollMs: 10, waitMs: 200, batch: 7, signal: controller.signal })) {
      seen.push(e.data.i);
      if (seen.length === 30) setTimeout(() => controller.abort(), 50); // ends the loop without an error
    }
    assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i));
    assert.ok(proxy.requests() > 6);
  } finally {
    await proxy.close();
  }
});

test('subscribe over several partitions resumes from the next of the last event, each event once', async () => {
  const c = new Client({ url: PARTITIONED_URL, token: TOKEN, timeoutMs: 10_000 });
  const { head } = await c.readAll({ from: 0, limit: 1 });
  assert.equal(typeof head, 'string', 'positions over 3 partitions are text');
  const prefix = `parts-${RUN}-`;
  for (let n = 0; n < 9; n++) await c.append(`${prefix}${n % 3}`, { type: 'part.added', data: { n } });
  const first = [];
  for await (const e of c.subscribe({ from: head, streamPrefix: prefix, pollMs: 20 })) {
    first.push(e);
    if (first.length === 4) break;
  }
  assert.ok(first.every((e) => e.partition === Number(e.stream.at(-1))));
  for (let n = 9; n < 12; n++) await c.append(`${prefix}${n % 3}`, { type: 'part.added', data: { n } });
  const rest = [];
  for await (const e of c.subscribe({ from: first[3].next, streamPrefix: prefix, pollMs: 20 })) {
    rest.push(e);
    if (rest.length === 8) break;
  }
  const all = [...first, ...rest];
  assert.deepEqual(all.map((e) => e.data.n).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
  for (let p = 0; p < 3; p++) {
    const mine = all.filter((e) => e.partition === p).map((e) => e.data.n);
    assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `partition ${p} in its order`);
  }
  await assert.rejects(c.readAll({ from: '1,2' }), (e) => e.status === 400 && e.field === 'from');
});
