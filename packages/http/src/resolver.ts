import type { SessionExchange, SessionRequest } from './exchange.js';

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
}
