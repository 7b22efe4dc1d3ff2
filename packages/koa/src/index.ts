import type { Session } from '@session/core';
import {
  commitWhenAppIsDone,
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  isClientSafeSessionError,
  RequestSession,
  requireRequestSession,
  type SessionAttributesOf,
  snapshotResponseHeaders,
} from '@session/http';
import type { Context, Middleware, Next } from 'koa';

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

declare module 'koa' {
  interface ExtendableContext {
    /** The request's session, set by `@session/koa`'s `session()` middleware. */
    session: RequestSession<SessionAttributes>;
  }
}

/** Options of {@link session}: see `HttpSessionOptions` in `@session/http`. */
export type KoaSessionOptions<S extends Session = Session> = HttpSessionOptions<S>;

/**
 * Store errors reach Koa with their status (503, or 409 for a save that did not land) and a
 * message safe to show (it names no id or host).
 */
function forKoa(err: unknown): unknown {
  if (isClientSafeSessionError(err)) Object.assign(err, { expose: true });
  return err;
}

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
 */
export function session<S extends Session = Session>(options: KoaSessionOptions<S>): Middleware {
  const manager = new HttpSessionManager<SessionAttributes, S>(options);
  const { logger } = manager;

  return async function sessionMiddleware(ctx: Context, next: Next): Promise<void> {
    // Mounted twice: the first instance owns the request.
    if ((ctx as { session?: unknown }).session instanceof RequestSession) {
      await next();
      return;
    }
    let controller: Awaited<ReturnType<typeof manager.open>>;
    try {
      // Koa computes secure and hostname (proxy rules included) on each read: only a request that
      // writes a cookie asks.
      controller = await manager.open({
        request: ctx.req,
        response: ctx.res,
        get secure() {
          return ctx.secure;
        },
        get hostname() {
          return ctx.hostname;
        },
        contextPath: (ctx as { mountPath?: string }).mountPath ?? '',
      });
    } catch (err) {
      throw forKoa(err);
    }
    ctx.session = controller.session;

    const restoreHeaders = snapshotResponseHeaders(ctx.res);
    let downstreamDone = false;
    let failureThrown = false;
    guardResponse(ctx.res, controller, {
      logger,
      onCommitError: (err) => {
        // A raw write (`ctx.respond = false`) triggered the save and was dropped. Until this
        // middleware has finished it rethrows the failure below; afterwards only Koa's handler is left.
        if (downstreamDone && !failureThrown) ctx.onerror(forKoa(err) as Error);
      },
    });

    let downstreamError: unknown;
    let downstreamFailed = false;
    try {
      await next();
    } catch (err) {
      downstreamFailed = true;
      downstreamError = err;
    }
    // A failed save after a failed request is logged; the request's own error is what Koa answers.
    const commitError = await commitWhenAppIsDone(controller, downstreamFailed, logger);
    downstreamDone = true;
    if (controller.commitFailed) failureThrown = true;
    if (downstreamFailed) throw downstreamError;
    if (commitError !== undefined) {
      // Raw writes of an app that opted out of Koa's response were dropped: Koa has to answer now.
      ctx.respond = true;
      restoreHeaders();
      throw forKoa(commitError);
    }
    // Bodies written after this point (streams, `respond = false` writers) still change the session:
    // guardResponse saves them once the response has finished.
  };
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
  SessionIdResolver,
  TrustProxy,
} from '@session/http';
export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  RequestSession,
} from '@session/http';
