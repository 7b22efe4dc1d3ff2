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
  name: 'RedisSessionRepository on standalone redis-server',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: false, events: false },
  // The store keeps intervals in exact ms, yet the suite's default one-second minimum keeps its
  // timing margins wide on a busy machine.
  expiry: { minIntervalMs: 1000, eventWithinMs: 5000 },
  createHarness: redisHarness(connection, 'plain'),
});
