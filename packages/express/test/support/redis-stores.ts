import { randomBytes } from 'node:crypto';
import type { Session, SessionRepository } from '@session/core';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { quietLogger, type StoreUnderTest } from '../../../http/test/support/adapter-suite.js';

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

function redisStore(
  name: string,
  make: (client: Redis, namespace: string) => SessionRepository<Session>,
): StoreUnderTest {
  return {
    name,
    canStop: true,
    async create() {
      // A server per context: the outage test stops it, and the server is gone afterwards.
      const server = await startRedisServer();
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
  };
}

/** The two Redis stores of `@session/redis`, each on its own real redis-server. */
export const redisStores: StoreUnderTest[] = [
  redisStore(
    'redis (plain)',
    (client, namespace) => new RedisSessionRepository({ client, namespace, logger: quietLogger }),
  ),
  redisStore(
    'redis (indexed)',
    (client, namespace) => new RedisIndexedSessionRepository({ client, namespace, logger: quietLogger }),
  ),
];
