import {
  CorruptSessionDataError,
  createRepositoryFromConfig,
  InvalidArgumentError,
  isIndexedRepository,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
} from '@session/core';
import { waitFor } from '@session/testkit';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository, sessionStore } from '../src/index.js';
import { uniqueNamespace } from './support/harness.js';

let server: RedisTestServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

function recordingLogger() {
  const errors: unknown[][] = [];
  return {
    errors,
    debug() {},
    info() {},
    warn() {},
    error(...args: unknown[]) {
      errors.push(args);
    },
  };
}

const kinds = [
  ['RedisSessionRepository', RedisSessionRepository],
  ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
] as const;

describe.each(kinds)('%s', (_, Repository) => {
  const create = (extra: Record<string, unknown> = {}) =>
    new Repository({ client, namespace: uniqueNamespace('st'), sweepIntervalMs: 0, ...extra });

  it('writes the Spring Session hash layout with the exact TTL', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('user', 'ada');
    session.maxInactiveIntervalMs = 90_000;
    await repo.save(session);
    const key = `${repo.keys.namespace}:sessions:${session.id}`;
    const hash = await client.hgetall(key);
    expect(hash.creationTime).toBe(String(session.creationTime));
    expect(hash.lastAccessedTime).toBe(String(session.lastAccessedTime));
    expect(hash.maxInactiveInterval).toBe('90');
    expect(hash.maxInactiveIntervalMs).toBeUndefined();
    expect(hash['sessionAttr:user']).toBe('"ada"');
    const ttl = await client.pttl(key);
    const grace = Repository === RedisIndexedSessionRepository ? 5 * 60_000 : 0;
    expect(ttl).toBeLessThanOrEqual(90_000 + grace);
    expect(ttl).toBeGreaterThan(90_000 + grace - 5_000);
    await repo.close();
  });

  it('a sub-second interval is kept exactly next to Spring’s seconds field', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = 1500;
    await repo.save(session);
    const hash = await client.hgetall(repo.keys.session(session.id));
    expect(hash.maxInactiveInterval).toBe('2');
    expect(hash.maxInactiveIntervalMs).toBe('1500');
    expect((await repo.findById(session.id))?.maxInactiveIntervalMs).toBe(1500);
    // A Spring service changing the interval writes only the seconds: those win then.
    await client.hset(repo.keys.session(session.id), 'maxInactiveInterval', '3600');
    expect((await repo.findById(session.id))?.maxInactiveIntervalMs).toBe(3_600_000);
    await repo.close();
  });

  it('a negative interval: no TTL and not in the due set', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = -1;
    await repo.save(session);
    expect(await client.pttl(repo.keys.session(session.id))).toBe(-1);
    expect(await client.zscore(repo.keys.due(session.id), session.id)).toBeNull();
    await repo.close();
  });

  it('50 concurrent saves of different attributes on one session all persist', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('base', true);
    await repo.save(session);
    const copies = (await Promise.all(
      Array.from({ length: 50 }, () => repo.findById(session.id)),
    )) as MapSession[];
    for (const [i, copy] of copies.entries()) copy.set(`a${i}`, i);
    await Promise.all(copies.map((copy) => repo.save(copy)));
    const hash = await client.hgetall(repo.keys.session(session.id));
    for (let i = 0; i < 50; i++) expect(hash[`sessionAttr:a${i}`]).toBe(String(i));
    expect(hash['sessionAttr:base']).toBe('true');
    await repo.close();
  });

  it('a save racing a delete never brings the session back', async () => {
    const repo = create();
    for (let round = 0; round < 20; round++) {
      const session = await repo.createSession();
      session.set('round', round);
      await repo.save(session);
      const copy = (await repo.findById(session.id)) as MapSession;
      copy.set('late', true);
      const key = repo.keys.session(session.id);
      await Promise.all(
        round % 2
          ? [repo.save(copy), repo.deleteById(session.id)]
          : [repo.deleteById(session.id), repo.save(copy)],
      );
      expect(await client.exists(key)).toBe(0);
    }
    await repo.close();
  });

  it('a hash without creationTime is no session: removed and logged, not thrown', async () => {
    const logger = recordingLogger();
    const repo = create({ logger });
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'mallory');
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await client.hdel(key, 'creationTime');
    expect(await repo.findById(session.id)).toBeNull();
    expect(await client.exists(key)).toBe(0);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.[1]).toBeInstanceOf(CorruptSessionDataError);
    if (repo instanceof RedisIndexedSessionRepository) {
      expect(await client.smembers(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'mallory'))).toEqual([]);
    }
    await repo.close();
  });

  it('an attribute that does not decode makes the hash no session: removed and logged', async () => {
    const logger = recordingLogger();
    const repo = create({ logger });
    const session = await repo.createSession();
    session.set('ok', 1);
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await client.hset(key, 'sessionAttr:broken', '{not json');
    expect(await repo.findById(session.id)).toBeNull();
    expect(await client.exists(key)).toBe(0);
    expect(logger.errors).toHaveLength(1);
    expect(String((logger.errors[0]?.[1] as Error | undefined)?.message)).toContain('broken');
    await repo.close();
  });

  it('reads a session written by Spring Session (no ms field, no index record)', async () => {
    const repo = create();
    const id = '0f5b4d3e-2a71-4c8e-9b6a-1d2c3e4f5a6b';
    const now = Date.now();
    await client.hset(`${repo.keys.namespace}:sessions:${id}`, {
      creationTime: String(now - 1000),
      lastAccessedTime: String(now - 1000),
      maxInactiveInterval: '1800',
      'sessionAttr:user': '"ada"',
      [`sessionAttr:${PRINCIPAL_NAME_INDEX_NAME}`]: '"ada-spring"',
    });
    await client.sadd(repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'ada-spring'), id);
    const found = await repo.findById(id);
    expect(found?.get('user')).toBe('ada');
    expect(found?.maxInactiveIntervalMs).toBe(1_800_000);
    expect(found?.lastAccessedTime).toBeGreaterThanOrEqual(now);
    if (repo instanceof RedisIndexedSessionRepository) {
      expect([...(await repo.findByPrincipalName('ada-spring')).keys()]).toEqual([id]);
    }
    await repo.close();
  });

  it('close() leaves a client it was given open', async () => {
    const repo = create();
    await repo.close();
    await repo.close();
    expect(await client.ping()).toBe('PONG');
  });
});

describe('a client with an ioredis keyPrefix', () => {
  it('keeps every key, including those the scripts build, under the prefix', async () => {
    const prefixed = new Redis(server.url, { keyPrefix: 'tenant7:' });
    const namespace = uniqueNamespace('kp');
    const repo = new RedisIndexedSessionRepository({ client: prefixed, namespace, sweepIntervalMs: 50 });
    await repo.ready();
    const expired: string[] = [];
    repo.on('expired', (event) => {
      expired.push(event.sessionId);
    });
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'kp-user');
    session.maxInactiveIntervalMs = 300;
    await repo.save(session);
    expect([...(await repo.findByPrincipalName('kp-user')).keys()]).toEqual([session.id]);
    const keys = await client.keys(`*${namespace}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith('tenant7:'))).toBe(true);
    await waitFor(() => (expired.includes(session.id) ? true : undefined), 5000, 'no expired event');
    expect(await client.keys(`*${namespace}*`)).toEqual([]);
    await repo.close();
    prefixed.disconnect();
  });
});

describe('options', () => {
  it('rejects bad options with typed errors', () => {
    expect(() => new RedisSessionRepository({ client, namespace: 'a{b' })).toThrow(InvalidArgumentError);
    expect(() => new RedisSessionRepository({ client, url: server.url })).toThrow(InvalidArgumentError);
    expect(() => new RedisSessionRepository({ client, touchThresholdMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RedisSessionRepository({ client, waitForReplicas: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new RedisSessionRepository({ client: {} as Redis })).toThrow(InvalidArgumentError);
    expect(() => new RedisIndexedSessionRepository({ client, sweepIntervalMs: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new RedisIndexedSessionRepository({ client, dueShards: 0 })).toThrow(InvalidArgumentError);
  });

  it('touchThresholdMs skips the touch write while the last access is recent', async () => {
    const repo = new RedisSessionRepository({
      client,
      namespace: uniqueNamespace('tt'),
      touchThresholdMs: 60_000,
    });
    const session = await repo.createSession();
    await repo.save(session);
    const found = await repo.findById(session.id);
    expect(found?.lastAccessedTime).toBe(session.lastAccessedTime);
    await repo.close();
  });
});

describe('config-driven loading', () => {
  it('createRepositoryFromConfig(redis://…) gives an indexed repository that owns and closes its client', async () => {
    const namespace = uniqueNamespace('cfg');
    const before = (await client.client('LIST')) as string;
    // Core's own importer finds this package by its name.
    const repo = await createRepositoryFromConfig(
      `redis://127.0.0.1:${server.port}?namespace=${namespace}&sweepIntervalMs=0`,
    );
    expect(repo).toBeInstanceOf(RedisIndexedSessionRepository);
    expect(isIndexedRepository(repo)).toBe(true);
    const session = await repo.createSession();
    (session as MapSession).set(PRINCIPAL_NAME_INDEX_NAME, 'cfg-user');
    await repo.save(session);
    expect(await client.exists(`${namespace}:sessions:${session.id}`)).toBe(1);
    expect((await repo.findById(session.id))?.id).toBe(session.id);
    const connections = (text: string) => text.trim().split('\n').length;
    expect(connections((await client.client('LIST')) as string)).toBeGreaterThan(connections(before));
    await repo.close?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((repo as RedisIndexedSessionRepository).client.status).toBe('end');
    expect(connections((await client.client('LIST')) as string)).toBe(connections(before));
  });

  it('?indexed=false gives the plain repository; unknown cluster options are rejected', async () => {
    const repo = await sessionStore.create({ store: 'redis', url: `${server.url}?indexed=false` });
    expect(repo).toBeInstanceOf(RedisSessionRepository);
    expect(repo).not.toBeInstanceOf(RedisIndexedSessionRepository);
    await repo.close?.();
    expect(() =>
      sessionStore.create({ store: 'redis-cluster', url: 'redis-cluster://127.0.0.1:1?bogus=1' }),
    ).toThrow(/Unknown Redis Cluster URL option "bogus"/);
    expect(() => sessionStore.create({ store: 'redis', url: `${server.url}?indexed=maybe` })).toThrow(
      /true or false/,
    );
  });
});
