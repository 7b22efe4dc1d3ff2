/**
 * `@session/testkit/redis`: real Redis servers for tests. `startRedisServer()` launches a
 * throwaway `redis-server` on a free loopback port, `startRedisCluster()` a local Redis Cluster;
 * `REDIS_URL` / `REDIS_CLUSTER_NODES` point them at servers you run, testcontainers is the
 * fallback, and when nothing is available they throw saying what to install (tests never skip).
 * Child processes and temp dirs are removed on stop and when the test process exits.
 */
export {
  type RedisClusterNode,
  type RedisTestCluster,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './cluster.js';
export { RedisServerUnavailableError } from './errors.js';
export { type RedisServerFixture, type SuiteHooks, useRedisServer } from './fixture.js';
export { findFreePort } from './free-port.js';
export { type CommandMonitor, type MonitoredCommand, monitorCommands, parseMonitorLine } from './monitor.js';
export {
  type RedisServerSource,
  type RedisTestServer,
  type StartRedisServerOptions,
  startRedisServer,
} from './server.js';
export { countCommands, readCommandStats } from './stats.js';
