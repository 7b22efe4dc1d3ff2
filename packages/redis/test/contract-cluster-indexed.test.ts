import { runRedisContract, useClusterConnection } from './support/harness.js';

runRedisContract(
  'RedisIndexedSessionRepository on a local Redis Cluster (3 masters, 3 replicas)',
  'indexed',
  useClusterConnection(),
);
