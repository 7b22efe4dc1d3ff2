import { randomBytes } from 'node:crypto';
import {
  createRepositoryFromConfig,
  InvalidSessionIdError,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionEvent,
  silentLogger,
} from '@session/core';
import { waitFor } from '@session/testkit';
import { type RedisTestCluster, readCommandStats, startRedisCluster } from '@session/testkit/redis';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { keySlot } from '../src/cluster/slot.js';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { SCRIPT_SHAS } from '../src/scripts/index.js';
import { quietOptions, uniqueNamespace } from './support/harness.js';

let cluster: RedisTestCluster;
let client: Cluster;

beforeAll(async () => {
  // This test kills processes, so it always starts its own cluster (never REDIS_CLUSTER_NODES).
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, useEnv: false });
  client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

const savedNodes = process.env.REDIS_CLUSTER_NODES;
afterEach(() => {
  if (savedNodes === undefined) delete process.env.REDIS_CLUSTER_NODES;
  else process.env.REDIS_CLUSTER_NODES = savedNodes;
});

it('WAIT reaches every master with a replica, whatever the topology looked like at connect time', async () => {
  // A fresh cluster: its replicas attached after the client loaded its slot table.
  const fresh = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  const repo = new RedisIndexedSessionRepository(quietOptions(fresh, uniqueNamespace('wait')));
  const waitCalls = async () => {
    const calls = new Map<number, number>();
    for (const master of await cluster.masters())
      calls.set(master.port, (await readCommandStats(master)).wait ?? 0);
    return calls;
  };
  const before = await waitCalls();
  // Sessions on every shard, so every master serves some.
  for (let i = 0; i < 64; i++) {
    const session = await repo.createSession();
    session.set('i', i);
    expect((await repo.save(session)).status).toBe('written');
  }
  const after = await waitCalls();
  for (const [port, calls] of after)
    expect(calls - (before.get(port) ?? 0), `WAIT on master ${port}`).toBeGreaterThan(0);
  await repo.close();
  fresh.disconnect();
});

it('REDIS_CLUSTER_NODES returns that cluster instead of starting one (and refuses to kill its nodes)', async () => {
  process.env.REDIS_CLUSTER_NODES = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const external = await startRedisCluster();
  expect(external.source).toBe('env');
  expect((await external.masters()).map((m) => m.port).sort()).toEqual(
    (await cluster.masters()).map((m) => m.port).sort(),
  );
  await expect(external.killNode(cluster.nodes[0]?.port as number)).rejects.toThrow(/useEnv: false/);
  await external.stop();
  expect(await client.ping()).toBe('PONG');
});

it('createRepositoryFromConfig(redis-cluster://…) works on the cluster and keeps a session in one slot', async () => {
  const namespace = `cfg${Date.now()}`;
  const url = `${cluster.url.replace('redis-cluster:', 'redis+cluster:')}?namespace=${namespace}&sweepIntervalMs=0`;
  const repo = (await createRepositoryFromConfig(url)) as RedisIndexedSessionRepository;
  expect(repo).toBeInstanceOf(RedisIndexedSessionRepository);
  const session = await repo.createSession();
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'cluster-user');
  await repo.save(session);
  const shard = repo.keys.shardOf(session.id);
  expect(repo.keys.session(session.id)).toBe(`${namespace}:{${namespace}:${shard}}:s:${session.id}`);
  expect(await client.exists(repo.keys.session(session.id))).toBe(1);
  expect([...(await repo.findByPrincipalName('cluster-user')).keys()]).toEqual([session.id]);
  await repo.close();
  // The repository opened this client, so close() quits it.
  await waitFor(
    () => (repo.client.status === 'end' ? true : undefined),
    2000,
    'the owned cluster client was not closed',
  );
});

it('an id change keeps the session on its shard: one atomic RENAME, index and due entries included', async () => {
  const repo = new RedisIndexedSessionRepository(quietOptions(client, uniqueNamespace('same')));
  const session = await repo.createSession();
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'rotating');
  await repo.save(session);
  const loaded = (await repo.findById(session.id)) as MapSession;
  const newId = loaded.changeSessionId();
  expect(repo.keys.shardOf(newId)).toBe(repo.keys.shardOf(session.id));
  expect((await repo.save(loaded)).status).toBe('written');
  expect([...(await repo.findByPrincipalName('rotating')).keys()]).toEqual([newId]);
  expect(await client.zscore(repo.keys.due(repo.keys.shardOf(newId)), newId)).not.toBeNull();
  expect(await client.zscore(repo.keys.due(repo.keys.shardOf(newId)), session.id)).toBeNull();
  await repo.close();
});

it('an id generator that ignores the old id still works: the session moves to the other shard', async () => {
  const generate = () => randomBytes(24).toString('base64url');
  const repo = new RedisIndexedSessionRepository({
    ...quietOptions(client, uniqueNamespace('pl')),
    idGenerator: () => generate(),
  });
  const session = await repo.createSession();
  session.set('cart', ['sku-1']);
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'mover-user');
  await repo.save(session);
  const loaded = (await repo.findById(session.id)) as MapSession;
  loaded.set('step', 2);
  let newId = loaded.changeSessionId();
  while (repo.keys.shardOf(newId) === repo.keys.shardOf(session.id)) newId = loaded.changeSessionId();
  expect((await repo.save(loaded)).status).toBe('written');
  expect(await repo.findById(session.id)).toBeNull();
  expect(await client.exists(repo.keys.moving(session.id))).toBe(0);
  const moved = await repo.findById(newId);
  expect(moved?.get('cart')).toEqual(['sku-1']);
  expect(moved?.get('step')).toBe(2);
  expect(moved?.creationTime).toBe(session.creationTime);
  expect([...(await repo.findByPrincipalName('mover-user')).keys()]).toEqual([newId]);
  expect(await client.zscore(repo.keys.due(repo.keys.shardOf(newId)), newId)).not.toBeNull();
  expect(await client.zscore(repo.keys.due(repo.keys.shardOf(session.id)), session.id)).toBeNull();
  // The old id leaves its trail: a stale copy reports "moved", a delete of the old id follows it.
  const stale = (await repo.findById(newId)) as MapSession;
  expect(stale).not.toBeNull();
  await repo.deleteById(session.id);
  expect(await client.exists(repo.keys.session(newId))).toBe(0);
  await repo.close();
});

it('a cross-slot id change that fails puts the session back with its own TTL, not the move lease', async () => {
  let nextId: string | undefined;
  const generate = () => randomBytes(24).toString('base64url');
  const repo = new RedisSessionRepository({
    client,
    namespace: uniqueNamespace('mb'),
    idGenerator: () => nextId ?? generate(),
    logger: silentLogger,
  });
  const shard = (id: string) => repo.keys.shardOf(id);
  const session = await repo.createSession();
  session.set('keep', 1);
  await repo.save(session);
  const taken = await repo.createSession();
  while (shard(taken.id) === shard(session.id)) taken.changeSessionId();
  taken.set('other', 1);
  await repo.save(taken);
  const loaded = (await repo.findById(session.id)) as MapSession;
  nextId = taken.id;
  loaded.changeSessionId();
  nextId = undefined;
  // The new id is in use: the move is undone.
  await expect(repo.save(loaded)).rejects.toThrow(InvalidSessionIdError);
  expect(await client.exists(repo.keys.moving(session.id))).toBe(0);
  // Default interval 30 min: far beyond the 60 s a session may hide under its temp key. (Read
  // before findById, whose touch would reset the TTL anyway.)
  expect(await client.pttl(repo.keys.session(session.id))).toBeGreaterThan(25 * 60_000);
  expect((await repo.findById(session.id))?.get('keep')).toBe(1);
  await repo.close();
});

it('a delete that lands while a session moves to another slot is not undone by the move', async () => {
  const namespace = uniqueNamespace('mv');
  const moverClient = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  const generate = () => randomBytes(24).toString('base64url');
  const mover = new RedisIndexedSessionRepository({
    client: moverClient,
    namespace,
    idGenerator: () => generate(),
    sweepIntervalMs: 0,
    logger: silentLogger,
  });
  const deleter = new RedisIndexedSessionRepository(quietOptions(client, namespace));
  await Promise.all([mover.ready(), deleter.ready()]);
  const session = await mover.createSession();
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'mover');
  await mover.save(session);
  const loaded = (await mover.findById(session.id)) as MapSession;
  let newId = loaded.changeSessionId();
  while (mover.keys.shardOf(newId) === mover.keys.shardOf(session.id)) newId = loaded.changeSessionId();
  // Right after the session is hidden under its temp key, another request logs it out.
  type Send = (command: { name: string; args: unknown[] }, ...rest: unknown[]) => Promise<unknown>;
  const target = moverClient as unknown as { sendCommand: Send };
  const send = target.sendCommand.bind(moverClient);
  let intercepted = false;
  target.sendCommand = (command, ...rest) => {
    // Checked before sending: ioredis turns the first EVALSHA on a connection into an EVAL.
    const isMoveOut = command.args[0] === SCRIPT_SHAS.moveOut;
    const result = send(command, ...rest);
    if (!isMoveOut) return result;
    intercepted = true;
    return result.then(async (reply) => {
      await deleter.deleteById(session.id);
      return reply;
    });
  };
  await mover.save(loaded);
  target.sendCommand = send;
  expect(intercepted).toBe(true);
  expect(await mover.findById(newId)).toBeNull();
  expect(await mover.findById(session.id)).toBeNull();
  expect(await client.exists(mover.keys.session(newId))).toBe(0);
  expect(await client.exists(mover.keys.moving(session.id))).toBe(0);
  for (const shardNumber of mover.keys.allShards()) {
    expect(await client.smembers(mover.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'mover', shardNumber))).toEqual(
      [],
    );
  }
  await Promise.all([mover.close(), deleter.close()]);
  moverClient.disconnect();
});

it('the sweep covers every master: sessions in all slots expire with one event each, on each of two instances', async () => {
  const namespace = `sw${Date.now()}`;
  const repo = new RedisIndexedSessionRepository({
    ...quietOptions(client, namespace),
    sweepIntervalMs: 100,
  });
  const peerClient = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  const peer = new RedisIndexedSessionRepository({
    ...quietOptions(peerClient, namespace),
    sweepIntervalMs: 100,
  });
  await Promise.all([repo.ready(), peer.ready()]);
  const expired: SessionEvent<MapSession>[] = [];
  repo.on('expired', (event) => {
    expired.push(event);
  });
  const peerExpired: string[] = [];
  peer.on('expired', (event) => {
    peerExpired.push(event.sessionId);
  });
  // SREMs (the sweep script's own, counted by the servers themselves).
  const sremCalls = async () => {
    let calls = 0;
    for (const master of await cluster.masters()) calls += (await readCommandStats(master)).srem ?? 0;
    return calls;
  };
  const sremBefore = await sremCalls();
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const session = await repo.createSession();
    session.set('i', i);
    session.set(PRINCIPAL_NAME_INDEX_NAME, `sweep-user-${i % 3}`);
    session.maxInactiveIntervalMs = 300;
    await repo.save(session);
    ids.push(session.id);
  }
  const masters = new Set<number>();
  for (const id of ids) masters.add((await cluster.masterForKey(repo.keys.due(repo.keys.shardOf(id)))).port);
  expect(masters.size).toBeGreaterThan(1);
  await waitFor(() => (expired.length >= ids.length ? true : undefined), 10_000, 'not every session expired');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await waitFor(() => (peerExpired.length >= ids.length ? true : undefined), 5000, 'the peer missed events');
  expect(expired.map((e) => e.sessionId).sort()).toEqual([...ids].sort());
  expect([...peerExpired].sort()).toEqual([...ids].sort());
  expect(expired.every((e) => e.session?.get('i') !== undefined)).toBe(true);
  // Each expired session's index entry was pruned once, by whichever instance claimed it.
  expect((await sremCalls()) - sremBefore).toBe(ids.length);
  for (const id of ids) expect(await client.exists(repo.keys.session(id))).toBe(0);
  // The sweeper pruned the index sets (in each shard's slot) and emptied every due set.
  for (const shard of repo.keys.allShards()) {
    for (let u = 0; u < 3; u++)
      expect(await client.scard(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, `sweep-user-${u}`, shard))).toBe(
        0,
      );
    expect(await client.zcard(repo.keys.due(shard))).toBe(0);
  }
  await Promise.all([repo.close(), peer.close()]);
  peerClient.disconnect();
});

async function eventually<T>(fn: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

it('SIGKILL of a master during a run loses no acknowledged session, index entry or due time once its replica took over', async () => {
  const repo = new RedisIndexedSessionRepository(quietOptions(client, uniqueNamespace('fo')));
  const committed = new Map<string, number>();
  let stop = false;
  let written = 0;
  // The run: four writers saving new logged-in sessions until told to stop.
  const writer = async () => {
    while (!stop) {
      const n = written++;
      try {
        const session = await repo.createSession();
        session.set('n', n);
        session.set(PRINCIPAL_NAME_INDEX_NAME, `fo-user-${n}`);
        if ((await repo.save(session)).status === 'written') committed.set(session.id, n);
      } catch {
        // A save that failed while its master was down is not committed: nothing to check.
      }
    }
  };
  const writers = Promise.all([writer(), writer(), writer(), writer()]);
  while (committed.size < 200) await new Promise((resolve) => setTimeout(resolve, 10));

  const victim = await cluster.masterForKey(repo.keys.session([...committed.keys()][0] as string));
  const victimSlots = (await cluster.slotRanges()).filter((range) => range.master.port === victim.port);
  const wasOnVictim = (id: string) => {
    const slot = keySlot(repo.keys.session(id));
    return victimSlots.some((range) => slot >= range.start && slot <= range.end);
  };
  const before = committed.size;
  await cluster.killNode(victim.port);
  await cluster.waitUntilHealthy();
  // Keep writing a little after the failover so the run spans it.
  const afterFailover = committed.size;
  while (committed.size < afterFailover + 50) await new Promise((resolve) => setTimeout(resolve, 10));
  stop = true;
  await writers;

  const masters = await cluster.masters();
  expect(masters.map((m) => m.port)).not.toContain(victim.port);
  expect(committed.size).toBeGreaterThan(before);

  // Every save that resolved must be readable, including those whose slot moved to the replica.
  let onVictim = 0;
  for (const [id, n] of committed) {
    const found = await eventually(async () => {
      const session = (await repo.findById(id)) as MapSession | null;
      if (session === null) throw new Error(`committed session ${id} is missing`);
      return session;
    }, 10_000);
    expect(found.get('n')).toBe(n);
    // Acknowledged means findable by principal and due to expire (with its event), too.
    expect([...(await repo.findByPrincipalName(`fo-user-${n}`)).keys()]).toEqual([id]);
    expect(await client.zscore(repo.keys.due(repo.keys.shardOf(id)), id)).not.toBeNull();
    if (wasOnVictim(id)) onVictim++;
  }
  // Proof that sessions on the killed master were part of the check.
  expect(onVictim).toBeGreaterThan(0);
  await repo.close();
}, 60_000);

it('the event subscriber moves to another node when its node dies, and events keep arriving', async () => {
  // Runs after the failover test: one master may have no replica left, so pick a listener whose
  // subscriber sits on a node that can die without taking slots down.
  const namespace = uniqueNamespace('sub');
  const channel = `${namespace}:events`;
  const masters = await cluster.masters();
  const replicas = await cluster.replicas();
  const live = [...masters, ...replicas];
  const subscriberNode = async () => {
    for (const node of live) {
      const reply = (await client
        .nodes('all')
        .find((n) => n.options.port === node.port)
        ?.pubsub('NUMSUB', channel)) as [string, number] | undefined;
      if (Number(reply?.[1] ?? 0) > 0) return node;
    }
    return undefined;
  };
  const replicaCount = async (port: number) => {
    const nodes = String(
      await client
        .nodes('all')
        .find((n) => n.options.port === port)
        ?.cluster('NODES'),
    );
    const myId = nodes
      .split('\n')
      .find((line) => line.includes('myself'))
      ?.split(' ')[0];
    return nodes.split('\n').filter((line) => line.split(' ')[3] === myId).length;
  };
  let listener: RedisIndexedSessionRepository | undefined;
  let victim: { port: number } | undefined;
  for (let attempt = 0; attempt < 20 && victim === undefined; attempt++) {
    listener = new RedisIndexedSessionRepository(quietOptions(client, namespace));
    await listener.ready();
    const node = await subscriberNode();
    const isMaster = masters.some((m) => m.port === node?.port);
    if (node !== undefined && (!isMaster || (await replicaCount(node.port)) > 0)) victim = node;
    else await listener.close();
  }
  if (listener === undefined || victim === undefined) throw new Error('no subscriber on a node that may die');
  const deleted: string[] = [];
  listener.on('deleted', (event) => {
    deleted.push(event.sessionId);
  });
  await cluster.killNode(victim.port);
  await cluster.waitUntilHealthy();
  const peerClient = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  const peer = new RedisIndexedSessionRepository(quietOptions(peerClient, namespace));
  await peer.ready();
  const id = await eventually(async () => {
    const session = await peer.createSession();
    session.set('a', 1);
    await peer.save(session);
    await peer.deleteById(session.id);
    await waitFor(() => (deleted.includes(session.id) ? true : undefined), 2000, 'no deleted event');
    return session.id;
  }, 10_000);
  expect(deleted).toContain(id);
  expect(new Set(deleted).size).toBe(deleted.length);
  await Promise.all([listener.close(), peer.close()]);
  peerClient.disconnect();
}, 60_000);

it('keySlot agrees with CLUSTER KEYSLOT, hash tags included', async () => {
  const keys = ['sess:{sess:3}:s:abc', 'plain-key', 'a{}b', '{user1000}.following', 'x{y', 'ü{€}z', ''];
  for (const key of keys) expect(keySlot(key)).toBe(await cluster.keySlot(key));
});
