import {
  checkStoreTimeoutMs,
  InvalidArgumentError,
  type MapSession,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionRepositoryOptions,
} from '@session/core';
import type { CookieDefaults } from './stored-record.js';

/** Default bound on one store call, in ms. */
export const DEFAULT_BRIDGE_STORE_TIMEOUT_MS = 5000;

/**
 * Options of {@link fromExpressSessionStore}. The shared store options apply except `namespace`
 * (the express-session store has its own key prefix) and `indexResolver` (the bridge keeps no
 * index).
 */
export interface ExpressSessionBridgeOptions
  extends Omit<SessionRepositoryOptions<MapSession>, 'namespace' | 'indexResolver'> {
  /**
   * Bound on each call to the store, in ms; a call that has not called back by then rejects with
   * `SessionStoreUnavailableError`. `Infinity` for no bound. Default 5000.
   */
  storeTimeoutMs?: number;
  /**
   * Cookie fields written into sessions the bridge creates, for express-session apps that read the
   * same store (they use the stored cookie for `req.session.cookie`). Default
   * `{ path: '/', httpOnly: true }`, express-session's own defaults. `originalMaxAge` and
   * `expires` always follow the session's interval.
   */
  cookie?: CookieDefaults;
  /**
   * Treat every session the store returns as live even when its timestamps say it has expired,
   * taking the read time as its last access. For stores shared with express-session apps whose
   * `touch` only extends a TTL without rewriting the stored cookie (connect-redis with
   * `resave: false`): there a session kept alive by touches alone looks expired to the bridge.
   * Expiry is then entirely the store's. Default `false`.
   */
  trustStoreExpiry?: boolean;
}

/** {@link ExpressSessionBridgeOptions} with every default applied. */
export interface ResolvedBridgeOptions extends ResolvedRepositoryOptions<MapSession> {
  storeTimeoutMs: number;
  cookie: CookieDefaults;
  trustStoreExpiry: boolean;
}

/** Applies defaults and validates, throwing `InvalidArgumentError` naming the option. */
export function resolveBridgeOptions(options: ExpressSessionBridgeOptions = {}): ResolvedBridgeOptions {
  const shared = resolveRepositoryOptions<MapSession>(options, { namespace: '' });
  const storeTimeoutMs = checkStoreTimeoutMs(options.storeTimeoutMs, DEFAULT_BRIDGE_STORE_TIMEOUT_MS);
  const cookie = options.cookie ?? { path: '/', httpOnly: true };
  if (cookie === null || typeof cookie !== 'object' || Array.isArray(cookie)) {
    throw new InvalidArgumentError('cookie must be an object of express-session cookie fields');
  }
  for (const field of ['originalMaxAge', 'expires'] as const) {
    if (field in cookie) {
      throw new InvalidArgumentError(
        `cookie.${field} cannot be set: it follows the session's maxInactiveIntervalMs`,
      );
    }
  }
  const trustStoreExpiry = options.trustStoreExpiry ?? false;
  if (typeof trustStoreExpiry !== 'boolean') {
    throw new InvalidArgumentError('trustStoreExpiry must be a boolean');
  }
  return { ...shared, storeTimeoutMs, cookie: { ...cookie }, trustStoreExpiry };
}
