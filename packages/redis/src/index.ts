/**
 * `@session/redis`: session stores on ioredis, standalone and Redis Cluster, in Spring Session's
 * key layout. `RedisSessionRepository` is the plain one (fastest), `RedisIndexedSessionRepository`
 * adds principal and custom indexes and `created`/`deleted`/`expired` events.
 */
export { createClient, isClusterClient, isClusterUrl, parseClusterUrl } from './client.js';
export { RedisIndexedSessionRepository } from './indexed-repository.js';
export { RedisKeyLayout } from './keys.js';
export {
  ATTRIBUTE_PREFIX,
  defaultRedisSessionMapper,
  HASH_FIELDS,
  type RedisSessionMapper,
  type RedisSessionMapperContext,
} from './mapper.js';
export {
  DEFAULT_NAMESPACE,
  type RedisClient,
  type RedisIndexedSessionRepositoryOptions,
  type RedisSessionRepositoryOptions,
} from './options.js';
export { createRedisRepository, parseRedisStoreUrl, sessionStore } from './provider.js';
export { RedisSessionRepository } from './repository.js';
