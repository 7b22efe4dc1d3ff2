import type { Session } from '@session/core';
import {
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  type RequestSessionController,
} from '@session/http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** How a middleware puts its session object on the request. */
export interface SessionInstaller<S extends Session> {
  /** True when a session middleware already owns this request (mounted twice: the first wins). */
  installed(req: Request): boolean;
  /** Puts the session object on `req` (before the response guard is set up). */
  install(
    req: Request,
    controller: RequestSessionController<object, S>,
    manager: HttpSessionManager<object, S>,
  ): void;
}

/**
 * The middleware both entry points share: loads the session, hands it to `installer`, and guards
 * the response so the session is saved before the headers leave.
 */
export function createSessionMiddleware<S extends Session>(
  options: HttpSessionOptions<S>,
  installer: SessionInstaller<S>,
): RequestHandler {
  const manager = new HttpSessionManager<object, S>(options);
  const { logger } = manager;

  return function sessionMiddleware(req: Request, res: Response, next: NextFunction): void {
    if (installer.installed(req)) {
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
        installer.install(req, controller, manager);
        guardResponse(res, controller, {
          logger,
          // Nothing was sent and the route's headers are dropped: the app's error handlers answer.
          onCommitError: (err) => next(err),
        });
        next();
      },
      // A store that is down: 503 through the app's error handlers, or no session at all.
      (err: unknown) => (manager.continuesWithoutSession(err) ? next() : next(err)),
    );
  };
}
