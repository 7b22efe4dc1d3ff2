import type { Session } from '@session/core';

/**
 * The attribute holding a session's own cookie lifetime ({@link RequestSession.cookieMaxAgeSeconds}):
 * seconds, or `null` for a browser-session cookie. Not listed by `names()`.
 */
export const COOKIE_MAX_AGE_ATTRIBUTE = 'session.cookieMaxAgeSeconds';

/** A session's own cookie lifetime as stored: positive seconds, `null`, or absent (`undefined`). */
export function readCookieLifetime(session: Session): number | null | undefined {
  const peek = (session as { peek?: (name: string) => unknown }).peek;
  const value =
    typeof peek === 'function'
      ? peek.call(session, COOKIE_MAX_AGE_ATTRIBUTE)
      : (session as Session<Record<string, unknown>>).get(COOKIE_MAX_AGE_ATTRIBUTE);
  if (value === null) return null;
  // Anything else a store hands back is ignored: the resolver's default applies.
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
}
