import type { Redis } from 'ioredis';
import { loadIoredis } from './client.js';
import { type RedisTestServer, startRedisServer } from './server.js';

/** The hooks {@link useRedisServer} registers with: vitest's or Jest's own. */
export interface SuiteHooks {
  beforeAll(fn: () => unknown, timeoutMs?: number): unknown;
  afterAll(fn: () => unknown, timeoutMs?: number): unknown;
}

/** A redis-server for one test file and a client connected to it. */
export interface RedisServerFixture {
  /** The server (throws when read before the file's `beforeAll` ran). */
  readonly server: RedisTestServer;
  /** An ioredis client of the server (throws when read before the file's `beforeAll` ran). */
  readonly client: Redis;
}

/**
 * Starts a throwaway redis-server (see `startRedisServer`) and an ioredis client for the test file
 * that calls it, and stops both after the file. Pass your test framework's hooks:
 *
 * ```ts
 * const redis = useRedisServer({ beforeAll, afterAll });
 * it('…', async () => { await redis.client.set('k', 'v'); });
 * ```
 */
export function useRedisServer(hooks: SuiteHooks): RedisServerFixture {
  let server: RedisTestServer | undefined;
  let client: Redis | undefined;
  hooks.beforeAll(async () => {
    server = await startRedisServer();
    const { Redis } = await loadIoredis();
    client = new Redis(server.url);
  });
  hooks.afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('useRedisServer: the server starts in beforeAll; read it inside tests');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get client() {
      return started(client);
    },
  };
}
