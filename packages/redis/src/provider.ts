import {
  InvalidStoreConfigError,
  type MapSession,
  type SessionRepository,
  type SessionStoreProvider,
  type StoreConfig,
} from '@session/core';
import { isClusterUrl, redactUrl } from './client.js';
import type { RedisIndexedSessionRepositoryOptions } from './options.js';
import { RedisSessionRepository } from './repositories/default.js';
import { RedisIndexedSessionRepository } from './repositories/indexed.js';

type Kind = 'boolean' | 'number' | 'string';

/** Repository options a store URL may carry in its query string. */
const URL_OPTIONS: Record<string, Kind> = {
  indexed: 'boolean',
  namespace: 'string',
  defaultMaxInactiveIntervalMs: 'number',
  flushMode: 'string',
  saveMode: 'string',
  sweepIntervalMs: 'number',
  sweepBatchSize: 'number',
  expiryGraceMs: 'number',
  keyspaceNotifications: 'boolean',
  waitForReplicas: 'number',
  waitTimeoutMs: 'number',
  touchThresholdMs: 'number',
  hashTags: 'boolean',
  layout: 'string',
  clusterShards: 'number',
  springExpirationStore: 'string',
  springDatabase: 'number',
};

function convert(name: string, kind: Kind, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'number') {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new InvalidStoreConfigError(`Redis store option ${name} must be a number, got "${text}"`);
    }
    return value;
  }
  const lower = text.toLowerCase();
  if (['true', '1', 'yes', 'on', ''].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new InvalidStoreConfigError(`Redis store option ${name} must be true or false, got "${text}"`);
}

/** ioredis connection options a `redis://` URL may carry; they go to ioredis as they are. */
const IOREDIS_URL_OPTIONS = new Set([
  'family',
  'db',
  'connectTimeout',
  'commandTimeout',
  'keepAlive',
  'noDelay',
  'connectionName',
  'maxRetriesPerRequest',
  'enableReadyCheck',
  'enableOfflineQueue',
  'tls',
]);

/**
 * Splits a store URL into the connection URL ioredis gets and the repository options in its
 * query. A query parameter that is neither a repository option nor an ioredis connection option
 * is an error naming the known ones: `?indexd=false` must not silently give the indexed store.
 */
export function parseRedisStoreUrl(url: string): { connectionUrl: string; options: Record<string, unknown> } {
  const cluster = isClusterUrl(url);
  const queryStart = url.indexOf('?');
  const base = queryStart >= 0 ? url.slice(0, queryStart) : url;
  const params = new URLSearchParams(queryStart >= 0 ? url.slice(queryStart + 1) : '');
  const options: Record<string, unknown> = {};
  const rest = new URLSearchParams();
  for (const [name, value] of params) {
    const kind = Object.hasOwn(URL_OPTIONS, name) ? URL_OPTIONS[name] : undefined;
    if (kind !== undefined) options[name] = convert(name, kind, value);
    else if (cluster ? name === 'tls' : IOREDIS_URL_OPTIONS.has(name)) rest.append(name, value);
    else {
      const known = [...Object.keys(URL_OPTIONS), ...(cluster ? ['tls'] : IOREDIS_URL_OPTIONS)].sort();
      throw new InvalidStoreConfigError(
        `Unknown Redis${cluster ? ' Cluster' : ''} store URL option "${name}" in ${redactUrl(url)}. Known: ${known.join(', ')}`,
      );
    }
  }
  const remaining = rest.toString();
  return { connectionUrl: remaining === '' ? base : `${base}?${remaining}`, options };
}

/**
 * Builds a repository from a store config (what `createRepositoryFromConfig` passes): a
 * `redis://`, `rediss://`, `redis-cluster://` or `redis+cluster://` URL whose query may carry
 * options (`?indexed=false&namespace=app`), merged under the config's own keys. Indexed unless
 * `indexed=false`. The repository owns the client it opens and closes it in `close()`.
 */
export function createRedisRepository(config: StoreConfig): SessionRepository<MapSession> {
  const {
    store,
    url,
    client,
    indexed: indexedOption,
    ...rest
  } = config as StoreConfig & { client?: unknown };
  let fromUrl: Record<string, unknown> = {};
  let connectionUrl: string | undefined;
  if (typeof url === 'string' && url !== '') {
    const parsed = parseRedisStoreUrl(url);
    fromUrl = parsed.options;
    connectionUrl = parsed.connectionUrl;
  } else if (client === undefined) {
    if (store === 'redis-cluster' || store === 'redis+cluster') {
      throw new InvalidStoreConfigError(
        'A redis-cluster store needs url: redis-cluster://host:port,host:port',
      );
    }
    connectionUrl = store === 'rediss' ? 'rediss://127.0.0.1:6379' : 'redis://127.0.0.1:6379';
  }
  const indexed = indexedOption ?? fromUrl.indexed ?? true;
  if (typeof indexed !== 'boolean')
    throw new InvalidStoreConfigError('Redis store option indexed must be a boolean');
  const { indexed: _ignored, ...urlOptions } = fromUrl;
  const options = {
    ...urlOptions,
    ...rest,
    ...(client !== undefined ? { client } : { url: connectionUrl }),
  } as RedisIndexedSessionRepositoryOptions;
  return indexed ? new RedisIndexedSessionRepository(options) : new RedisSessionRepository(options);
}

/**
 * The config-driven loading hook of `@session/core`:
 * `createRepositoryFromConfig('redis://127.0.0.1:6379?namespace=app')` finds it here.
 */
export const sessionStore: SessionStoreProvider = {
  name: 'redis',
  create: (config) => createRedisRepository(config),
};
