import { runRedisContract, useStandaloneConnection } from './support/harness.js';

runRedisContract('RedisSessionRepository on standalone redis-server', 'plain', useStandaloneConnection());
