/**
 * `@session/redis`: session stores on ioredis, standalone and Redis Cluster. `RedisSessionRepository`
 * is the plain one (fastest), `RedisIndexedSessionRepository` adds principal and custom indexes
 * and `created`/`deleted`/`expired` events. The `compact` layout (default) is ours; the `spring`
 * layout shares sessions with Java services running Spring Session.
 */
export { createClient, isClusterClient, isClusterUrl, parseClusterUrl, redactUrl } from './client.js';
export { HashFormat, type StoredHash } from './layout/hash-format.js';
export { RedisKeys, type RedisLayout, shardOf } from './layout/keys.js';
export {
  DEFAULT_COMPACT_NAMESPACE,
  DEFAULT_SPRING_NAMESPACE,
  type RedisClient,
  type RedisIndexedSessionRepositoryOptions,
  type RedisSessionRepositoryOptions,
  type SpringExpirationStore,
} from './options.js';
export { createRedisRepository, parseRedisStoreUrl, sessionStore } from './provider.js';
export { RedisSessionRepository } from './repositories/default.js';
export { RedisIndexedSessionRepository } from './repositories/indexed.js';
