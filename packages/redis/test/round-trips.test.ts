import { type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '../src/index.js';
import { uniqueNamespace, useRedisServer } from './support/harness.js';

// Round trips are counted by Redis itself: MONITOR lists every command clients send (commands a
// script runs internally are marked as such and cost no round trip of their own).
const redis = useRedisServer({ monitor: true });

const names = (commands: ReadonlyArray<{ name: string }>) => commands.map((c) => c.name);

describe.each([
  [
    'RedisSessionRepository',
    () => new RedisSessionRepository({ client: redis.client, namespace: uniqueNamespace('rt') }),
  ],
  [
    'RedisIndexedSessionRepository',
    // A sweep every hour: nothing in the background while commands are counted.
    () =>
      new RedisIndexedSessionRepository({
        client: redis.client,
        namespace: uniqueNamespace('rt'),
        sweepIntervalMs: 3_600_000,
      }),
  ],
] as const)('%s round trips (counted with MONITOR)', (_, create) => {
  /** A repository whose subscriber is connected: its SUBSCRIBE is not one of the counted commands. */
  async function ready() {
    const repo = create();
    if (repo instanceof RedisIndexedSessionRepository) await repo.ready();
    return repo;
  }

  it('findById is one EVALSHA that reads and touches', async () => {
    const repo = await ready();
    const session = await repo.createSession();
    session.set('user', 'ada');
    session.lastAccessedTime = Date.now() - 60_000;
    await repo.save(session);
    await repo.findById(session.id); // the first script call on a connection is an EVAL
    const before = Number(await redis.client.hget(repo.keys.session(session.id), 'l'));
    const commands = await redis.monitor.during(() => repo.findById(session.id));
    expect(names(commands)).toEqual(['evalsha']);
    const after = Number(await redis.client.hget(repo.keys.session(session.id), 'l'));
    expect(after).toBeGreaterThan(before);
    await repo.close();
  });

  it('saving changes is one EVALSHA; saving nothing and an unsaved new session cost nothing', async () => {
    const repo = await ready();
    const first = await repo.createSession();
    first.set('warm', true);
    await repo.save(first);
    const loaded = (await repo.findById(first.id)) as MapSession;
    loaded.set('cart', ['sku-1']);
    loaded.delete('warm');
    loaded.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    expect(names(await redis.monitor.during(() => repo.save(loaded)))).toEqual(['evalsha']);
    expect(await redis.client.hget(repo.keys.session(first.id), ':cart')).toBe('["sku-1"]');
    expect(await redis.client.hexists(repo.keys.session(first.id), ':warm')).toBe(0);

    expect(await redis.monitor.during(() => repo.save(loaded))).toEqual([]);
    const anonymous = await redis.monitor.during(async () => {
      const unsaved = await repo.createSession();
      unsaved.maxInactiveIntervalMs = 60_000;
    });
    expect(anonymous).toEqual([]);

    const fresh = await repo.createSession();
    fresh.set('a', 1);
    expect(names(await redis.monitor.during(() => repo.save(fresh)))).toEqual(['evalsha']);
    await repo.close();
  });

  it('a request that reads and writes costs two round trips in all', async () => {
    const repo = await ready();
    const session = await repo.createSession();
    session.set('n', 0);
    await repo.save(session);
    await repo.findById(session.id);
    const commands = await redis.monitor.during(async () => {
      const loaded = (await repo.findById(session.id)) as MapSession;
      loaded.set('n', 1);
      const newId = loaded.changeSessionId();
      await repo.save(loaded);
      expect((await redis.client.hget(repo.keys.session(newId), ':n')) ?? '').toBe('1');
    });
    // The hget above is the test's own check.
    expect(names(commands)).toEqual(['evalsha', 'evalsha', 'hget']);
    await repo.close();
  });
});
