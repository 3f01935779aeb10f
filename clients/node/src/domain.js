// One small helper per domain, mirroring the Java client (projections/README.md, "Client API").
// The server enforces every rule; these only build the event, its stream and its id, and turn
// the rule's refusal into a named error.
import { randomUUID } from 'node:crypto';
import { RuleViolated, EmailTaken, UsernameTaken, UnknownMember, UnknownPrayer } from './errors.js';
import { domainEventId } from './ids.js';

const retype = (e, Type) => (e instanceof RuleViolated && !(e instanceof Type)
  ? new Type(e.message, { code: e.code, field: e.field, status: e.status, details: e.details, cause: e })
  : e);

const time = (t) => (t instanceof Date ? t.toISOString() : t);

/** A trimmed, lower-cased address (as the server's `Names.email`). */
export const normalizeEmail = (email) => String(email ?? '').trim().toLowerCase();
/** NFKC, trimmed, lower-cased (as the server's `Names.username`). */
export const normalizeUsername = (name) => String(name ?? '').normalize('NFKC').trim().toLowerCase();

const written = (a) => ({ stream: a.stream, globalSeq: a.firstGlobalSeq, streamVersion: a.firstStreamVersion,
  duplicate: a.duplicate, eventId: a.eventIds[0] });

export class Selfies {
  constructor(client) { this.client = client; }

  static streamFor(userId) { return `selfies-user-${userId}`; }

  /**
   * Records a selfie on selfies-user-<userId>. The event id derives from user and file, so
   * resubmitting the same selfie answers the original position with duplicate: true (the same file
   * with other content is an EventIdConflict).
   */
  async submit({ userId, mediaType, fileId, submittedAt }) {
    const id = typeof userId === 'bigint' ? String(userId) : userId;
    const data = { user_id: id, media_type: mediaType, file_id: fileId, submitted_at: time(submittedAt) };
    const a = await this.client.append(Selfies.streamFor(userId),
      { type: 'selfie.submitted', data, eventId: domainEventId('selfie.submitted', `${userId}/${fileId}`) });
    return written(a);
  }
}

export class Accounts {
  constructor(client) { this.client = client; }

  /** Registers a new account under the normalised address; EmailTaken when it has one already. */
  async register(email, displayName = '') {
    const address = normalizeEmail(email);
    const accountId = randomUUID();
    try {
      const a = await this.client.append(`email-${address}`, {
        type: 'account.registered',
        data: { account_id: accountId, email: address, display_name: String(displayName ?? '').trim() },
      });
      return { ...written(a), accountId, email: address };
    } catch (e) {
      throw retype(e, EmailTaken);
    }
  }
}

export class Community {
  constructor(client) { this.client = client; }

  /** A member joins, invited by an existing member ('' for a founder): UsernameTaken, UnknownMember. */
  async join(username, invitedBy = '') {
    const name = normalizeUsername(username);
    const inviter = invitedBy ? normalizeUsername(invitedBy) : '';
    const stream = `member-${name}`;
    try {
      const a = await this.client.append(stream, { type: 'member.joined', data: { username: name, invited_by: inviter } });
      return { ...written(a), username: name };
    } catch (e) {
      throw e instanceof RuleViolated ? retype(e, e.checkedStream === stream ? UsernameTaken : UnknownMember) : e;
    }
  }

  /** A member submits a prayer: resolves its new prayerId; UnknownMember. */
  async submitPrayer(author, text) {
    const prayerId = randomUUID();
    try {
      const a = await this.client.append(`prayer-${prayerId}`,
        { type: 'prayer.submitted', data: { prayer_id: prayerId, author: normalizeUsername(author), text } });
      return { ...written(a), prayerId };
    } catch (e) {
      throw retype(e, UnknownMember);
    }
  }

  /** A member marks a prayer prayed: UnknownPrayer, UnknownMember. */
  async markPrayed(prayerId, username) {
    const stream = `prayer-${prayerId}`;
    try {
      const a = await this.client.append(stream,
        { type: 'prayer.marked', data: { prayer_id: prayerId, username: normalizeUsername(username) } });
      return written(a);
    } catch (e) {
      throw e instanceof RuleViolated ? retype(e, e.checkedStream === stream ? UnknownPrayer : UnknownMember) : e;
    }
  }
}

export class Videos {
  constructor(client) { this.client = client; }

  /** Records a processed video on video-<videoId>; `results` is any JSON object. */
  async recordProcessed({ videoId, url = '', title = '', results = {} }) {
    const a = await this.client.append(`video-${videoId}`,
      { type: 'video.processed', data: { video_id: videoId, url, title, results } });
    return written(a);
  }

  /** Removes a video: RuleViolated when it was never processed. */
  async remove(videoId) {
    const a = await this.client.append(`video-${videoId}`, { type: 'video.removed', data: { video_id: videoId } });
    return written(a);
  }
}

export class Messages {
  constructor(client) { this.client = client; }

  /** Posts a message on messages-<project>; the event id derives from messageId, so a repost is a duplicate. */
  async post({ messageId = randomUUID(), project, channel, user, postedAt }) {
    const a = await this.client.append(`messages-${project}`, {
      type: 'message.posted',
      data: { message_id: messageId, project, channel, user, posted_at: time(postedAt) },
      eventId: domainEventId('message.posted', messageId),
    });
    return { ...written(a), messageId };
  }
}
