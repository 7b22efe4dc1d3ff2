import { InvalidArgumentError, type SessionLogger } from '@session/core';
import type { Redis } from 'ioredis';
import { closeConnection, createClient, isClusterClient, isClusterUrl } from '../client.js';
import { RedisKeys } from '../layout/keys.js';
import type { RedisClient, RedisIndexedSessionRepositoryOptions, ResolvedRedisOptions } from '../options.js';
import { ScriptRunner } from '../scripts/runner.js';

/** The client a repository works on, and what it learned about it. */
export interface RedisConnection {
  readonly client: RedisClient;
  /** The repository opened the client (from `url`) and closes it. */
  readonly ownsClient: boolean;
  readonly isCluster: boolean;
  /** The Redis database number (0 on a cluster). */
  readonly database: number;
  readonly keys: RedisKeys;
  readonly runner: ScriptRunner;
  close(): Promise<void>;
}

/**
 * Opens (or adopts) the repository's client and builds its key names and script runner. Every
 * option has been checked before this runs: a constructor that throws leaves no connection behind.
 */
export function connect(
  raw: RedisIndexedSessionRepositoryOptions,
  options: ResolvedRedisOptions,
  logger: SessionLogger,
): RedisConnection {
  const url = raw.url ?? 'redis://127.0.0.1:6379';
  const isCluster = raw.client !== undefined ? isClusterClient(raw.client) : isClusterUrl(url);
  if (isCluster && options.layout === 'spring') {
    throw new InvalidArgumentError(
      "The spring layout needs standalone Redis: Spring Session's key names cannot share a cluster slot",
    );
  }
  const ownsClient = raw.client === undefined;
  const client = raw.client ?? createClient(url, raw.redisOptions);
  if (ownsClient) {
    // Our own client: a connection problem surfaces in the failing call, not as an unhandled event.
    client.on('error', (err: unknown) => logger.debug('redis client error', err));
  }
  const clientOptions = (
    client as { options?: { keyPrefix?: string; redisOptions?: { keyPrefix?: string } } }
  ).options;
  const clientPrefix = clientOptions?.keyPrefix ?? clientOptions?.redisOptions?.keyPrefix ?? '';
  const keys = new RedisKeys({
    layout: options.layout,
    namespace: options.namespace,
    shards: options.shards,
    clientPrefix,
  });
  const runner = new ScriptRunner(
    client,
    isCluster,
    { replicas: options.waitForReplicas, timeoutMs: options.waitTimeoutMs },
    logger,
  );
  const database = isCluster ? 0 : ((client as Redis).options?.db ?? 0);
  return {
    client,
    ownsClient,
    isCluster,
    database,
    keys,
    runner,
    async close() {
      runner.close();
      if (ownsClient) await closeConnection(client);
    },
  };
}
