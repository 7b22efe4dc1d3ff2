import { InvalidArgumentError, type Session } from '@session/core';
import {
  commitWhenAppIsDone,
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  isClientSafeSessionError,
  type RequestSessionController,
  type SessionExchange,
  snapshotResponseHeaders,
} from '@session/http';
import type { Context, Middleware, Next } from 'koa';

/**
 * One Koa request as the session layer sees it (a class: see `SessionExchange`). Koa computes
 * `secure` and `hostname` (proxy rules included) on each read, so they are read only when a
 * cookie is written.
 */
class KoaExchange implements SessionExchange {
  readonly request: Context['req'];
  readonly response: Context['res'];
  readonly contextPath: string;
  readonly context: Context;

  constructor(ctx: Context) {
    this.context = ctx;
    this.request = ctx.req;
    this.response = ctx.res;
    this.contextPath = (ctx as { mountPath?: string }).mountPath ?? '';
  }

  get secure(): boolean {
    return this.context.secure;
  }

  get hostname(): string {
    return this.context.hostname;
  }
}

/** Options of the Koa middlewares: `HttpSessionOptions` of `@session/http`, plus `autoCommit`. */
export interface KoaSessionOptions<S extends Session = Session> extends HttpSessionOptions<S> {
  /**
   * Save the session when downstream middleware is done (koa-session's `autoCommit`). Default
   * `true`. With `false` nothing is saved unless the app asks: `await ctx.session.save()` (or
   * `manuallyCommit()` on the koa-session compatible object); what it committed (a new id, a
   * refreshed or expired cookie) goes out with the response.
   */
  autoCommit?: boolean;
}

/** How a middleware puts its session object on the context. */
export interface KoaSessionInstaller<S extends Session> {
  /** True when a session middleware already owns this request (mounted twice: the first wins). */
  installed(ctx: Context): boolean;
  /** Puts the session object on `ctx` (before the response guard is set up). */
  install(
    ctx: Context,
    controller: RequestSessionController<object, S>,
    manager: HttpSessionManager<object, S>,
    autoCommit: boolean,
  ): void;
}

/**
 * Store errors reach Koa with their status (503, or 409 for a save that did not land) and a
 * message safe to show (it names no id or host).
 */
export function forKoa(err: unknown): unknown {
  if (isClientSafeSessionError(err)) Object.assign(err, { expose: true });
  return err;
}

/** The middleware both entry points share. */
export function createKoaSessionMiddleware<S extends Session>(
  options: KoaSessionOptions<S>,
  installer: KoaSessionInstaller<S>,
): Middleware {
  const { autoCommit = true, ...httpOptions } = options ?? ({} as KoaSessionOptions<S>);
  if (typeof autoCommit !== 'boolean') throw new InvalidArgumentError('autoCommit must be a boolean');
  const manager = new HttpSessionManager<object, S>(httpOptions as HttpSessionOptions<S>);
  const { logger } = manager;

  return async function sessionMiddleware(ctx: Context, next: Next): Promise<void> {
    if (installer.installed(ctx)) {
      await next();
      return;
    }
    let controller: RequestSessionController<object, S>;
    try {
      controller = await manager.open(new KoaExchange(ctx));
    } catch (err) {
      // A store that is down: 503, or the request runs without a session.
      if (manager.continuesWithoutSession(err)) {
        await next();
        return;
      }
      throw forKoa(err);
    }
    installer.install(ctx, controller, manager, autoCommit);

    if (!autoCommit) {
      try {
        await next();
      } finally {
        // Only what the app committed goes out: the id of a session it saved, a refreshed cookie.
        if (!ctx.res.headersSent) controller.writeResponseHeaders();
      }
      return;
    }

    const restoreHeaders = snapshotResponseHeaders(ctx.res);
    let downstreamDone = false;
    let failureThrown = false;
    guardResponse(ctx.res, controller, {
      logger,
      restoreHeaders,
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
