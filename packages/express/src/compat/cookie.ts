import type { SessionLogger } from '@session/core';
import {
  type CookieAttributesView,
  cookieLifetimeMs,
  type RequestSession,
  setCookieLifetimeMs,
} from '@session/http';

/**
 * `req.session.cookie` of the express-session compatible session. The lifetime fields are the
 * session's own cookie lifetime (kept with the session, rewritten on the response); the others
 * describe how the middleware writes the cookie and are read-only: set them on the middleware's
 * `cookie` options instead (an assignment is ignored with a warning).
 */
export interface ExpressCompatCookie {
  /**
   * Milliseconds the cookie lives from this response (`null`: a browser-session cookie). Setting it
   * gives this session its own cookie lifetime and an idle timeout at least as long, as
   * express-session's `cookie.maxAge` (also its store TTL) did.
   */
  maxAge: number | null;
  /** The same lifetime, under express-session's other name. */
  originalMaxAge: number | null;
  /** When the cookie written with this response expires, or `null` for a browser-session cookie. Setting it sets {@link maxAge}. */
  expires: Date | null;
  httpOnly: boolean | undefined;
  path: string | undefined;
  domain: string | undefined;
  /** `undefined` when it follows the request (HTTPS or not). */
  secure: boolean | undefined;
  sameSite: string | undefined;
  priority: string | undefined;
  partitioned: boolean | undefined;
  /** The fields as express-session stores them. */
  toJSON(): Record<string, unknown>;
}

/** Where {@link createCookieView} takes what it shows. */
export interface CookieViewSource {
  readonly session: RequestSession;
  /** The cookie resolver's fixed attributes and default max age (none for header resolvers). */
  readonly attributes: CookieAttributesView | undefined;
  readonly defaultMaxAgeSeconds: number | undefined;
  readonly logger: SessionLogger;
  /** True once the session object was regenerated away or destroyed: changes are ignored. */
  readonly retired: () => boolean;
}

const FIXED = ['httpOnly', 'path', 'domain', 'secure', 'sameSite', 'priority', 'partitioned'] as const;

/** Creates the `cookie` object of one compatible session object. */
export function createCookieView(source: CookieViewSource): ExpressCompatCookie {
  const { session, attributes, logger } = source;
  let warned = false;
  const lifetime = (): number | null => cookieLifetimeMs(session, source.defaultMaxAgeSeconds);
  const setLifetime = (ms: unknown): void => {
    if (!source.retired()) setCookieLifetimeMs(session, ms);
  };
  const view = {
    get maxAge() {
      return lifetime();
    },
    set maxAge(ms: number | null) {
      setLifetime(ms);
    },
    get originalMaxAge() {
      return lifetime();
    },
    set originalMaxAge(ms: number | null) {
      setLifetime(ms);
    },
    get expires() {
      const ms = lifetime();
      return ms === null ? null : new Date(Date.now() + ms);
    },
    set expires(date: Date | null) {
      if (date === null) setLifetime(null);
      else setLifetime(date instanceof Date ? date.getTime() - Date.now() : Number.NaN);
    },
    toJSON() {
      return {
        originalMaxAge: lifetime(),
        expires: view.expires?.toISOString() ?? null,
        ...Object.fromEntries(FIXED.map((name) => [name, attributes?.[name]])),
      };
    },
  } as unknown as ExpressCompatCookie;
  for (const name of FIXED) {
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => attributes?.[name],
      set: () => {
        if (warned) return;
        warned = true;
        logger.warn(
          `req.session.cookie.${name} cannot be changed per request; set it in the session middleware's cookie options`,
        );
      },
    });
  }
  return view;
}
