// Typed errors for the server's answers {"error", "field", "message", ...}.

/**
 * Every error the client throws. `code` is the server's `error`, `field` the field it names, `details` the whole answer;
 * for a refused transaction `part` or `condition` is the index of what failed (else null).
 */
export class IndelibleError extends Error {
  constructor(message, { code = 'unknown', field = null, status = null, details = {}, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.field = field;
    this.status = status;
    this.details = details;
    this.part = details?.part ?? null;
    this.condition = details?.condition ?? null;
  }
}

/** 400 invalid_argument: a missing or malformed field, named by `.field` (e.g. `data.user_id`). */
export class InvalidEvent extends IndelibleError {}
/** 401 unauthenticated: no token, or an unknown or revoked one. */
export class Unauthenticated extends IndelibleError {}
/** 403 permission_denied: the token's streams or verbs do not cover the request. */
export class PermissionDenied extends IndelibleError {}
/** 404 not_found. */
export class NotFound extends IndelibleError {}
/** 413 request_too_large / too_many_events. */
export class TooLarge extends IndelibleError {}
/** 429 too_many_requests: too many failed authentications from this address. */
export class TooManyRequests extends IndelibleError {}
/** 503 unavailable, a network error or a timeout, after the retries ran out. Safe to retry with the same event ids. */
export class Unavailable extends IndelibleError {}

/** 409 wrong_expected_version: the stream is at `.actualVersion` (-1: no stream). */
export class WrongExpectedVersion extends IndelibleError {
  constructor(message, opts = {}) {
    super(message, opts);
    const d = this.details;
    this.stream = d.stream ?? null;
    this.expectedVersion = d.expected_version ?? null;
    this.actualVersion = d.actual_version ?? null;
  }
}

/** 409 event_id_conflict: the event id is stored (at `.existingGlobalSeq`) with other content. */
export class EventIdConflict extends IndelibleError {
  constructor(message, opts = {}) {
    super(message, opts);
    this.eventId = this.details.event_id ?? null;
    this.existingGlobalSeq = this.details.existing_global_seq ?? null;
  }
}

/** 409 rule_violated: the event type's rule does not hold (`.rule`, `.checkedStream`, `.actualVersion`, `.why`). */
export class RuleViolated extends IndelibleError {
  constructor(message, opts = {}) {
    super(message, opts);
    const d = this.details;
    this.rule = d.rule ?? null;
    this.checkedStream = d.checked_stream ?? null;
    this.stream = d.stream ?? null;
    this.requiredVersion = d.required_version ?? null;
    this.actualVersion = d.actual_version ?? null;
    this.why = d.why ?? null;
  }
}

/** accounts.register: the address already has an account. */
export class EmailTaken extends RuleViolated {}
/** community.join: the username is taken. */
export class UsernameTaken extends RuleViolated {}
/** community: a referenced member (inviter, author, marker) does not exist. */
export class UnknownMember extends RuleViolated {}
/** community.markPrayed: no such prayer. */
export class UnknownPrayer extends RuleViolated {}

const BY_CODE = {
  invalid_argument: InvalidEvent,
  unauthenticated: Unauthenticated,
  permission_denied: PermissionDenied,
  not_found: NotFound,
  request_too_large: TooLarge,
  too_many_events: TooLarge,
  too_many_requests: TooManyRequests,
  unavailable: Unavailable,
  wrong_expected_version: WrongExpectedVersion,
  event_id_conflict: EventIdConflict,
  rule_violated: RuleViolated,
};

/** The typed error for a server error answer (an object with `error`), or for a status without one. */
export function errorFrom(body, status) {
  const details = body && typeof body === 'object' ? body : {};
  const code = details.error ?? (status === 503 ? 'unavailable' : `http_${status}`);
  const Type = BY_CODE[code] ?? IndelibleError;
  const field = details.field ?? null;
  const text = details.message ?? `HTTP ${status}`;
  return new Type(`${code}${field ? ` (${field})` : ''}: ${text}`, { code, field, status, details });
}
