import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  Client, IndelibleError, WrongExpectedVersion, EventIdConflict, RuleViolated, EmailTaken, InvalidEvent,
  PermissionDenied, Unauthenticated, Unavailable,
} from '../src/index.js';
import { URL, NARROW_TOKEN, RUN, client, faultyProxy, selfie, userBase } from '../testing/helpers.js';

test('append stores a batch and a retry with the same event ids is a duplicate at the same positions', async () => {
  const c = client();
  const stream = `orders-${RUN}-1`;
  const events = [{ type: 'order.placed', data: { n: 1 } }, { type: 'order.placed', data: { n: 2 }, eventId: randomUUID() }];
  const first = await c.append(stream, events, { expectedVersion: 'new' });
  assert.equal(first.stream, stream);
  assert.equal(first.count, 2);
  assert.equal(first.duplicate, false);
  assert.equal(first.firstStreamVersion, 0);
  assert.equal(first.lastStreamVersion, 1);
  assert.equal(first.lastGlobalSeq, first.firstGlobalSeq + 1);
  assert.equal(first.eventIds.length, 2);
  assert.equal(first.eventIds[1], events[1].eventId);

  const again = await c.append(stream, events.map((e, i) => ({ ...e, eventId: first.eventIds[i] })), { expectedVersion: 'new' });
  assert.equal(again.duplicate, true);
  assert.equal(again.firstGlobalSeq, first.firstGlobalSeq);
  assert.equal(again.lastGlobalSeq, first.lastGlobalSeq);
  const read = await c.readStream(stream);
  assert.deepEqual(read.events.map((e) => e.data.n), [1, 2]);
  assert.deepEqual(read.events.map((e) => e.eventId), first.eventIds);
});

test('append retries after 503 and a dropped connection with the same ids, storing the event once', async () => {
  // request 0: 503; request 1: the connection is closed without an answer; request 2: passes
  const proxy = await faultyProxy((n) => ['503', 'drop', 'pass'][n] ?? 'pass');
  try {
    const c = new Client({ url: proxy.url, token: process.env.INDELIBLE_TOKEN, timeoutMs: 5000,
      retry: { baseMs: 10, capMs: 50 } });
    const stream = `orders-${RUN}-retry`;
    const a = await c.append(stream, { type: 'order.placed', data: { n: 1 } });
    assert.equal(a.duplicate, false);
    assert.equal(proxy.requests(), 3);
    const read = await client().readStream(stream);
    assert.equal(read.events.length, 1);
  } finally {
    await proxy.close();
  }
});

test('append gives up with Unavailable after the bounded attempts', async () => {
  const proxy = await faultyProxy(() => '503');
  try {
    const c = new Client({ url: proxy.url, token: process.env.INDELIBLE_TOKEN, retry: { attempts: 3, baseMs: 5, capMs: 10 } });
    await assert.rejects(c.append(`orders-${RUN}-never`, { type: 'order.placed', data: {} }), (e) => {
      assert.ok(e instanceof Unavailable && e instanceof IndelibleError);
      assert.equal(e.code, 'unavailable');
      assert.equal(e.status, 503);
      return true;
    });
    assert.equal(proxy.requests(), 3);
  } finally {
    await proxy.close();
  }
});

test('a wrong expected version is WrongExpectedVersion with the actual version', async () => {
  const c = client();
  const stream = `orders-${RUN}-wev`;
  await c.append(stream, { type: 'order.placed', data: {} });
  await assert.rejects(c.append(stream, { type: 'order.placed', data: {} }, { expectedVersion: 5 }), (e) => {
    assert.ok(e instanceof WrongExpectedVersion);
    assert.equal(e.code, 'wrong_expected_version');
    assert.equal(e.field, 'expected_version');
    assert.equal(e.status, 409);
    assert.equal(e.actualVersion, 0);
    assert.equal(e.expectedVersion, 5);
    return true;
  });
  await assert.rejects(c.append(stream, { type: 'order.placed', data: {} }, { expectedVersion: 'new' }),
    (e) => e instanceof WrongExpectedVersion && e.actualVersion === 0);
  const fresh = await c.append(stream, { type: 'order.placed', data: {} }, { expectedVersion: 0 });
  assert.equal(fresh.firstStreamVersion, 1);
});

test('a second registration of one email is RuleViolated (EmailTaken from accounts.register)', async () => {
  const c = client();
  const email = `dup-${RUN}@example.com`;
  await c.accounts.register(` DUP-${RUN}@Example.com `, 'First');
  await assert.rejects(c.append(`email-${email}`,
    { type: 'account.registered', data: { account_id: randomUUID(), email, display_name: 'Raw' } }), (e) => {
    assert.ok(e instanceof RuleViolated);
    assert.equal(e.code, 'rule_violated');
    assert.equal(e.rule, 'account.registered');
    assert.match(e.checkedStream, /^email-[0-9a-f]{64}$/); // a keyed hash, not the address
    assert.equal(e.field, 'data.email');
    assert.equal(e.actualVersion, 0);
    return true;
  });
  await assert.rejects(c.accounts.register(email, 'Second'), (e) => {
    assert.ok(e instanceof EmailTaken && e instanceof RuleViolated);
    assert.match(e.checkedStream, /^email-[0-9a-f]{64}$/); // a keyed hash, not the address
    assert.match(e.why, /one account/);
    return true;
  });
});

test('user_id 0 is InvalidEvent naming data.user_id', async () => {
  const c = client();
  await assert.rejects(c.append('selfies-user-0', selfie(0, 'zero')), (e) => {
    assert.ok(e instanceof InvalidEvent);
    assert.equal(e.code, 'invalid_argument');
    assert.equal(e.field, 'data.user_id');
    assert.equal(e.status, 400);
    return true;
  });
  await assert.rejects(c.selfies.submit({ userId: 0, mediaType: 'photo', fileId: 'f', submittedAt: new Date() }),
    (e) => e instanceof InvalidEvent && e.field === 'data.user_id');
});

test('a token for selfies-* appending accounts-1 is PermissionDenied; a bad token Unauthenticated', async () => {
  const narrow = new Client({ url: URL, token: NARROW_TOKEN });
  await assert.rejects(narrow.append('accounts-1', { type: 'account.note', data: {} }), (e) => {
    assert.ok(e instanceof PermissionDenied);
    assert.equal(e.code, 'permission_denied');
    assert.equal(e.field, 'stream');
    assert.equal(e.status, 403);
    return true;
  });
  const user = userBase();
  const ok = await narrow.append(`selfies-user-${user}`, selfie(user, `narrow-${RUN}`));
  assert.equal(ok.count, 1);
  const bad = new Client({ url: URL, token: 'idl_0000000000000000_nope' });
  await assert.rejects(bad.append(`orders-${RUN}`, { type: 'x.y', data: {} }), (e) => e instanceof Unauthenticated);
});

test('the same event id with other content is EventIdConflict with the existing global_seq', async () => {
  const c = client();
  const eventId = randomUUID();
  const a = await c.append(`orders-${RUN}-eic`, { type: 'order.placed', data: { n: 1 }, eventId });
  await assert.rejects(c.append(`orders-${RUN}-eic`, { type: 'order.placed', data: { n: 2 }, eventId }), (e) => {
    assert.ok(e instanceof EventIdConflict);
    assert.equal(e.existingGlobalSeq, a.firstGlobalSeq);
    assert.equal(e.eventId, eventId);
    return true;
  });
});
