import {
  createRepositoryFromConfig,
  InvalidArgumentError,
  InvalidStoreConfigError,
  isIndexedRepository,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
} from '@session/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createClient,
  parseClusterUrl,
  parseRedisStoreUrl,
  RedisIndexedSessionRepository,
  RedisKeys,
  RedisSessionRepository,
  sessionStore,
  shardOf,
} from '../src/index.js';
import { uniqueNamespace, useRedisServer } from './support/harness.js';

const redis = useRedisServer();

describe('options', () => {
  it('rejects bad options with typed errors naming the option', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ namespace: 'a{b' }, /namespace/],
      [{ url: 'redis://127.0.0.1:1' }, /either client or url/],
      [{ touchThresholdMs: -1 }, /touchThresholdMs/],
      [{ waitForReplicas: 1.5 }, /waitForReplicas/],
      [{ waitTimeoutMs: 0 }, /waitTimeoutMs/],
      [{ clusterShards: 0 }, /clusterShards/],
      [{ layout: 'xml' }, /layout/],
      [{ defaultMaxInactiveIntervalMs: 1e17 }, /defaultMaxInactiveIntervalMs/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RedisSessionRepository({ client: redis.client, ...options })).toThrow(message);
    }
    expect(() => new RedisSessionRepository({ client: {} as Redis })).toThrow(InvalidArgumentError);
    expect(
      () => new RedisIndexedSessionRepository({ client: redis.client, sweepIntervalMs: Number.NaN }),
    ).toThrow(/sweepIntervalMs/);
    // Node timers cannot wait longer: they would fire every 1 ms instead.
    expect(
      () => new RedisIndexedSessionRepository({ client: redis.client, sweepIntervalMs: 2 ** 31 }),
    ).toThrow(/sweepIntervalMs/);
    expect(
      () =>
        new RedisIndexedSessionRepository({ client: redis.client, springExpirationStore: 'hourly' as never }),
    ).toThrow(/springExpirationStore/);
    expect(
      () =>
        new RedisIndexedSessionRepository({
          client: redis.client,
          layout: 'spring',
          keyspaceNotifications: true,
        }),
    ).toThrow(/keyspaceNotifications/);
  });

  it('touchThresholdMs skips the touch write while the last access is recent', async () => {
    const repo = new RedisSessionRepository({
      client: redis.client,
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

describe('store URLs', () => {
  it('takes repository options out of the query and leaves ioredis its own', () => {
    expect(parseRedisStoreUrl('redis://h:1/2?namespace=app&indexed=false&family=6')).toEqual({
      connectionUrl: 'redis://h:1/2?family=6',
      options: { namespace: 'app', indexed: false },
    });
  });

  it('rejects a misspelt option instead of ignoring it, naming the known ones', () => {
    expect(() => parseRedisStoreUrl('redis://h:1?indexd=false')).toThrow(InvalidStoreConfigError);
    expect(() => parseRedisStoreUrl('redis://h:1?indexd=false')).toThrow(
      /Unknown Redis store URL option "indexd".*indexed/,
    );
    expect(() => parseRedisStoreUrl('redis-cluster://h:1?family=6')).toThrow(
      /Unknown Redis Cluster store URL option/,
    );
  });

  it('rejects option values of the wrong type', () => {
    expect(() => parseRedisStoreUrl('redis://h:1?indexed=maybe')).toThrow(/true or false/);
    expect(() => parseRedisStoreUrl('redis://h:1?sweepIntervalMs=soon')).toThrow(/must be a number/);
  });

  it('parses cluster URLs with credentials, IPv6 and default ports', () => {
    expect(parseClusterUrl('redis-cluster://u:p%40ss@[::1]:7000,h2?tls=true')).toEqual({
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'h2', port: 6379 },
      ],
      username: 'u',
      password: 'p@ss',
      tls: true,
    });
    expect(() => parseClusterUrl('redis-cluster://h:99999')).toThrow(InvalidStoreConfigError);
  });

  it('turns TLS on for rediss:// in any letter case (never plain text by accident)', () => {
    for (const url of ['rediss://127.0.0.1:1', 'REDISS://127.0.0.1:1']) {
      const c = createClient(url, { lazyConnect: true });
      expect((c as Redis).options.tls).toBeDefined();
      c.disconnect();
    }
  });
});

describe('key names', () => {
  it('compact: short names under the namespace; spring: Spring Session’s names', () => {
    const compact = new RedisKeys({ layout: 'compact', namespace: 'sess', shards: 1, clientPrefix: '' });
    expect(compact.session('abc')).toBe('sess:s:abc');
    expect(compact.index(PRINCIPAL_NAME_INDEX_NAME, 'ada')).toBe('sess:u:ada');
    expect(compact.index('team', 'red')).toBe('sess:i:4:team:red');
    expect(compact.due(0)).toBe('sess:due');
    const spring = new RedisKeys({
      layout: 'spring',
      namespace: 'spring:session',
      shards: 1,
      clientPrefix: '',
    });
    expect(spring.session('abc')).toBe('spring:session:sessions:abc');
    expect(spring.marker('abc')).toBe('spring:session:sessions:expires:abc');
    expect(spring.index(PRINCIPAL_NAME_INDEX_NAME, 'ada')).toBe(
      `spring:session:index:${PRINCIPAL_NAME_INDEX_NAME}:ada`,
    );
  });

  it('cluster shards: every key of a session carries its shard’s hash tag, and ids spread over shards', () => {
    const keys = new RedisKeys({ layout: 'compact', namespace: 'sess', shards: 16, clientPrefix: '' });
    const id = 'A'.repeat(32);
    const shard = shardOf(id, 16);
    expect(keys.session(id)).toBe(`sess:{sess:${shard}}:s:${id}`);
    expect(keys.trail(id)).toBe(`sess:{sess:${shard}}:m:${id}`);
    expect(keys.due(shard)).toBe(`sess:{sess:${shard}}:due`);
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 1600; i++) counts[shardOf(`id-${i}-${'x'.repeat(20)}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
  });
});

describe('config-driven loading', () => {
  it('createRepositoryFromConfig(redis://…) gives an indexed repository that owns and closes its client', async () => {
    const namespace = uniqueNamespace('cfg');
    const before = (await redis.client.client('LIST')) as string;
    const repo = await createRepositoryFromConfig(
      `redis://127.0.0.1:${redis.server.port}?namespace=${namespace}&sweepIntervalMs=0`,
    );
    expect(repo).toBeInstanceOf(RedisIndexedSessionRepository);
    expect(isIndexedRepository(repo)).toBe(true);
    const session = await repo.createSession();
    (session as MapSession).set(PRINCIPAL_NAME_INDEX_NAME, 'cfg-user');
    await repo.save(session);
    expect(await redis.client.exists(`${namespace}:s:${session.id}`)).toBe(1);
    expect((await repo.findById(session.id))?.id).toBe(session.id);
    const connections = (text: string) => text.trim().split('\n').length;
    expect(connections((await redis.client.client('LIST')) as string)).toBeGreaterThan(connections(before));
    await repo.close?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((repo as RedisIndexedSessionRepository).client.status).toBe('end');
    expect(connections((await redis.client.client('LIST')) as string)).toBe(connections(before));
  });

  it('?indexed=false gives the plain repository; ?layout=spring Spring’s names', async () => {
    const plain = await sessionStore.create({ store: 'redis', url: `${redis.server.url}?indexed=false` });
    expect(plain).toBeInstanceOf(RedisSessionRepository);
    expect(plain).not.toBeInstanceOf(RedisIndexedSessionRepository);
    await plain.close?.();
    const spring = (await sessionStore.create({
      store: 'redis',
      url: `${redis.server.url}?indexed=false&layout=spring`,
    })) as RedisSessionRepository;
    expect(spring.keys.session('x')).toBe('spring:session:sessions:x');
    await spring.close();
  });
});
