import type { Session } from '@session/core';
import {
  type HttpSessionOptions,
  RequestSession,
  requireRequestSession,
  type SessionAttributesOf,
} from '@session/http';
import type { Request, RequestHandler } from 'express';
import type { ExpressCompatSession } from './compat/session-object.js';
import { createSessionMiddleware } from './middleware.js';

/**
 * The attributes of `req.session`. Augment it to type them:
 *
 * ```ts
 * declare module '@session/express' {
 *   interface SessionData { userId: string; cart: string[] }
 * }
 * ```
 *
 * Left empty, attributes are `Record<string, unknown>`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps fill it in through declaration merging.
export interface SessionData {}

/** `SessionData` once augmented, else any string-keyed attributes. */
export type SessionAttributes = SessionAttributesOf<SessionData>;

/**
 * Which object `req.session` is typed as. Importing `@session/express/compat` adds `compat: true`
 * here, which types it as the express-session compatible {@link ExpressCompatSession}; leave it
 * alone otherwise.
 */
// biome-ignore lint/suspicious/noEmptyInterface: the compat entry point fills it in through declaration merging.
export interface SessionTypeSwitch {}

/** The type of `req.session`: a {@link RequestSession}, or the compatible object once `@session/express/compat` is imported. */
export type ExpressRequestSession = SessionTypeSwitch extends { compat: true }
  ? ExpressCompatSession
  : RequestSession<SessionAttributes>;

declare global {
  namespace Express {
    interface Request {
      /** The request's session, set by `@session/express`'s `session()` middleware. */
      session: ExpressRequestSession;
    }
  }
}

/** Options of {@link session}: see `HttpSessionOptions` in `@session/http`. */
export type ExpressSessionOptions<S extends Session = Session> = HttpSessionOptions<S>;

/**
 * Express 4 and 5 middleware that puts a {@link RequestSession} on `req.session`.
 *
 * ```ts
 * import express from 'express';
 * import { MemorySessionRepository } from '@session/memory';
 * import { session } from '@session/express';
 *
 * const app = express();
 * app.use(session({ repository: new MemorySessionRepository() }));
 * app.post('/login', (req, res) => {
 *   req.session.setPrincipal('alice'); // rotates the id
 *   res.redirect('/');
 * });
 * ```
 *
 * - The session is saved before the response headers leave, whatever sends them (`res.send`,
 *   `json`, `redirect`, `end`, `stream.pipe(res)`, error handlers); writes wait for the save.
 * - A store that fails or exceeds `storeTimeoutMs` reaches your error handlers as
 *   `SessionStoreUnavailableError` (`status` 503): through `next(err)` when loading, and when
 *   saving, instead of the response the route produced (which is discarded before anything is sent).
 * - Secure cookies follow Express's `trust proxy` setting (`req.secure`) unless the cookie
 *   resolver has its own `trustProxy`.
 * - With `whenStoreUnavailable: 'continue'`, a store that is down leaves `req.session` unset and
 *   the request runs on.
 *
 * Apps written for express-session (and Passport, connect-flash, csurf-style middleware) use the
 * same middleware from `@session/express/compat`, which puts an express-session compatible object
 * on `req.session`.
 */
export function session<S extends Session = Session>(options: ExpressSessionOptions<S>): RequestHandler {
  return createSessionMiddleware(options, {
    // Mounted twice (e.g. app and router): the first instance owns the request.
    installed: (req) => (req as { session?: unknown }).session instanceof RequestSession,
    install: (req, controller) => {
      (req as { session?: unknown }).session = controller.session;
    },
  });
}

/**
 * `req.session` typed with your own attribute type, for apps that prefer a generic over
 * augmenting {@link SessionData}. Throws when the middleware did not run for this request.
 */
export function getSession<A extends object = SessionAttributes>(req: Request): RequestSession<A> {
  return requireRequestSession<A>(
    (req as { session?: unknown }).session,
    'req.session is not set: add the session() middleware from @session/express before this route',
  );
}

export type {
  CookieSessionIdResolverOptions,
  ExpressSessionSourceOptions,
  HttpSessionOptions,
  KoaSessionSourceOptions,
  LegacySessionSource,
  SessionIdResolver,
  StoreUnavailablePolicy,
  TrustProxy,
} from '@session/http';
export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  expressSessionSource,
  HeaderSessionIdResolver,
  PassportIndexResolver,
  RequestSession,
} from '@session/http';
export type { ExpressCompatCookie } from './compat/cookie.js';
export type { ExpressCompatSession, ExpressCompatSessionMembers } from './compat/session-object.js';
