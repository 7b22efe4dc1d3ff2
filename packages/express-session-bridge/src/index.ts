/**
 * `@session/express-session-bridge`: an existing express-session store (connect-redis,
 * connect-mongo, `MemoryStore`, …) as a `@session/core` `SessionRepository<MapSession>`.
 */
export { COOKIE_FIELD, METADATA_FIELD, RESERVED_ATTRIBUTE_NAMES } from './attribute-codec.js';
export {
  DEFAULT_BRIDGE_STORE_TIMEOUT_MS,
  type ExpressSessionBridgeOptions,
  type ResolvedBridgeOptions,
  resolveBridgeOptions,
} from './options.js';
export { ExpressSessionStoreRepository, fromExpressSessionStore } from './repository.js';
export type {
  BridgeMetadata,
  ExpressSessionCookieData,
  ExpressSessionData,
  ExpressSessionStore,
  StoreCallback,
  StoredSessionRecord,
} from './store-types.js';
export type { CookieDefaults } from './stored-record.js';
