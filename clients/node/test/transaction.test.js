import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WrongExpectedVersion, InvalidEvent, NotFound } from '../src/index.js';
import { RUN, client } from '../testing/helpers.js';

test('appendTransaction commits every part, answers its retry as a duplicate and names a refused part', async () => {
  const c = client();
  const order = `orders-${RUN}-tx`;
  const stock = `stock-${RUN}-tx`;
  const parts = [
    { stream: order, expectedVersion: 'new', events: [{ type: 'order.placed', data: { n: 1 } }] },
    { stream: stock, expectedVersion: 'new', events: [{ type: 'stock.reserved', data: { n: 1 } }, { type: 'stock.reserved', data: { n: 2 } }] },
  ];
  const conditions = [{ stream: `closed-${RUN}-tx`, expectedVersion: 'new' }];
  const first = await c.appendTransaction(parts, conditions);
  assert.equal(first.duplicate, false);
  assert.deepEqual(first.parts.map((p) => [p.stream, p.count, p.firstStreamVersion]), [[order, 1, 0], [stock, 2, 0]]);
  assert.equal(first.lastGlobalSeq, first.firstGlobalSeq + 2);

  const retryParts = parts.map((p, i) => ({ ...p, events: p.events.map((e, k) => ({ ...e, eventId: first.eventIds[i][k] })) }));
  const retry = await c.appendTransaction(retryParts, conditions);
  assert.equal(retry.duplicate, true);
  assert.equal(retry.firstGlobalSeq, first.firstGlobalSeq);

  const other = `orders-${RUN}-tx-2`;
  await assert.rejects(c.appendTransaction([
    { stream: other, events: [{ type: 'order.placed', data: {} }] },
    { stream: stock, expectedVersion: 'new', events: [{ type: 'stock.reserved', data: {} }] },
  ]), (e) => {
    assert.ok(e instanceof WrongExpectedVersion, String(e));
    assert.equal(e.status, 409);
    assert.equal(e.field, 'parts[1].expected_version');
    assert.equal(e.part, 1);
    assert.equal(e.condition, null);
    assert.equal(e.actualVersion, 1);
    assert.equal(e.details.message, `parts[1]: stream ${stock} must not exist; it is at version 1`);
    return true;
  });
  await assert.rejects(c.appendTransaction([{ stream: other, events: [{ type: 'order.placed', data: {} }] }],
    [{ stream: order, expectedVersion: 'new' }]), (e) => e instanceof WrongExpectedVersion && e.condition === 0
    && e.field === 'conditions[0].expected_version');
  await assert.rejects(c.appendTransaction([{ stream: other, events: [{ type: 'order.placed', data: {} }] }],
    [{ stream: other, expectedVersion: 'new' }]), (e) => e instanceof InvalidEvent && e.field === 'conditions[0].stream');
  await assert.rejects(c.readStream(other), NotFound, 'nothing of a refused transaction was written');
});
