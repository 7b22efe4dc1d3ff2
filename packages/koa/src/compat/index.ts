/**
 * `@session/koa/compat`: the session middleware of `@session/koa` with a koa-session compatible
 * `ctx.session`, for apps (and koa-passport) written for koa-session. See the migration guide.
 */
import type { Session } from '@session/core';
import type { KoaSessionOptions } from '@session/koa';
import type { Middleware } from 'koa';
import { createKoaSessionMiddleware } from '../middleware.js';
import { hasKoaCompatSession, installKoaSession } from './session-object.js';

declare module '@session/koa' {
  /** Importing `@session/koa/compat` types `ctx.session` as {@link KoaCompatSession} or `null`. */
  interface SessionTypeSwitch {
    compat: true;
  }
}

/**
 * Koa 2 and 3 middleware with koa-session's `ctx.session`: attributes are properties
 * (`ctx.session.views = 1`), `ctx.session = null` removes the session, with `isNew`, `length`,
 * `populated`, `maxAge` (per session), `save()`, `regenerate()` and, with `autoCommit: false`,
 * `manuallyCommit()`. Everything else is `@session/koa`'s `session()`: same options, same
 * storage, delta saves (concurrent requests keep each other's changes; objects changed in place
 * are found by comparison).
 *
 * ```ts
 * import { session } from '@session/koa/compat';
 * app.use(session({ repository, cookie: { cookieName: 'koa.sess' } }));
 * app.use(passport.initialize());
 * app.use(passport.session());
 * ```
 */
export function session<S extends Session = Session>(options: KoaSessionOptions<S>): Middleware {
  return createKoaSessionMiddleware(options, {
    installed: hasKoaCompatSession,
    install: installKoaSession,
  });
}

export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  type KoaContextSession,
  type KoaSessionOptions,
  type KoaSessionSourceOptions,
  type KoaSessionStore,
  koaSessionSource,
  PassportIndexResolver,
  RequestSession,
  type SessionAttributes,
  type SessionData,
} from '@session/koa';
export {
  hasKoaCompatSession,
  type KoaCompatSession,
  type KoaCompatSessionMembers,
} from './session-object.js';
