import type { Session } from '@session/core';
import {
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  RequestSession,
  requireRequestSession,
  type SessionAttributesOf,
} from '@session/http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

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

declare global {
  namespace Express {
    interface Request {
      /** The request's session, set by `@session/express`'s `session()` middleware. */
      session: RequestSession<SessionAttributes>;
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
 */
export function session<S extends Session = Session>(options: ExpressSessionOptions<S>): RequestHandler {
  const manager = new HttpSessionManager<SessionAttributes, S>(options);
  const { logger } = manager;

  return function sessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (e.g. app and router): the first instance owns the request.
    if (req.session instanceof RequestSession) {
      next();
      return;
    }
    // Express computes secure and hostname (proxy rules included) on each read: only a request
    // that writes a cookie asks.
    const exchange = {
      request: req,
      response: res,
      get secure() {
        return req.secure;
      },
      get hostname() {
        return req.hostname;
      },
      contextPath: req.baseUrl,
    };
    manager.open(exchange).then(
      (controller) => {
        req.session = controller.session;
        guardResponse(res, controller, {
          logger,
          // Nothing was sent and the route's headers are dropped: the app's error handlers answer.
          onCommitError: (err) => next(err),
        });
        next();
      },
      (err: unknown) => next(err),
    );
  };
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
