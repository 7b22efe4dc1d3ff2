/**
 * The express-session `Store` API, typed here so the bridge needs no runtime (or type) dependency
 * on express-session. connect-redis, connect-mongo, connect-pg-simple, express-session's own
 * `MemoryStore` and the other community stores all satisfy it.
 */

/** Cookie data express-session keeps inside each stored session (its `Cookie#toJSON()`). */
export interface ExpressSessionCookieData {
  /** The cookie's max age in ms when it was last set; `null` for a browser-session cookie. */
  originalMaxAge?: number | null;
  /** When the cookie (and, for most stores, the stored session) expires. A string once stored as JSON. */
  expires?: string | Date | null;
  secure?: boolean | 'auto';
  httpOnly?: boolean;
  domain?: string;
  path?: string;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
}

/**
 * One stored session as express-session writes it: its `cookie` plus every attribute as a
 * top-level property. The bridge adds a reserved `__session` property (see {@link BridgeMetadata}).
 * Declared without an index signature so stores typed with express-session's own `SessionData`
 * fit; read attributes through {@link StoredSessionRecord}.
 */
export interface ExpressSessionData {
  cookie?: ExpressSessionCookieData | null;
}

/** {@link ExpressSessionData} with its attributes visible. */
export type StoredSessionRecord = ExpressSessionData & Record<string, unknown>;

/** Node-style callback of a store method. */
export type StoreCallback<T = unknown> = (err?: unknown, value?: T | null) => void;

/**
 * The callback API of an express-session store. Only `get`, `set` and `destroy` are required and
 * used; the optional methods are listed so real stores type-check against this interface.
 */
export interface ExpressSessionStore {
  /** Calls back with the stored session, or nothing when `sid` is unknown or expired. */
  get(sid: string, callback: (err: unknown, session?: ExpressSessionData | null) => void): unknown;
  /** Stores the whole session under `sid`, replacing what was there. */
  set(sid: string, session: ExpressSessionData, callback?: (err?: unknown) => void): unknown;
  /** Removes `sid`. */
  destroy(sid: string, callback?: (err?: unknown) => void): unknown;
  /** Refreshes the stored session's lifetime (not used: see the package README). */
  touch?(sid: string, session: ExpressSessionData, callback?: (err?: unknown) => void): unknown;
  /** Every stored session (not used). */
  all?(callback: (err: unknown, sessions?: unknown) => void): unknown;
  /** The number of stored sessions (not used). */
  length?(callback: (err: unknown, length?: number) => void): unknown;
  /** Removes every stored session (not used). */
  clear?(callback?: (err?: unknown) => void): unknown;
}

/**
 * What the bridge stores in the reserved `__session` property of each session it writes, so
 * `creationTime`, `lastAccessedTime` and `maxInactiveIntervalMs` survive a round trip exactly.
 */
export interface BridgeMetadata {
  /** Epoch ms. */
  creationTime: number;
  /** Epoch ms. */
  lastAccessedTime: number;
  /** Idle timeout in ms; negative for sessions that never expire. */
  maxInactiveIntervalMs: number;
}
