import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  InvalidArgumentError,
  InvalidSessionIdError,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
} from '@session/core';
import { sleep, waitFor } from '@session/testkit';
import {
  type CommandMonitor,
  findFreePort,
  monitorCommands,
  type RedisTestServer,
  startRedisServer,
} from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { uniqueNamespace } from './support/harness.js';

// Findings of an adversarial review, each pinned by a test that failed before its fix.

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let server: RedisTestServer;
let client: Redis;
let monitor: CommandMonitor;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
  monitor = await monitorCommands(server);
});
afterAll(async () => {
  monitor?.stop();
  client?.disconnect();
  await server?.stop();
});

function indexed(extra: Record<string, unknown> = {}): RedisIndexedSessionRepository {
  return new RedisIndexedSessionRepository({
    client,
    namespace: uniqueNamespace('hd'),
    sweepIntervalMs: 0,
    logger: silent,
    ...extra,
  });
}

describe('data read back from Redis is not trusted', () => {
  it('the sweep drops a malformed id from the due set without touching the key it names', async () => {
    const repo = indexed();
    await repo.ready();
    const expired: string[] = [];
    repo.on('expired', (event) => {
      expired.push(event.sessionId);
    });
    const bad = 'short:id';
    const victim = repo.keys.session(bad);
    const old = String(Date.now() - 60_000);
    await client.hset(victim, { creationTime: old, lastAccessedTime: old, maxInactiveInterval: '1' });
    await client.zadd(repo.keys.due(bad), 1, bad);
    await repo.sweepExpiredSessions();
    expect(await client.exists(victim)).toBe(1);
    expect(await client.zscore(repo.keys.due(bad), bad)).toBeNull();
    expect(expired).toEqual([]);
    await repo.close();
  });

  it('an index lookup never reads the key a malformed id in the index set names', async () => {
    const repo = indexed();
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'trudy');
    await repo.save(session);
    const indexKey = repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'trudy');
    const bad = 'no good';
    await client.hset(repo.keys.session(bad), 'x', '1');
    await client.sadd(indexKey, bad);
    await monitor.sync();
    const start = monitor.commands().length;
    const found = await repo.findByPrincipalName('trudy');
    await monitor.sync();
    const touched = monitor
      .commands()
      .slice(start)
      .filter((c) => c.args.includes(repo.keys.session(bad)));
    expect(touched).toEqual([]);
    expect([...found.keys()]).toEqual([session.id]);
    expect(await client.smembers(indexKey)).toEqual([session.id]);
    await repo.close();
  });

  it('a damaged index record in the hash neither fails nor half-applies later saves and deletes', async () => {
    const repo = indexed();
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await client.hset(key, 'sessionIndexes', JSON.stringify({ [PRINCIPAL_NAME_INDEX_NAME]: true, n: [1] }));
    const loaded = (await repo.findById(session.id)) as MapSession;
    loaded.set(PRINCIPAL_NAME_INDEX_NAME, 'bob');
    loaded.set('after', 1);
    await repo.save(loaded);
    expect(await client.hget(key, 'sessionAttr:after')).toBe('1');
    expect(await client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'bob'))).toEqual([session.id]);
    await repo.deleteById(session.id);
    expect(await client.exists(key)).toBe(0);
    expect(await client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'bob'))).toEqual([]);
    await repo.close();
  });
});

it("index names and values containing ':' that share one set key: a lookup never prunes the other's entry", async () => {
  const repo = indexed({
    indexResolver: {
      resolveIndexesFor: (session: MapSession) => ({ 'team:role': session.get('role') as string }),
    },
  });
  const session = await repo.createSession();
  session.set('role', 'admin');
  await repo.save(session);
  // ('team', 'role:admin') names the same set as ('team:role', 'admin').
  expect(repo.keys.index('team', 'role:admin')).toBe(repo.keys.index('team:role', 'admin'));
  expect((await repo.findByIndexNameAndIndexValue('team', 'role:admin')).size).toBe(0);
  expect([...(await repo.findByIndexNameAndIndexValue('team:role', 'admin')).keys()]).toEqual([session.id]);
  await repo.close();
});

describe('option validation', () => {
  it('rejects a sweep interval Node timers cannot wait (they would fire every 1 ms instead)', () => {
    expect(() => indexed({ sweepIntervalMs: 2 ** 31 })).toThrow(InvalidArgumentError);
    indexed({ sweepIntervalMs: 2 ** 31 - 1 }).close();
  });

  it('rejects waitTimeoutMs 0 (WAIT 0 blocks forever)', () => {
    expect(() => new RedisSessionRepository({ client, waitTimeoutMs: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('pub/sub survives Redis being away', () => {
  it('ready() rejects when the repository is closed before its subscription ever held', async () => {
    const port = await findFreePort();
    const client = new Redis(port, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const repo = new RedisIndexedSessionRepository({ client, sweepIntervalMs: 0, logger: silent });
    const ready = repo.ready();
    await repo.close();
    await expect(ready).rejects.toThrow(/closed before its event subscription held/);
    client.disconnect();
  });

  it('subscribes once Redis comes up after a failed first attempt, and again after a restart', async () => {
    const port = await findFreePort();
    const open = () => {
      const c = new Redis(port, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      c.on('error', () => undefined);
      return c;
    };
    const listenerClient = open();
    const namespace = uniqueNamespace('ps');
    const listener = new RedisIndexedSessionRepository({
      client: listenerClient,
      namespace,
      sweepIntervalMs: 0,
      logger: silent,
    });
    // Nothing listens yet: the first SUBSCRIBE fails, and ready() waits for a later one to hold.
    let readiness = 'pending';
    const ready = listener.ready().then(
      () => {
        readiness = 'ready';
      },
      () => {
        readiness = 'rejected';
      },
    );
    await sleep(300);
    expect(readiness).toBe('pending');
    const deleted: string[] = [];
    listener.on('deleted', (event) => {
      deleted.push(event.sessionId);
    });
    const peerClient = open();
    const peer = new RedisIndexedSessionRepository({
      client: peerClient,
      namespace,
      sweepIntervalMs: 0,
      logger: silent,
    });
    const deleteOne = async () => {
      const session = await peer.createSession();
      session.set('a', 1);
      await peer.save(session);
      await peer.deleteById(session.id);
      return session.id;
    };
    const channel = `${namespace}:events`;
    const subscribers = async () =>
      Number(((await peerClient.pubsub('NUMSUB', channel)) as [string, number])[1]);
    let restarted = await startRedisServer({ useEnv: false, port });
    try {
      // The listener's subscriber and the peer's.
      await waitFor(async () => ((await subscribers()) === 2 ? true : undefined), 5000, 'no resubscription');
      await ready;
      expect(readiness).toBe('ready');
      const first = await deleteOne();
      await waitFor(() => (deleted.includes(first) ? true : undefined), 5000, 'no event after start');

      await restarted.stop();
      restarted = await startRedisServer({ useEnv: false, port });
      await waitFor(async () => ((await subscribers()) === 2 ? true : undefined), 5000, 'no resubscription');
      const second = await deleteOne();
      await waitFor(() => (deleted.includes(second) ? true : undefined), 5000, 'no event after restart');
      expect(deleted).toEqual([first, second]);
    } finally {
      await Promise.all([listener.close(), peer.close()]);
      listenerClient.disconnect();
      peerClient.disconnect();
      await restarted.stop();
    }
  });
});

it('close() (and a constructor that rejects its options) leaves nothing running: a child process exits by itself, even with Redis down', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/close-must-exit.mts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--conditions=dev-source',
      '--import',
      'tsx',
      fixture,
      String(server.port),
      String(await findFreePort()),
    ],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A liveness bound, not a speed goal: before the fix close() waited forever here.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exit;
  clearTimeout(timer);
  expect(output).toContain('closed');
  expect(code).toBe(0);
}, 30_000);

describe.each([
  ['RedisSessionRepository', false],
  ['RedisIndexedSessionRepository', true],
] as const)('%s: a save that makes a stored session expired', (_, isIndexed) => {
  it('ends it (interval 0, as Spring apps invalidate) instead of silently keeping the old state', async () => {
    const namespace = uniqueNamespace('ex0');
    const repo = isIndexed
      ? new RedisIndexedSessionRepository({ client, namespace, sweepIntervalMs: 0, logger: silent })
      : new RedisSessionRepository({ client, namespace, logger: silent });
    const expired: string[] = [];
    if (repo instanceof RedisIndexedSessionRepository) {
      await repo.ready();
      repo.on('expired', (event) => {
        expired.push(event.sessionId);
      });
    }
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'zed');
    await repo.save(session);
    const loaded = (await repo.findById(session.id)) as MapSession;
    loaded.maxInactiveIntervalMs = 0;
    await repo.save(loaded);
    expect(loaded.hasChanges()).toBe(false);
    expect(await repo.findById(session.id)).toBeNull();
    if (repo instanceof RedisIndexedSessionRepository) {
      expect(await repo.sweepExpiredSessions()).toBe(1);
      await waitFor(() => (expired.includes(session.id) ? true : undefined), 5000, 'no expired event');
      expect(await client.exists(repo.keys.session(session.id))).toBe(0);
      expect(await client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'zed'))).toEqual([]);
    } else {
      expect(await client.exists(repo.keys.session(session.id))).toBe(0);
    }
    await repo.close();
  });
});

it('pub/sub messages are not trusted: junk, malformed ids and unknown kinds are dropped, later events still arrive', async () => {
  const repo = indexed();
  await repo.ready();
  const seen: string[] = [];
  for (const type of ['created', 'deleted', 'expired'] as const) {
    repo.on(type, (event) => {
      seen.push(`${type}:${event.sessionId}`);
    });
  }
  const channel = repo.keys.channel;
  const good = 'G'.repeat(32);
  for (const message of [
    'not json',
    'null',
    '[]',
    JSON.stringify({ t: 'deleted', id: 'short' }),
    JSON.stringify({ t: 'deleted', id: '../../etc/passwd-and-more' }),
    JSON.stringify({ t: 'deleted', id: 42 }),
    JSON.stringify({ t: 'exploded', id: good }),
    JSON.stringify({ t: 'deleted', id: good, h: { creationTime: 1 } }),
    JSON.stringify({ t: 'expired', id: good, h: ['creationTime', 1, 'lastAccessedTime'] }),
  ]) {
    await client.publish(channel, message);
  }
  const session = await repo.createSession();
  session.set('a', 1);
  await repo.save(session);
  await waitFor(() => (seen.includes(`created:${session.id}`) ? true : undefined), 5000, 'no created event');
  // Only well-formed ids and kinds came through; an undecodable hash gives an event without a session.
  expect(seen).toEqual([`deleted:${good}`, `expired:${good}`, `created:${session.id}`]);
  await repo.close();
});

it('attribute names with ":" and unicode, and a megabyte value, round-trip', async () => {
  const repo = indexed();
  const session = await repo.createSession();
  const big = 'x'.repeat(1024 * 1024);
  session.set('a:b:c', 1);
  session.set('ünïcødé 🎉', 'wert ✓');
  session.set('big', big);
  await repo.save(session);
  expect(await client.hget(repo.keys.session(session.id), 'sessionAttr:a:b:c')).toBe('1');
  const loaded = (await repo.findById(session.id)) as MapSession;
  expect(loaded.get('a:b:c')).toBe(1);
  expect(loaded.get('ünïcødé 🎉')).toBe('wert ✓');
  expect((loaded.get('big') as string).length).toBe(big.length);
  loaded.delete('ünïcødé 🎉');
  await repo.save(loaded);
  expect((await repo.findById(session.id))?.names().sort()).toEqual(['a:b:c', 'big']);
  await repo.close();
});

describe.each([
  ['RedisSessionRepository', RedisSessionRepository],
  ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
] as const)('%s: a new session whose id is taken', (_, Repository) => {
  it("is refused instead of merged into the other session's attributes", async () => {
    let now = Date.now();
    const fixedId = `collide${'x'.repeat(20)}${Math.floor(Math.random() * 1e9)}`;
    const repo = new Repository({
      client,
      namespace: uniqueNamespace('col'),
      idGenerator: () => fixedId,
      clock: () => now,
      sweepIntervalMs: 0,
      logger: silent,
    });
    const first = await repo.createSession();
    first.set(PRINCIPAL_NAME_INDEX_NAME, 'victim');
    // The same new session saved twice at once is no collision.
    await Promise.all([repo.save(first), repo.save(first)]);
    now += 1000;
    const second = await repo.createSession();
    second.set('mine', 1);
    await expect(repo.save(second)).rejects.toThrow(InvalidSessionIdError);
    const hash = await client.hgetall(repo.keys.session(fixedId));
    expect(hash['sessionAttr:mine']).toBeUndefined();
    expect(hash.creationTime).toBe(String(first.creationTime));
    await repo.close();
  });
});

it('an index lookup does not prune an entry that a save filed again after the lookup read it', async () => {
  const namespace = uniqueNamespace('race');
  const ownClient = new Redis(server.url);
  const repo = new RedisIndexedSessionRepository({ client: ownClient, namespace, sweepIntervalMs: 0 });
  const other = new RedisIndexedSessionRepository({ client, namespace, sweepIntervalMs: 0 });
  const session = await other.createSession();
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'bob');
  await other.save(session);
  const copy = (await other.findById(session.id)) as MapSession;
  // A stale entry under 'ada' (as an interrupted cluster write can leave): the lookup prunes it…
  const adaKey = repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'ada');
  await client.sadd(adaKey, session.id);
  // …but between its read and its prune, another request files the session under 'ada' for real.
  type Send = (command: { name: string }, ...rest: unknown[]) => unknown;
  const target = ownClient as unknown as { sendCommand: Send };
  const send = target.sendCommand.bind(ownClient);
  let sent = 0;
  target.sendCommand = (command, ...rest) => {
    sent++;
    if (sent !== 2) return send(command, ...rest);
    copy.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    return other.save(copy).then(() => send(command, ...rest));
  };
  expect((await repo.findByPrincipalName('ada')).size).toBe(0);
  expect(sent).toBe(2);
  target.sendCommand = send;
  expect(await client.smembers(adaKey)).toEqual([session.id]);
  expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([session.id]);
  await Promise.all([repo.close(), other.close()]);
  ownClient.disconnect();
});

it('an instance sweeps only once it hears events, so its own listeners get what its first sweep expires', async () => {
  const namespace = uniqueNamespace('first');
  const writer = new RedisSessionRepository({ client, namespace, logger: silent });
  const ids: string[] = [];
  const now = Date.now();
  for (let i = 0; i < 5; i++) {
    const session = await writer.createSession();
    session.set('i', i);
    await writer.save(session);
    ids.push(session.id);
  }
  // Filed as due long ago, as sessions are after every instance was down for a while.
  for (const id of ids) {
    await client.hset(
      writer.keys.session(id),
      'lastAccessedTime',
      String(now - 60_000),
      'maxInactiveInterval',
      '1',
    );
    await client.zadd(`${namespace}:expirations`, now - 59_000, id);
  }
  const repo = new RedisIndexedSessionRepository({ client, namespace, sweepIntervalMs: 1, logger: silent });
  const expired: string[] = [];
  repo.on('expired', (event) => {
    expired.push(event.sessionId);
  });
  await waitFor(() => (expired.length === ids.length ? true : undefined), 5000, 'expired events were lost');
  expect([...expired].sort()).toEqual([...ids].sort());
  await Promise.all([repo.close(), writer.close()]);
});

describe.each([
  ['RedisSessionRepository', RedisSessionRepository],
  ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
] as const)('%s: a key of the wrong type under a session name', (_, Repository) => {
  it('is no session (removed), never an error, for reads, deletes, index lookups and sweeps', async () => {
    const repo = new Repository({
      client,
      namespace: uniqueNamespace('wt'),
      sweepIntervalMs: 0,
      logger: silent,
    });
    const id = 'W'.repeat(32);
    const key = repo.keys.session(id);
    await client.set(key, 'not a hash');
    expect(await repo.findById(id)).toBeNull();
    expect(await client.exists(key)).toBe(0);
    await client.set(key, 'not a hash');
    await repo.deleteById(id);
    expect(await client.exists(key)).toBe(0);
    if (repo instanceof RedisIndexedSessionRepository) {
      await client.set(key, 'not a hash');
      await client.sadd(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'wt'), id);
      expect((await repo.findByPrincipalName('wt')).size).toBe(0);
      await client.zadd(repo.keys.due(id), 1, id);
      await repo.sweepExpiredSessions();
      expect(await client.exists(key)).toBe(0);
      expect(await client.zcard(repo.keys.due(id))).toBe(0);
    }
    await repo.close();
  });
});
