/**
 * `@session/express/compat`: the session middleware of `@session/express` with an
 * express-session compatible `req.session`, for apps (and Passport, connect-flash, CSRF
 * middleware…) written for express-session. See the migration guide.
 */
import type { Session } from '@session/core';
import type { ExpressSessionOptions } from '@session/express';
import type { RequestHandler } from 'express';
import { createSessionMiddleware } from '../middleware.js';
import { installExpressSession, isExpressCompatSession } from './session-object.js';

declare module '@session/express' {
  /** Importing `@session/express/compat` types `req.session` as {@link ExpressCompatSession}. */
  interface SessionTypeSwitch {
    compat: true;
  }
}

declare global {
  namespace Express {
    interface Request {
      /** The session id, as express-session sets it (`@session/express/compat`). */
      sessionID: string;
    }
  }
}

/**
 * Express 4 and 5 middleware with express-session's `req.session`: attributes are properties
 * (`req.session.views = 1`), with `regenerate`, `destroy`, `reload`, `save` (callbacks),
 * `touch`, `resetMaxAge`, `cookie` (per-session `maxAge` / `expires`) and `req.sessionID`.
 * Everything else is `@session/express`'s `session()`: same options, same storage, delta saves
 * (concurrent requests keep each other's changes; objects changed in place are found by
 * comparison), saved before the headers leave.
 *
 * ```ts
 * import { session } from '@session/express/compat';
 * app.use(session({ repository, cookie: { cookieName: 'connect.sid' } }));
 * app.use(passport.session()); // Passport 0.6+: login and logout regenerate the session
 * ```
 */
export function session<S extends Session = Session>(options: ExpressSessionOptions<S>): RequestHandler {
  return createSessionMiddleware(options, {
    installed: (req) => isExpressCompatSession((req as { session?: unknown }).session),
    install: installExpressSession,
  });
}

export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  type ExpressRequestSession,
  type ExpressSessionOptions,
  type ExpressSessionSourceOptions,
  expressSessionSource,
  HeaderSessionIdResolver,
  PassportIndexResolver,
  RequestSession,
  type SessionAttributes,
  type SessionData,
} from '@session/express';
export type { ExpressCompatCookie } from './cookie.js';
export {
  type ExpressCompatSession,
  type ExpressCompatSessionMembers,
  isExpressCompatSession,
} from './session-object.js';
