import { SessionStoreUnavailableError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { quietLogger, sleep, useFakeMaps } from './support/fixtures.js';

const { fakeMap, open, saved } = useFakeMaps();

describe('bad data and failures', () => {
  it('treats an unreadable document as no session: logged and removed', async () => {
    const map = fakeMap();
    const logger = quietLogger();
    const repo = await open(map, { logger });
    const id = 'a'.repeat(32);
    map.plant(id, '{"not":"a session"}');
    expect(await repo.findById(id)).toBeNull();
    expect(logger.error).toHaveBeenCalled();
    await sleep(10);
    expect(map.rawText(id)).toBeUndefined();

    const broken = 'b'.repeat(32);
    map.plant(
      broken,
      JSON.stringify({
        id: broken,
        creationTime: 1,
        lastAccessedTime: Date.now(),
        maxInactiveIntervalMs: -1,
        attributes: { x: { $session: 9 } },
      }),
    );
    expect(await repo.findById(broken)).toBeNull();
    await sleep(10);
    expect(map.rawText(broken)).toBeUndefined();
  });

  it('a save over an unreadable document writes nothing and reports "deleted"', async () => {
    const map = fakeMap();
    const repo = await open(map, { logger: quietLogger() });
    const session = await saved(repo, { a: 1 });
    map.plant(session.id, '[1,2,3]', 60_000);
    session.set('b', 2);
    expect(await repo.save(session)).toEqual({ status: 'deleted', id: session.id });
    expect(map.rawText(session.id)).toBeUndefined();
  });

  it('turns map failures into SessionStoreUnavailableError', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    map.failWith(new Error('TargetDisconnectedError'));
    const err = await repo.findById(session.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect((err as SessionStoreUnavailableError).status).toBe(503);
    expect(String((err as Error).message)).toMatch(/Hazelcast get failed: TargetDisconnectedError/);
    map.failWith(undefined);
    expect((await repo.findById(session.id))?.get('a')).toBe(1);
  });
});
