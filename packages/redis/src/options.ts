import type { MapSession, SessionRepositoryOptions } from '@session/core';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { RedisSessionMapper } from './mapper.js';

/** An ioredis client: standalone `Redis` or `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Spring Session's key namespace, the default so Java and Node services can share sessions. */
export const DEFAULT_NAMESPACE = 'spring:session';

/** Options of {@link RedisSessionRepository}. */
export interface RedisSessionRepositoryOptions extends SessionRepositoryOptions<MapSession> {
  /**
   * An ioredis `Redis` or `Cluster` client. The repository never closes a client it was given
   * (it closes only the connections it opened itself). Give this or {@link url}.
   */
  client?: RedisClient;
  /**
   * Connect to this URL instead (`redis://`, `rediss://`, `redis-cluster://host:port,host:port`);
   * the repository owns that client and closes it in `close()`. Default `redis://127.0.0.1:6379`.
   */
  url?: string;
  /** ioredis options for a client made from {@link url} (`ClusterOptions` for cluster URLs). */
  redisOptions?: RedisOptions | ClusterOptions;
  /** Key prefix. Default `spring:session`, Spring Session's own. */
  namespace?: string;
  /** Hash fields → session, like Spring's `RedisSessionMapper`. Default {@link defaultRedisSessionMapper}. */
  sessionMapper?: RedisSessionMapper;
  /**
   * Wrap session ids in key names in a hash tag (`<ns>:sessions:{<id>}`) so a session's keys
   * share a cluster slot. Always on for `Cluster` clients; off by default on standalone, where
   * the keys are exactly Spring Session's.
   */
  hashTags?: boolean;
  /**
   * `findById` refreshes lastAccessedTime (and the TTL) only when it is at least this much older
   * than now. Default 0: every read touches.
   */
  touchThresholdMs?: number;
  /**
   * After each committed write, wait for this many replicas to acknowledge it (`WAIT`, sent in
   * the same round trip), so a failover loses no saved session. Default: 1 on a `Cluster` that
   * has replicas, 0 otherwise.
   */
  waitForReplicas?: number;
  /**
   * How long `WAIT` may block, at least 1 ms (`WAIT` with 0 would block forever). Default 1000 ms;
   * on timeout the save succeeds with a warning.
   */
  waitTimeoutMs?: number;
}

/** Options of {@link RedisIndexedSessionRepository}. */
export interface RedisIndexedSessionRepositoryOptions extends RedisSessionRepositoryOptions {
  /**
   * How often this instance sweeps the due-time set for expired sessions (and publishes their
   * `expired` events). `expired` arrives within about this long after the due time. 0 turns the
   * sweeper off (another instance must sweep). At most 2³¹−1 ms (Node's timer limit). Default 1000 ms.
   */
  sweepIntervalMs?: number;
  /** Sessions claimed per script run of a sweep. Default 100. */
  sweepBatchSize?: number;
  /**
   * How long the hash outlives its due time (Redis TTL = due time + grace), so the sweeper can
   * still read it and the `expired` event carries the session. Default 5 minutes, like Spring.
   */
  expiryGraceMs?: number;
  /**
   * Also write an expiry marker key per session (`<ns>:sessions:expires:<id>`, Spring's name)
   * and sweep as soon as Redis reports one expired. Needs `notify-keyspace-events` with `Ex`
   * on the server (the repository never runs CONFIG SET); the sweeper stays the source of truth.
   * Default false.
   */
  keyspaceNotifications?: boolean;
  /** Shards of the due-time set. Default 1 on standalone (`<ns>:expirations`), 16 on Cluster. */
  dueShards?: number;
}
