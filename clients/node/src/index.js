export { Client } from './client.js';
export { Producer } from './producer.js';
export {
  IndelibleError, InvalidEvent, Unauthenticated, PermissionDenied, NotFound, TooLarge, TooManyRequests, Unavailable,
  WrongExpectedVersion, EventIdConflict, RuleViolated, EmailTaken, UsernameTaken, UnknownMember, UnknownPrayer,
} from './errors.js';
export { domainEventId, uuidV5 } from './ids.js';
export { normalizeEmail, normalizeUsername } from './domain.js';
