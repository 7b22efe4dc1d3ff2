import type { SessionExchange, SessionRequest } from '../exchange.js';

/**
 * A session of the library an app is moving from (express-session, koa-session), found from a
 * request's legacy cookie on its first visit after the switch.
 */
export interface LegacySession {
  /** The legacy id or store key (for log messages; always shortened there). */
  readonly key: string;
  /** The session's attributes, with the legacy library's own bookkeeping fields left out. */
  readonly attributes: ReadonlyArray<readonly [string, unknown]>;
}

/**
 * Where legacy sessions come from, for `HttpSessionOptions.migrateFrom`. When a request presents
 * no session of ours but a legacy cookie, the HTTP layer asks {@link find}, moves what it returns
 * into a new session of the repository, stores it (before the response headers leave) and then
 * calls {@link remove} and {@link expireCookies}, so the client leaves with the new cookie only.
 *
 * Built-in sources: `expressSessionSource` and `koaSessionSource`.
 */
export interface LegacySessionSource {
  /** Names the legacy library in log messages, e.g. `express-session`. */
  readonly name: string;
  /**
   * The legacy session the request presents, or `null`. Implementations verify the cookie
   * (signature, syntax) before any store call: a forged or malformed key never reaches a store.
   * Store failures reject (the HTTP layer turns them into `SessionStoreUnavailableError`).
   */
  find(request: SessionRequest): Promise<LegacySession | null>;
  /** Deletes the legacy session from its store, once its data lives in the new one. */
  remove(session: LegacySession): Promise<void>;
  /** Tells the client to drop the legacy cookie(s). */
  expireCookies(exchange: SessionExchange): void;
}
