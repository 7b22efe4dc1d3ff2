import {
  defaultSessionIdGenerator,
  InvalidArgumentError,
  type MapSession,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionIdGenerator,
  type SessionRepositoryOptions,
  springJsonSerializer,
} from '@session/core';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { isClusterClient, isClusterUrl } from './client.js';
import { type RedisLayout, shardOf } from './layout/keys.js';

/** An ioredis client: standalone `Redis` or `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Default namespace of the compact layout. */
export const DEFAULT_COMPACT_NAMESPACE = 'sess';
/** Spring Session's namespace, the default of the Spring layout. */
export const DEFAULT_SPRING_NAMESPACE = 'spring:session';

/** Options of {@link RedisSessionRepository}. Give `client` or `url`, not both. */
export interface RedisSessionRepositoryOptions extends SessionRepositoryOptions<MapSession> {
  /**
   * An ioredis `Redis` or `Cluster` client. The repository never closes a client it was given (it
   * closes only the connections it opened itself).
   */
  client?: RedisClient;
  /**
   * Connect to this URL instead (`redis://`, `rediss://`, `redis-cluster://host:port,host:port`);
   * the repository owns that client and closes it in `close()`. Default `redis://127.0.0.1:6379`.
   */
  url?: string;
  /** ioredis options for a client made from {@link url} (`ClusterOptions` for cluster URLs). */
  redisOptions?: RedisOptions | ClusterOptions;
  /**
   * `'compact'` (default): short names, the smallest hashes and cheapest scripts. `'spring'`:
   * Spring Session's keys, fields and expiry bookkeeping, to share sessions with Java services
   * (standalone Redis only; the serializer defaults to `springJsonSerializer` from
   * `@session/core`, which writes what Spring's `GenericJackson2JsonRedisSerializer` reads). See
   * the README's "Sharing sessions with Spring Session".
   */
  layout?: RedisLayout;
  /** Key prefix. Default `sess` (compact) or `spring:session` (spring). */
  namespace?: string;
  /**
   * Redis Cluster: the sessions are spread over this many shards; all keys of a shard share one
   * slot, so every save stays one atomic script. Default 16. With the default id generator an id
   * change draws the new id on the old id's shard (one RENAME); a custom `idGenerator` can do the
   * same by honouring its `previousId` argument with `shardOf`, else the session moves between
   * slots in three steps.
   */
  clusterShards?: number;
  /**
   * Standalone Redis: use the cluster's key names (shard hash tags) anyway, e.g. to move the same
   * data to a cluster later. Always on for a `Cluster` client. Default false.
   */
  hashTags?: boolean;
  /**
   * `findById` rewrites lastAccessedTime (and the TTL) only when it is at least this old. Default 0:
   * every read records the access. With a threshold T, the stored access time lags the real one by
   * less than T, so a session can expire up to T before `maxInactiveIntervalMs` after its last use.
   */
  touchThresholdMs?: number;
  /**
   * After each committed write, wait for this many replicas to acknowledge it (`WAIT`, sent in the
   * same round trip), so a failover loses no saved session. Default: on a `Cluster`, 1 for a
   * master that has a replica (read from the masters and kept fresh), else 0.
   */
  waitForReplicas?: number;
  /** How long `WAIT` may block, at least 1 ms. Default 1000; on timeout the save succeeds with a warning. */
  waitTimeoutMs?: number;
}

/**
 * Spring Session's expiration stores for its indexed repository: `'minute-buckets'` (its default:
 * sets `<ns>:expirations:<minute>`) or `'sorted-set'` (`<ns>:sessions:expirations`).
 */
export type SpringExpirationStore = 'minute-buckets' | 'sorted-set';

/** Options of {@link RedisIndexedSessionRepository}. */
export interface RedisIndexedSessionRepositoryOptions extends RedisSessionRepositoryOptions {
  /**
   * How often this instance sweeps for expired sessions (and publishes their `expired` events).
   * `expired` arrives within about this long after the due time. 0 turns the sweeper off (another
   * instance must sweep). At most 2³¹−1 ms. Default 1000 ms (compact) or 60 000 ms (spring, like
   * Spring's cron).
   */
  sweepIntervalMs?: number;
  /** Sessions handled per script run of a sweep. Default 100. */
  sweepBatchSize?: number;
  /**
   * How long the hash outlives its due time (TTL = due time + grace), so a sweep can still read it
   * and `expired` carries the session. Default 5 minutes, like Spring (fixed in the spring layout).
   */
  expiryGraceMs?: number;
  /**
   * Compact layout: also write an expiry marker per session and sweep as soon as Redis reports one
   * expired. Needs `notify-keyspace-events` with `Ex` (never set by the repository); the sweeper
   * stays the source of truth. Default false.
   */
  keyspaceNotifications?: boolean;
  /** Spring layout: the expiration store Java instances use. Default `'minute-buckets'`. */
  springExpirationStore?: SpringExpirationStore;
  /** Spring layout: the Redis database number in Spring's event channel names. Default: the client's db, else 0. */
  springDatabase?: number;
}

/** Every Redis option resolved and checked. */
export interface ResolvedRedisOptions extends ResolvedRepositoryOptions<MapSession> {
  layout: RedisLayout;
  /** Shards the keys are spread over: `clusterShards` on a cluster (or with `hashTags`), else 1. */
  shards: number;
  clusterShards: number;
  touchThresholdMs: number;
  waitForReplicas: number | undefined;
  waitTimeoutMs: number;
  sweepIntervalMs: number;
  sweepBatchSize: number;
  expiryGraceMs: number;
  keyspaceNotifications: boolean;
  springExpirationStore: SpringExpirationStore;
}

/** Node timers cannot wait longer than this; a longer delay fires after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647;

/** A number option: finite, in range, integer when asked. Throws `InvalidArgumentError` naming it. */
export function checkNumber(
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max?: number; integer?: boolean },
): number {
  const v = value ?? fallback;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    v >= range.min &&
    (range.max === undefined || v <= range.max) &&
    (!range.integer || Number.isInteger(v));
  if (!ok) {
    const kind = range.integer ? 'an integer' : 'a finite number';
    const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new InvalidArgumentError(`${name} must be ${kind} ${bounds}, got ${String(value)}`);
  }
  return v as number;
}

/** Applies defaults and validates every option, before any connection is opened. */
export function resolveRedisOptions(
  options: RedisIndexedSessionRepositoryOptions,
  indexed: boolean,
): ResolvedRedisOptions {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError('Repository options must be an object');
  const layout = options.layout ?? 'compact';
  if (layout !== 'compact' && layout !== 'spring') {
    throw new InvalidArgumentError(`layout must be 'compact' or 'spring', got ${String(layout)}`);
  }
  const spring = layout === 'spring';
  const shared = resolveRepositoryOptions<MapSession>(
    // Spring's layout stores what Spring's JSON serializer reads, unless told otherwise.
    spring && options.serializer === undefined ? { ...options, serializer: springJsonSerializer } : options,
    { namespace: spring ? DEFAULT_SPRING_NAMESPACE : DEFAULT_COMPACT_NAMESPACE },
  );
  if (shared.namespace === '' || /[{}]/.test(shared.namespace)) {
    throw new InvalidArgumentError(
      'namespace must be a non-empty string without "{" or "}" (they mark hash tags)',
    );
  }
  if (options.client !== undefined && options.url !== undefined) {
    throw new InvalidArgumentError('Give either client or url, not both');
  }
  if (options.client !== undefined && typeof options.client?.defineCommand !== 'function') {
    throw new InvalidArgumentError('client must be an ioredis Redis or Cluster instance');
  }
  const store = options.springExpirationStore ?? 'minute-buckets';
  if (store !== 'minute-buckets' && store !== 'sorted-set') {
    throw new InvalidArgumentError(
      `springExpirationStore must be 'minute-buckets' or 'sorted-set', got ${String(store)}`,
    );
  }
  if (options.keyspaceNotifications === true && spring) {
    throw new InvalidArgumentError(
      'keyspaceNotifications is for the compact layout; the spring layout always uses them, as Spring does',
    );
  }
  if (options.waitForReplicas !== undefined)
    checkNumber('waitForReplicas', options.waitForReplicas, 0, { min: 0, integer: true });
  const clusterShards = checkNumber('clusterShards', options.clusterShards, 16, {
    min: 1,
    max: 1024,
    integer: true,
  });
  const isCluster =
    options.client !== undefined ? isClusterClient(options.client) : isClusterUrl(options.url ?? 'redis://');
  const shards = !spring && (isCluster || options.hashTags === true) ? clusterShards : 1;
  return {
    ...shared,
    // A new id on the old id's shard keeps an id change inside one slot: one atomic RENAME. A
    // custom generator is used as it is (it may honour `previousId` itself, with `shardOf`).
    idGenerator:
      shards > 1 && shared.idGenerator === defaultSessionIdGenerator
        ? sameShardIds(shared.idGenerator, shards)
        : shared.idGenerator,
    layout,
    shards,
    clusterShards,
    touchThresholdMs: checkNumber('touchThresholdMs', options.touchThresholdMs, 0, { min: 0 }),
    waitForReplicas: options.waitForReplicas,
    // WAIT with timeout 0 blocks forever: every save would hang while a replica is away.
    waitTimeoutMs: Math.ceil(
      checkNumber('waitTimeoutMs', options.waitTimeoutMs, 1000, { min: 1, max: MAX_TIMER_MS }),
    ),
    sweepIntervalMs: checkNumber('sweepIntervalMs', options.sweepIntervalMs, spring ? 60_000 : 1000, {
      min: 0,
      max: MAX_TIMER_MS,
    }),
    sweepBatchSize: Math.floor(
      checkNumber('sweepBatchSize', options.sweepBatchSize, 100, { min: 1, max: 100_000 }),
    ),
    expiryGraceMs: spring
      ? indexed
        ? 300_000
        : 0
      : indexed
        ? checkNumber('expiryGraceMs', options.expiryGraceMs, 300_000, { min: 0, max: MAX_TIMER_MS })
        : 0,
    keyspaceNotifications: options.keyspaceNotifications === true,
    springExpirationStore: store,
  };
}

/**
 * Wraps an id generator so that an id replacing another one lands on the same shard: draws until
 * the shard matches (16 draws on average with 16 shards). Generators that cannot produce such an
 * id within a bound fall back to any id; the repository then moves the session between slots.
 */
function sameShardIds(base: SessionIdGenerator, shards: number): SessionIdGenerator {
  return (previousId) => {
    if (previousId === undefined) return base();
    const target = shardOf(previousId, shards);
    let id = base(previousId);
    for (let tries = 1; shardOf(id, shards) !== target && tries < shards * 32; tries++) id = base(previousId);
    return id;
  };
}
