import { runSessionRepositoryContract } from '@session/testkit';
import { type RedisTestCluster, startRedisCluster } from '@session/testkit/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterConnection, redisHarness } from './support/harness.js';

let cluster: RedisTestCluster;
const connection = clusterConnection(() => cluster.nodes);
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
});
afterAll(async () => {
  connection.close();
  await cluster?.stop();
});

runSessionRepositoryContract({
  name: 'RedisIndexedSessionRepository on a local Redis Cluster (3 masters, 3 replicas)',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  // Sweeps every 100 ms (harness default); the store keeps intervals in exact ms, yet the suite's
  // default one-second minimum keeps its timing margins wide on a busy machine.
  expiry: { minIntervalMs: 1000, eventWithinMs: 5000 },
  createHarness: redisHarness(connection, 'indexed'),
});
