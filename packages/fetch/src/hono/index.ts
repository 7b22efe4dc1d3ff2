/**
 * `@session/fetch/hono`: Hono middleware on `@session/fetch`. `c.get('session')` is the request's
 * `RequestSession`, typed app-wide (Hono's `ContextVariableMap`) or per app with {@link SessionEnv}.
 * Hono is an optional peer of `@session/fetch`, used for its types only.
 */
import { STATUS_CODES } from 'node:http';
import type { Session } from '@session/core';
import {
  type FetchSessionOptions,
  FetchSessions,
  type RequestSession,
  type SessionAttributes,
  type WebConnectionInfo,
} from '@session/fetch';
import { isClientSafeSessionError } from '@session/http';
import type { Context, MiddlewareHandler } from 'hono';

/** Hono `Variables` with the session: `new Hono<SessionEnv>()`, or `SessionEnv<MyAttributes>`. */
export interface SessionVariables<A extends object = SessionAttributes> {
  session: RequestSession<A>;
}

/** A Hono `Env` whose `c.get('session')` is typed with the attributes `A`. */
export interface SessionEnv<A extends object = SessionAttributes> {
  Variables: SessionVariables<A>;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's session, set by `@session/fetch/hono`'s middleware. */
    session: RequestSession<SessionAttributes>;
  }
}

/** Options of {@link honoSession}: those of `FetchSessions` (less `onError`: Hono's `onError` answers). */
export interface HonoSessionOptions<S extends Session = Session>
  extends Omit<FetchSessionOptions<S>, 'onError'> {
  /**
   * The connection facts of the runtime (peer address, TLS), for `trustProxy`. Default: the
   * socket of `c.env.incoming` that `@hono/node-server` provides; on other runtimes pass your
   * own, e.g. from `getConnInfo(c)` of `hono/bun` or `hono/deno`.
   */
  connectionInfo?: (c: Context) => WebConnectionInfo | undefined;
  /**
   * Path the app holding the middleware is mounted at, for `useContextPath` cookies: a string, or
   * a function such as `(c) => baseRoutePath(c)` from `hono/route`. Default `''`.
   */
  contextPath?: string | ((c: Context) => string);
}

/** `@hono/node-server` puts the Node request on `c.env.incoming`. */
function nodeConnection(c: Context): WebConnectionInfo | undefined {
  const socket = (
    c.env as { incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } } } | undefined
  )?.incoming?.socket;
  if (socket === undefined) return undefined;
  return { remoteAddress: socket.remoteAddress, encrypted: socket.encrypted === true };
}

/**
 * Store errors carry their status and a message safe to show; Hono's default error handler answers
 * an error with `getResponse()` through it (as it does an `HTTPException`), so a store that is
 * down is a 503 there too. The app's own `onError` still sees the original error and its `code`.
 */
function forHono(error: unknown): unknown {
  if (isClientSafeSessionError(error) && !('getResponse' in error)) {
    Object.defineProperty(error, 'getResponse', {
      configurable: true,
      value: () =>
        new Response(error.message || STATUS_CODES[error.status], {
          status: error.status,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
    });
  }
  return error;
}

/** Records the names of the headers set through `c.header()` from now on. */
function recordHeaderNames(c: Context): Set<string> {
  const names = new Set<string>();
  const header = c.header;
  c.header = ((name: string, value?: string, options?: { append?: boolean }) => {
    names.add(name.toLowerCase());
    return header(name, value, options);
  }) as Context['header'];
  return names;
}

/**
 * The route's response is discarded when its session cannot be saved: the response itself and
 * the headers set with `c.header()` after the middleware ran. Headers set before it (CORS, security
 * headers) stay for the error response.
 */
function discardResponse(c: Context, names: ReadonlySet<string>): void {
  c.res = undefined;
  c.finalized = false;
  for (const name of names) c.header(name, undefined);
}

/**
 * Hono middleware that puts the request's {@link RequestSession} on `c.get('session')`, saves it
 * once the handlers have produced their response and sets the id cookie or header on it.
 *
 * ```ts
 * import { Hono } from 'hono';
 * import { honoSession } from '@session/fetch/hono';
 * import { MemorySessionRepository } from '@session/memory';
 *
 * const app = new Hono();
 * app.use(honoSession({ repository: new MemorySessionRepository() }));
 * app.get('/', (c) => {
 *   const session = c.get('session');
 *   session.set('visits', ((session.get('visits') as number) ?? 0) + 1);
 *   return c.text(`visit ${session.get('visits')}`);
 * });
 * ```
 *
 * - The session is saved after `next()`, before Hono hands the response over; redirects,
 *   streamed bodies and error responses carry the new id. Changes made while a body streams are
 *   saved once it has been sent.
 * - When a handler throws, changes made before are saved and the id goes out with the error
 *   response.
 * - A store that fails or exceeds `storeTimeoutMs` is thrown as `SessionStoreUnavailableError`
 *   (`status` 503) into Hono's error handling (`app.onError`; the default handler answers 503), a
 *   write that did not land as `SessionSaveConflictError` (409). The route's response and the
 *   headers it set are dropped. With `whenStoreUnavailable: 'continue'` a store that is down
 *   leaves `c.get('session')` unset and the request runs on.
 */
export function honoSession<A extends object = SessionAttributes, S extends Session = Session>(
  options: HonoSessionOptions<S>,
): MiddlewareHandler<SessionEnv<A>> {
  const {
    connectionInfo = nodeConnection,
    contextPath,
    ...fetchOptions
  } = options ?? ({} as HonoSessionOptions<S>);
  const sessions = new FetchSessions<A, S>(fetchOptions);
  const { logger } = sessions;

  return async function sessionMiddleware(c, next) {
    // Mounted twice (app and sub-app): the first instance owns the request.
    if (c.get('session') !== undefined) {
      await next();
      return;
    }
    const context = c as unknown as Context;
    let session: RequestSession<A>;
    try {
      session = await sessions.load(c.req.raw, {
        connection: connectionInfo(context),
        contextPath: typeof contextPath === 'function' ? contextPath(context) : contextPath,
      });
    } catch (error) {
      // A store that is down: 503, or (whenStoreUnavailable: 'continue') no session at all.
      if (sessions.manager.continuesWithoutSession(error)) {
        await next();
        return;
      }
      throw forHono(error);
    }
    c.set('session', session);
    const routeHeaders = recordHeaderNames(context);

    await next();

    let response: Response;
    try {
      response = await sessions.commit(session, c.res);
    } catch (error) {
      if (c.error !== undefined) {
        // The handler failed first: its error response stands, without a new id.
        logger.warn('saving the session after a failed request also failed', (error as Error)?.message);
        return;
      }
      discardResponse(context, routeHeaders);
      throw forHono(error);
    }
    if (response !== c.res) {
      // Assigning over an existing response would merge its headers back in; start from none.
      c.res = undefined;
      c.res = response;
    }
  };
}

export type { SessionAttributes, SessionData } from '@session/fetch';
