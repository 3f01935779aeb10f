// Deterministic event ids, so that a resubmission of the same thing is recognised as a retry.
import { createHash } from 'node:crypto';

const format = (b) => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/**
 * The id the Java client (`DomainEvents.eventId(type, naturalKey)`) gives: a name-based UUID
 * (version 3, MD5, as `java.util.UUID.nameUUIDFromBytes`) of `type + "\0" + naturalKey`. Using the
 * same derivation makes a selfie submitted once from Java and once from Node one event.
 */
export function domainEventId(type, naturalKey) {
  const b = createHash('md5').update(`${type}\0${naturalKey}`, 'utf8').digest();
  b[6] = (b[6] & 0x0f) | 0x30;
  b[8] = (b[8] & 0x3f) | 0x80;
  return format(b);
}

/** An RFC 4122 version 5 UUID (SHA-1) of `name` in the namespace UUID `namespace`. */
export function uuidV5(namespace, name) {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`namespace must be a UUID, was ${namespace}`);
  const b = createHash('sha1').update(ns).update(String(name), 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  return format(b);
}
