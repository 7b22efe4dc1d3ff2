import type { SessionExchange, SessionRequest } from './exchange.js';

/**
 * How a session id reaches the server:
 * - `'cookie'`: the browser attaches it by itself, to requests another site triggers too
 *   (a cross-site form, a WebSocket opened by another site's page);
 * - `'header'`: only code that holds the id sends it (browsers cannot add headers to cross-site
 *   form posts or to a WebSocket handshake).
 */
export type SessionIdTransport = 'cookie' | 'header';

/**
 * Carries session ids between client and server: where a request presents its id and how a
 * response hands a new one back (Spring Session's `HttpSessionIdResolver`).
 */
export interface SessionIdResolver {
  /**
   * The ids the request presents, in preference order, deduplicated. Only ids that pass core's
   * `isValidSessionId` are returned: malformed input is dropped here and never reaches a store.
   */
  resolveSessionIds(request: SessionRequest): string[];
  /** Sends `sessionId` to the client (a `Set-Cookie`, a response header, ...). */
  setSessionId(exchange: SessionExchange, sessionId: string): void;
  /** Tells the client to drop its id (an expired cookie, an empty header, ...). */
  expireSession(exchange: SessionExchange): void;
  /**
   * True when the id the request presented (`sessionId`, found in the store) should be sent again
   * with this response although it did not change: a cookie with a `Max-Age` is rewritten so it
   * expires that long after the last request (rolling expiry), a cookie signed with an older
   * secret is signed again with the newest. `cookieMaxAgeSeconds` is the session's own cookie
   * lifetime, as in {@link SessionExchange.cookieMaxAgeSeconds}. Absent: never.
   */
  refreshSessionId?(
    request: SessionRequest,
    sessionId: string,
    cookieMaxAgeSeconds: number | null | undefined,
  ): boolean;
  /**
   * How the ids this resolver reads travel. Layers that accept requests another site can
   * trigger use it: `@session/ws` checks the `Origin` of an upgrade for `'cookie'` ids only.
   * Unset counts as `'cookie'`, the safe assumption; a resolver reading a header (a bearer token,
   * an API key) declares `'header'`.
   */
  readonly transport?: SessionIdTransport;
  /**
   * For a resolver that combines others (`CompositeSessionIdResolver`): the combined resolvers, in
   * the order their ids are tried. Layers that need each id's {@link transport} ask them one by
   * one, so `resolveSessionIds` must return exactly their ids, in this order.
   */
  readonly resolvers?: readonly SessionIdResolver[];
}
