import { InvalidArgumentError, MAX_INACTIVE_INTERVAL_MS, type MapSession } from '@session/core';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository } from '../src/index.js';
import { saveArgs } from '../src/scripts/args.js';
import { runScript } from '../src/scripts/index.js';
import { quietOptions, REPOSITORIES, uniqueNamespace, useRedisServer } from './support/harness.js';

// A save either writes everything or nothing: limits are checked in core before anything is sent,
// and the save script checks its arguments again before its first write.

const redis = useRedisServer();

describe.each(REPOSITORIES)('%s: out-of-range timing', (_, Repository) => {
  it('an interval beyond the documented maximum is refused before anything is sent, leaving the stored session as it was', async () => {
    const repo = new Repository(quietOptions(redis.client, uniqueNamespace('lim')));
    const session = await repo.createSession();
    session.set('a', 1);
    await repo.save(session);
    const ttl = await redis.client.pttl(repo.keys.session(session.id));
    const loaded = (await repo.findById(session.id)) as MapSession;
    expect(() => {
      loaded.maxInactiveIntervalMs = 1e17;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      loaded.maxInactiveIntervalMs = Number.POSITIVE_INFINITY;
    }).toThrow(InvalidArgumentError);
    loaded.maxInactiveIntervalMs = MAX_INACTIVE_INTERVAL_MS;
    expect((await repo.save(loaded)).status).toBe('written');
    expect(await redis.client.pttl(repo.keys.session(session.id))).toBeGreaterThan(ttl);
    await repo.close();
  });

  it('the save script refuses out-of-range numbers before its first write (nothing half-written)', async () => {
    const repo = new Repository(quietOptions(redis.client, uniqueNamespace('lua')));
    const session = await repo.createSession();
    session.set('a', 1);
    await repo.save(session);
    const key = repo.keys.session(session.id);
    const before = await redis.client.hgetall(key);
    const beforeTtl = await redis.client.pttl(key);
    const mode = repo instanceof RedisIndexedSessionRepository ? 'ci' : 'c';
    for (const bad of [{ intervalMs: 1e17 }, { lastAccessedTime: 1e17 }]) {
      const args = saveArgs(
        { mode, prefix: `${repo.keys.namespace}:` },
        {
          now: Date.now(),
          isNew: false,
          creationTime: session.creationTime,
          ...bad,
          graceMs: 0,
          sourceId: session.id,
          destinationId: session.id,
          channel: '',
          indexChanges: '',
          indexLoaded: '',
          trailMs: 10_000,
          seed: [],
          set: [':b', '2'],
          removed: [':a'],
        },
      );
      await expect(runScript(redis.client, 'save', [key], args)).rejects.toThrow(/out of range/);
      expect(await redis.client.hgetall(key)).toEqual(before);
      expect(Math.abs((await redis.client.pttl(key)) - beforeTtl)).toBeLessThan(1000);
    }
    await repo.close();
  });
});
