import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of a request the session layer reads. `http.IncomingMessage` (also a WebSocket
 * upgrade request) and `http2.Http2ServerRequest` fit it.
 */
export interface SessionRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket?: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean } | null;
}

/** The parts of a response the session layer writes. `http.ServerResponse` fits it. */
export interface SessionResponse {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
}

/**
 * One request/response pair as a {@link SessionIdResolver} sees it when it writes an id.
 * Framework adapters fill the optional facts from the framework's own view of the request
 * (Express `req.secure`, Koa `ctx.hostname`, ...), so its proxy settings apply.
 *
 * Adapters make one per request as an instance of a small class, with getters on the class for
 * facts the framework computes on each read. Not an object literal with getters, nor an object
 * made with `Object.create(exchange)`: V8 gives each such object a hidden class of its own,
 * allocated in old space, which keeps the whole request reachable until the next full GC.
 */
export interface SessionExchange {
  readonly request: SessionRequest;
  readonly response: SessionResponse;
  /** The framework's answer to "did this request arrive over HTTPS?" (proxy-aware). */
  readonly secure?: boolean;
  /** The framework's host name of the request, without port (proxy-aware). */
  readonly hostname?: string;
  /** Path the app (or the router holding the session middleware) is mounted at, e.g. `/shop`; `''` at the root. */
  readonly contextPath?: string;
  /** The id the client presented that was found in the store this request. */
  readonly requestedSessionId?: string;
  /**
   * Remember-me flag of this request: `true` makes a cookie persistent, `false` makes it a session
   * cookie again, `undefined` leaves the resolver's default. Set through `RequestSession.rememberMe()`.
   */
  readonly rememberMe?: boolean;
  /**
   * The session's own cookie lifetime (`RequestSession.cookieMaxAgeSeconds`): seconds, `null` for
   * a browser-session cookie, `undefined` for the resolver's default. `rememberMe` wins over it.
   */
  readonly cookieMaxAgeSeconds?: number | null;
}
