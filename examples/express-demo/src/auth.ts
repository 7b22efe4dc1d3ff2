import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The one password every demo user has. The page says so. */
export const DEMO_PASSWORD = 'demo';

const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;

/** The username rule in words, as the sign-in page and the errors state it. */
export const USERNAME_RULE = '1 to 64 letters, digits or . _ @ -';

/** The same rule for the form's `pattern` attribute (browsers compile it with the `v` flag). */
export const USERNAME_PATTERN = '[\\p{L}\\p{N}._@\\-]{1,64}';

/** A trimmed username when it is acceptable ({@link USERNAME_RULE}), else `undefined`. */
export function normalizeUsername(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const name = input.trim();
  return USERNAME.test(name) ? name : undefined;
}

/** Checks the demo password in constant time. */
export function checkPassword(input: unknown): boolean {
  if (typeof input !== 'string') return false;
  const given = createHash('sha256').update(input).digest();
  const expected = createHash('sha256').update(DEMO_PASSWORD).digest();
  return timingSafeEqual(given, expected);
}

/** A fresh anti-CSRF token, stored in the session at sign-in. */
export function newCsrfToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Compares a submitted anti-CSRF token with the session's, in constant time. */
export function csrfMatches(expected: unknown, given: unknown): boolean {
  if (typeof expected !== 'string' || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A stable, non-secret handle for a session id, used in revoke URLs so pages never carry other
 * sessions' ids (which are bearer credentials).
 */
export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 22);
}

/**
 * True when a browser says the request comes from another site: `Sec-Fetch-Site` other than
 * same-origin or none, or an `Origin` whose host is not this request's `Host` (`null` included).
 * Non-browser clients send neither header and pass. This guards the forms that run before a
 * session has a CSRF token (sign-in, where a forged login would plant the attacker's account) and
 * backs up the token everywhere else.
 */
export function isCrossSiteRequest(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  return host === '' || host.toLowerCase() !== (headers.host ?? '').toLowerCase();
}
