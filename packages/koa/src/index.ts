import type { Session } from '@session/core';
import { RequestSession, requireRequestSession, type SessionAttributesOf } from '@session/http';
import type { Middleware } from 'koa';
import type { KoaCompatSession } from './compat/session-object.js';
import { createKoaSessionMiddleware, type KoaSessionOptions } from './middleware.js';

/**
 * The attributes of `ctx.session`. Augment it to type them:
 *
 * ```ts
 * declare module '@session/koa' {
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
 * Which object `ctx.session` is typed as. Importing `@session/koa/compat` adds `compat: true`
 * here, which types it as the koa-session compatible {@link KoaCompatSession} (or `null`); leave
 * it alone otherwise.
 */
// biome-ignore lint/suspicious/noEmptyInterface: the compat entry point fills it in through declaration merging.
export interface SessionTypeSwitch {}

/** The type of `ctx.session`: a {@link RequestSession}, or the compatible object once `@session/koa/compat` is imported. */
export type KoaContextSession = SessionTypeSwitch extends { compat: true }
  ? KoaCompatSession | null
  : RequestSession<SessionAttributes>;

declare module 'koa' {
  interface ExtendableContext {
    /** The request's session, set by `@session/koa`'s `session()` middleware. */
    session: KoaContextSession;
  }
}

export type { KoaSessionOptions } from './middleware.js';

/**
 * Koa 2 and 3 middleware that puts a {@link RequestSession} on `ctx.session`.
 *
 * ```ts
 * import Koa from 'koa';
 * import { MemorySessionRepository } from '@session/memory';
 * import { session } from '@session/koa';
 *
 * const app = new Koa();
 * app.use(session({ repository: new MemorySessionRepository() }));
 * app.use((ctx) => {
 *   ctx.session.set('visits', ((ctx.session.get('visits') as number) ?? 0) + 1);
 *   ctx.body = 'hello';
 * });
 * ```
 *
 * - The session is saved once downstream middleware has finished and before Koa responds, so
 *   streamed bodies and redirects carry the new id. Raw writes to `ctx.res` made earlier (e.g.
 *   with `ctx.respond = false`) wait for a save first.
 * - When downstream middleware throws, changes made before the throw are still saved and a new
 *   or changed id still goes out with the error response, so client and store always agree on
 *   the id. The original error is rethrown.
 * - A store that fails or exceeds `storeTimeoutMs` throws `SessionStoreUnavailableError` with
 *   `status` 503 and `expose` true into Koa's error handling.
 * - Secure cookies follow Koa's `app.proxy` setting (`ctx.secure`) unless the cookie resolver has
 *   its own `trustProxy`.
 * - `autoCommit: false` saves only when the app calls `await ctx.session.save()`.
 * - With `whenStoreUnavailable: 'continue'`, a store that is down leaves `ctx.session` unset and
 *   the request runs on.
 *
 * Apps written for koa-session (and koa-passport) use the same middleware from
 * `@session/koa/compat`, which puts a koa-session compatible object on `ctx.session`.
 */
export function session<S extends Session = Session>(options: KoaSessionOptions<S>): Middleware {
  return createKoaSessionMiddleware(options, {
    // Mounted twice: the first instance owns the request.
    installed: (ctx) => (ctx as { session?: unknown }).session instanceof RequestSession,
    install: (ctx, controller) => {
      (ctx as { session?: unknown }).session = controller.session;
    },
  });
}

/**
 * `ctx.session` typed with your own attribute type, for apps that prefer a generic over
 * augmenting {@link SessionData}. Throws when the middleware did not run for this request.
 */
export function getSession<A extends object = SessionAttributes>(ctx: {
  session?: unknown;
}): RequestSession<A> {
  return requireRequestSession<A>(
    ctx.session,
    'ctx.session is not set: add the session() middleware from @session/koa first',
  );
}

export type {
  CookieSessionIdResolverOptions,
  HttpSessionOptions,
  KoaSessionSourceOptions,
  KoaSessionStore,
  LegacySessionSource,
  SessionIdResolver,
  StoreUnavailablePolicy,
  TrustProxy,
} from '@session/http';
export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  koaSessionSource,
  PassportIndexResolver,
  RequestSession,
} from '@session/http';
export type { KoaCompatSession, KoaCompatSessionMembers } from './compat/session-object.js';
