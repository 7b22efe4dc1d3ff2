import { type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { waitFor } from '@session/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { quietOptions, uniqueNamespace, useRedisServer } from './support/harness.js';

const redis = useRedisServer();

describe.each([
  ['RedisSessionRepository', RedisSessionRepository, 0],
  ['RedisIndexedSessionRepository', RedisIndexedSessionRepository, 5 * 60_000],
] as const)('%s in the compact layout', (_, Repository, graceMs) => {
  const create = (extra: Record<string, unknown> = {}) =>
    new Repository({ ...quietOptions(redis.client, uniqueNamespace('cl')), ...extra });

  it('writes short fields, the interval in exact ms, and a TTL of the interval (plus the grace when indexed)', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('user', 'ada');
    session.maxInactiveIntervalMs = 90_500;
    await repo.save(session);
    const key = `${repo.keys.namespace}:s:${session.id}`;
    expect(repo.keys.session(session.id)).toBe(key);
    const hash = await redis.client.hgetall(key);
    expect(hash).toMatchObject({
      c: String(session.creationTime),
      l: String(session.lastAccessedTime),
      i: '90500',
      ':user': '"ada"',
    });
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeLessThanOrEqual(90_500 + graceMs);
    expect(ttl).toBeGreaterThan(90_500 + graceMs - 5_000);
    expect((await repo.findById(session.id))?.maxInactiveIntervalMs).toBe(90_500);
    await repo.close();
  });

  it('stores the principal at the short field "p", and a logged-in hash stays in compact encoding', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, 'alice@example.com');
    session.set('cart', ['sku-1', 'sku-2']);
    await repo.save(session);
    const key = repo.keys.session(session.id);
    expect(await redis.client.hget(key, 'p')).toBe('"alice@example.com"');
    expect(await redis.client.object('ENCODING', key)).toBe('listpack');
    expect((await repo.findById(session.id))?.get(PRINCIPAL_NAME_INDEX_NAME)).toBe('alice@example.com');
    await repo.close();
  });

  it('a negative interval: no TTL and nothing due', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = -1;
    await repo.save(session);
    expect(await redis.client.pttl(repo.keys.session(session.id))).toBe(-1);
    expect(await redis.client.hget(repo.keys.session(session.id), 'i')).toBe('-1');
    expect(await redis.client.zscore(repo.keys.due(0), session.id)).toBeNull();
    await repo.close();
  });

  it('a save that changes no timing leaves the TTL alone (no repeated PEXPIRE within a request)', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('a', 1);
    await repo.save(session);
    const key = repo.keys.session(session.id);
    await redis.client.pexpire(key, 600_000_000);
    const loaded = (await repo.findById(session.id)) as MapSession;
    // The read touched (its own PEXPIRE); pin the TTL again to see what the save does.
    await redis.client.pexpire(key, 600_000_000);
    loaded.set('b', 2);
    await repo.save(loaded);
    expect(await redis.client.pttl(key)).toBeGreaterThan(599_000_000);
    await repo.close();
  });

  it('an attribute stored as an empty string is an absent attribute, and the session stays', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('keep', 1);
    await repo.save(session);
    await redis.client.hset(repo.keys.session(session.id), ':gone', '');
    const loaded = await repo.findById(session.id);
    expect(loaded?.names()).toEqual(['keep']);
    expect(await redis.client.exists(repo.keys.session(session.id))).toBe(1);
    await repo.close();
  });
});

describe('a client with an ioredis keyPrefix', () => {
  it('keeps every key, including those the scripts build, under the prefix', async () => {
    const prefixed = new Redis(redis.server.url, { keyPrefix: 'tenant7:' });
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
    const rotated = (await repo.findById(session.id)) as MapSession;
    rotated.changeSessionId();
    await repo.save(rotated);
    expect([...(await repo.findByPrincipalName('kp-user')).keys()]).toEqual([rotated.id]);
    const keys = await redis.client.keys(`*${namespace}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith('tenant7:'))).toBe(true);
    await waitFor(() => (expired.includes(rotated.id) ? true : undefined), 5000, 'no expired event');
    // The id-change trail expires on its own (10 s); everything else is gone with the session.
    expect((await redis.client.keys(`*${namespace}*`)).filter((key) => !key.includes(':m:'))).toEqual([]);
    await repo.close();
    prefixed.disconnect();
  });
});
