import { runSessionRepositoryContract } from '@session/testkit';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisHarness, standaloneConnection } from './support/harness.js';

let server: RedisTestServer;
const connection = standaloneConnection(() => server.url);
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  connection.close();
  await server?.stop();
});

runSessionRepositoryContract({
  name: 'RedisIndexedSessionRepository on standalone redis-server',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  // The store keeps intervals in ms (Spring's seconds field plus an exact ms field), so the suite
  // may use half-second intervals; the sweeper runs every 100 ms.
  expiry: { minIntervalMs: 500, eventWithinMs: 2000 },
  createHarness: redisHarness(connection, 'indexed'),
});
