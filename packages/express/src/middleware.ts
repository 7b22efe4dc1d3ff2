import type { Session } from '@session/core';
import {
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  type RequestSessionController,
  type SessionExchange,
} from '@session/http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * One Express request as the session layer sees it (a class: see `SessionExchange`). Express
 * computes `secure` and `hostname` (proxy rules included) on each read, so they are read only
 * when a cookie is written.
 */
class ExpressExchange implements SessionExchange {
  readonly request: Request;
  readonly response: Response;
  readonly contextPath: string;

  constructor(req: Request, res: Response) {
    this.request = req;
    this.response = res;
    this.contextPath = req.baseUrl;
  }

  get secure(): boolean {
    return this.request.secure;
  }

  get hostname(): string {
    return this.request.hostname;
  }
}

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
    manager.open(new ExpressExchange(req, res)).then(
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
