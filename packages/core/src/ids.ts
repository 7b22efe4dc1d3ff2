import { randomFillSync } from 'node:crypto';
import { InvalidArgumentError, InvalidSessionIdError } from './errors.js';

/**
 * Produces new session ids. Must return strings that pass {@link isValidSessionId}. When a session
 * changes its id, the generator gets the id being replaced (stores may use it, e.g. to keep the new
 * id on the same Redis Cluster shard); most generators ignore it.
 */
export type SessionIdGenerator = (previousId?: string) => string;

/** Bytes of randomness in a default id: 192 bits, comfortably above the 128-bit floor. */
export const DEFAULT_SESSION_ID_BYTES = 24;

/** Shortest and longest id the syntax check accepts. */
export const SESSION_ID_MIN_LENGTH = 16;
export const SESSION_ID_MAX_LENGTH = 128;

/**
 * The id syntax every layer checks: URL-safe base64 alphabet (which also covers Spring
 * Session's UUID ids), 16 to 128 characters. Anything else never reaches a store.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

// One syscall fills randomness for many ids; each byte is handed out once, then the pool refills.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `bytes` bytes from the OS CSPRNG, base64url-encoded without padding. */
function randomBase64Url(bytes: number): string {
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return id;
}

/** The default generator: 24 bytes from the OS CSPRNG, base64url without padding (32 characters). */
export const defaultSessionIdGenerator: SessionIdGenerator = () => randomBase64Url(DEFAULT_SESSION_ID_BYTES);

/** Generates ids with `bytes` bytes (at least 16) of CSPRNG randomness. */
export function randomSessionIdGenerator(bytes = DEFAULT_SESSION_ID_BYTES): SessionIdGenerator {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 96) {
    // 96 bytes is 128 base64url characters, the longest id the syntax check accepts.
    throw new InvalidArgumentError(`Session id generators need 16 to 96 random bytes, got ${bytes}`);
  }
  return () => randomBase64Url(bytes);
}

/** 1 for each character code of the id alphabet (the same set as {@link SESSION_ID_PATTERN}). */
const ID_CHARACTERS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')
  ID_CHARACTERS[c.charCodeAt(0)] = 1;

/** True when `id` is a syntactically valid session id. Cheap; call it before any store access. */
export function isValidSessionId(id: unknown): id is string {
  // Same check as SESSION_ID_PATTERN; a table walk costs less than the regex on every request.
  if (typeof id !== 'string') return false;
  const length = id.length;
  if (length < SESSION_ID_MIN_LENGTH || length > SESSION_ID_MAX_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = id.charCodeAt(i);
    if (code > 127 || ID_CHARACTERS[code] === 0) return false;
  }
  return true;
}

/** Throws {@link InvalidSessionIdError} unless `id` passes {@link isValidSessionId}. */
export function assertValidSessionId(id: unknown): asserts id is string {
  if (!isValidSessionId(id)) throw new InvalidSessionIdError();
}

/** Calls `generator` and checks its output, so a broken custom generator fails loudly. */
export function generateSessionId(
  generator: SessionIdGenerator = defaultSessionIdGenerator,
  previousId?: string,
): string {
  const id = previousId === undefined ? generator() : generator(previousId);
  if (!isValidSessionId(id)) {
    throw new InvalidSessionIdError('The session id generator returned an id that fails the id syntax check');
  }
  return id;
}

/** A session id shortened for logs (never log a whole id: it is a credential). */
export function shortSessionId(id: string): string {
  return `${id.slice(0, 6)}…`;
}
