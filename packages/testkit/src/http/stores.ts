import { randomBytes } from 'node:crypto';
import type { Session, SessionRepository } from '@session/core';
import type { Redis } from 'ioredis';
import { loadIoredis } from '../redis/client.js';
import { type RedisTestServer, startRedisServer } from '../redis/server.js';
import type { RepositoryFactory, StoreUnderTest } from './types.js';

/**
 * An in-process store for the store-dependent cases, made by `createRepository` (for example
 * `memoryStore(() => new MemorySessionRepository())`); each context closes its repository.
 */
export function memoryStore(createRepository: RepositoryFactory, name = 'memory'): StoreUnderTest {
  if (typeof createRepository !== 'function') {
    throw new TypeError('memoryStore needs a function that makes a repository');
  }
  return {
    name,
    async create() {
      const repository = await createRepository();
      return { repository, close: async () => repository.close?.() };
    },
  };
}

/** Resolves after `ms` at most; closing a client of a dead server must not stall the suite. */
const bounded = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms))]);

function pidOf(server: RedisTestServer): number {
  // Outages are made by stopping the process; a REDIS_URL server cannot be stopped by us.
  if (server.pid === undefined) {
    throw new Error(`The outage test needs a redis-server this test started (got a ${server.source} server)`);
  }
  return server.pid;
}

/**
 * Builds a repository on an ioredis client connected to a throwaway redis-server; `namespace` is
 * unique per context.
 */
export type RedisRepositoryFactory = (client: Redis, namespace: string) => SessionRepository<Session>;

/**
 * Stores on real redis-servers, one server per context (started with `startRedisServer`, so
 * `redis-server` on the PATH, `REDIS_URL` or testcontainers), with the outage switch: the server
 * is paused with SIGSTOP (a hung store), resumed, and finally stopped for good. `ioredis` is an
 * optional peer of the testkit, loaded on first use.
 *
 * ```ts
 * const stores = redisStores({
 *   'redis (plain)': (client, namespace) => new RedisSessionRepository({ client, namespace }),
 *   'redis (indexed)': (client, namespace) => new RedisIndexedSessionRepository({ client, namespace }),
 * });
 * runAdapterSuite({ harness, test, stores: [memoryStore, ...stores] });
 * ```
 */
export function redisStores(factories: Record<string, RedisRepositoryFactory>): StoreUnderTest[] {
  return Object.entries(factories).map(([name, make]) => ({
    name,
    canStop: true,
    async create() {
      // A server per context: the outage test stops it, and the server is gone afterwards.
      const server = await startRedisServer();
      const { Redis } = await loadIoredis();
      const client = new Redis(server.url);
      // Connection errors during the outage tests are expected; requests see them as 503s.
      client.on('error', () => {});
      const repository = make(client, `http-${randomBytes(4).toString('hex')}`);
      let paused = false;
      const outage = {
        // SIGSTOP: the server keeps its connections and data but answers nothing (a hung store).
        async begin() {
          process.kill(pidOf(server), 'SIGSTOP');
          paused = true;
        },
        async end() {
          process.kill(pidOf(server), 'SIGCONT');
          paused = false;
        },
        async kill() {
          await server.stop();
        },
      };
      return {
        repository,
        outage,
        async close() {
          if (paused) await outage.end();
          await bounded(Promise.resolve(repository.close?.()), 1000);
          client.disconnect();
          await server.stop();
        },
      };
    },
  }));
}
