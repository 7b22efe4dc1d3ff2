import { startRedisCluster } from '@session/testkit/redis';
import { runCommand } from '../../testkit/src/redis/resp.js';
import { Cluster } from 'ioredis';
import { expect, it } from 'vitest';
import { RedisIndexedSessionRepository } from '../src/index.js';
import { uniqueNamespace } from './support/harness.js';

it('cluster subscriber failover', async () => {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, useEnv: false });
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const nodes = cluster.nodes.map((n) => ({ host: n.host, port: n.port }));
  const namespace = uniqueNamespace('fo');
  const ca = new Cluster(nodes); const cb = new Cluster(nodes);
  const a = new RedisIndexedSessionRepository({ client: ca, namespace, sweepIntervalMs: 0, logger: log });
  await a.ready();
  const got: string[] = [];
  a.on('deleted', (e) => { got.push(e.sessionId); });
  // find nodes with a subscriber on our channel
  const subs: number[] = [];
  for (const n of cluster.nodes) {
    const n2 = Number(await runCommand(n.host, n.port, ['PUBSUB', 'NUMSUB', `${namespace}:events`]).then((r) => (r as unknown[])[1]));
    if (n2 > 0) subs.push(n.port);
  }
  console.log('subscriber nodes', subs, 'masters', (await cluster.masters()).map((m) => m.port));
  for (const port of subs) await cluster.killNode(port);
  const b = new RedisIndexedSessionRepository({ client: cb, namespace, sweepIntervalMs: 0, logger: log });
  await cluster.waitUntilHealthy();
  await b.ready();
  const s = await b.createSession(); s.set('x', 1); await b.save(s); await b.deleteById(s.id);
  await new Promise((r) => setTimeout(r, 2000));
  console.log('events after failover', got.length);
  await a.close(); await b.close(); ca.disconnect(); cb.disconnect();
  await cluster.stop();
  expect(got.length).toBe(1);
}, 60_000);
