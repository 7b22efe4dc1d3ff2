import { runRedisContract, useStandaloneConnection } from './support/harness.js';

runRedisContract(
  'RedisIndexedSessionRepository on standalone redis-server',
  'indexed',
  useStandaloneConnection(),
);
