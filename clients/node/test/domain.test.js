import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EmailTaken, UsernameTaken, UnknownMember, UnknownPrayer, RuleViolated, EventIdConflict, NotFound, domainEventId } from '../src/index.js';
import { RUN, client, userBase } from '../testing/helpers.js';

test('selfies.submit: a deterministic id from user and file makes a resubmission a duplicate', async () => {
  const c = client();
  const userId = userBase();
  const selfie = { userId, mediaType: 'photo', fileId: `f-${RUN}`, submittedAt: new Date('2026-03-04T05:06:07Z') };
  const first = await c.selfies.submit(selfie);
  assert.equal(first.stream, `selfies-user-${userId}`);
  assert.equal(first.duplicate, false);
  assert.equal(first.eventId, domainEventId('selfie.submitted', `${userId}/f-${RUN}`));
  const again = await c.selfies.submit(selfie);
  assert.equal(again.duplicate, true);
  assert.equal(again.globalSeq, first.globalSeq);
  await assert.rejects(c.selfies.submit({ ...selfie, mediaType: 'video' }), EventIdConflict);
  const read = await c.readStream(`selfies-user-${userId}`);
  assert.equal(read.events.length, 1);
  assert.equal(read.events[0].data.submitted_at, '2026-03-04T05:06:07Z');
});

test('accounts.register normalises the address and answers EmailTaken for a taken one', async () => {
  const c = client();
  const done = await c.accounts.register(`  Ann-${RUN}@Example.COM `, 'Ann');
  assert.equal(done.email, `ann-${RUN}@example.com`);
  assert.match(done.stream, /^email-[0-9a-f]{64}$/); // stored under a keyed hash of the address
  assert.match(done.accountId, /^[0-9a-f-]{36}$/);
  await assert.rejects(c.accounts.register(`ann-${RUN}@example.com`, 'Ann again'), EmailTaken);
});

test('erase shreds an account once and refuses a subject with no key', async () => {
  const c = client();
  const done = await c.accounts.register(`gone-${RUN}@example.com`, 'Gone');
  assert.equal(await c.erase(`account-${done.accountId}`), true);
  const read = await c.readStream(`email-gone-${RUN}@example.com`); // the address stays taken, its fields shredded
  assert.deepEqual(read.events.map((e) => [e.data.account_id, e.data.email, e.data.display_name]),
    [[done.accountId, '[erased]', '[erased]']]);
  assert.equal(await c.erase(`account-${done.accountId}`), false); // erased before
  await assert.rejects(c.erase(`account-${randomUUID()}`), (e) => e instanceof NotFound && e.field === 'subject');
  await assert.rejects(c.erase(''), (e) => e.status === 400 && e.field === 'subject');
});

test('community: join, submitPrayer, markPrayed and their refusals', async () => {
  const c = client();
  const founder = `Max-${RUN}`;
  const joined = await c.community.join(founder);
  assert.equal(joined.username, `max-${RUN}`);
  await assert.rejects(c.community.join(`MAX-${RUN}`), UsernameTaken);
  await assert.rejects(c.community.join(`eve-${RUN}`, `nobody-${RUN}`), UnknownMember);
  const guest = await c.community.join(`eve-${RUN}`, founder);
  assert.equal(guest.streamVersion, 0);
  const prayer = await c.community.submitPrayer(founder, 'for rain');
  assert.equal(prayer.stream, `prayer-${prayer.prayerId}`);
  const marked = await c.community.markPrayed(prayer.prayerId, `eve-${RUN}`);
  assert.equal(marked.streamVersion, 1);
  await assert.rejects(c.community.markPrayed(randomUUID(), `eve-${RUN}`), UnknownPrayer);
  await assert.rejects(c.community.submitPrayer(`ghost-${RUN}`, 'boo'), UnknownMember);
});

test('videos.recordProcessed and remove; messages.post is idempotent by message id', async () => {
  const c = client();
  const videoId = `v-${RUN}`;
  const v = await c.videos.recordProcessed({ videoId, url: 'https://v.example/1', title: 'One', results: { faces: 2 } });
  assert.equal(v.stream, `video-${videoId}`);
  const removed = await c.videos.remove(videoId);
  assert.equal(removed.streamVersion, 1);
  await assert.rejects(c.videos.remove(`never-${RUN}`), RuleViolated);
  const message = { messageId: `m-${RUN}`, project: `p${RUN}`, channel: 'general', user: 'max', postedAt: '2026-01-01T00:00:00Z' };
  const posted = await c.messages.post(message);
  assert.equal(posted.stream, `messages-p${RUN}`);
  assert.equal((await c.messages.post(message)).duplicate, true);
});
