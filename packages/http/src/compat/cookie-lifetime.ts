import { InvalidArgumentError, MAX_INACTIVE_INTERVAL_MS } from '@session/core';
import type { RequestSession } from '../request-session.js';

/**
 * Applies an express-session `cookie.maxAge` or koa-session `maxAge` (milliseconds; `null` for a
 * browser-session cookie) to a session: it becomes the session's own cookie lifetime
 * (`cookieMaxAgeSeconds`, rounded up to whole seconds), and the idle timeout is raised to at least
 * that long, since both libraries also used the cookie's max age as the store's expiry. Throws
 * `InvalidArgumentError` for anything but a positive finite number or `null`.
 */
export function setCookieLifetimeMs(session: RequestSession, maxAgeMs: unknown): void {
  if (maxAgeMs === null) {
    session.cookieMaxAgeSeconds = null;
    return;
  }
  if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs <= 0) {
    throw new InvalidArgumentError(
      `a cookie max age must be a positive number of milliseconds or null, got ${String(maxAgeMs)}`,
    );
  }
  session.cookieMaxAgeSeconds = Math.ceil(maxAgeMs / 1000);
  const interval = session.maxInactiveIntervalMs;
  if (interval >= 0 && interval < maxAgeMs) {
    session.maxInactiveIntervalMs = Math.min(Math.ceil(maxAgeMs), MAX_INACTIVE_INTERVAL_MS);
  }
}

/**
 * The cookie lifetime in milliseconds a session's cookie gets: its own (`cookieMaxAgeSeconds`),
 * else `defaultSeconds`; `null` for a browser-session cookie.
 */
export function cookieLifetimeMs(session: RequestSession, defaultSeconds: number | undefined): number | null {
  const own = session.cookieMaxAgeSeconds;
  if (own === null) return null;
  const seconds = own ?? defaultSeconds;
  return seconds === undefined ? null : seconds * 1000;
}
