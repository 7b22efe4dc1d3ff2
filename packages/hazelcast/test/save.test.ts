import { MapSession, SessionStoreUnavailableError } from '@session/core';
import { describe, expect, it, vi } from 'vitest';
import { quietLogger, useFakeMaps } from './support/fixtures.js';

const { fakeMap, open, saved } = useFakeMaps();

describe('compare-and-set saves', () => {
  it('fails with SessionStoreUnavailableError after maxSaveAttempts lost compare-and-sets, writing nothing', async () => {
    const map = fakeMap();
    const repo = await open(map, { maxSaveAttempts: 3 });
    const session = await saved(repo, { a: 1 });
    const copy = (await repo.findById(session.id)) as MapSession;
    const text = map.rawText(session.id);
    // Another writer wins every race.
    const replace = vi.spyOn(map, 'replaceIfSame' as never).mockResolvedValue(false as never);
    copy.set('b', 2);
    const err = await repo.save(copy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect(String((err as Error).message)).toMatch(/after 3 compare-and-set attempts/);
    expect(replace).toHaveBeenCalledTimes(3);
    expect(map.rawText(session.id)).toBe(text);
    // Nothing was marked saved: the change is still pending on the copy.
    expect(copy.getDelta().setAttributes.has('b')).toBe(true);
  });

  it('a save of a copy whose session was deleted reports "deleted" and creates nothing', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const copy = (await repo.findById(session.id)) as MapSession;
    await repo.deleteById(session.id);
    copy.set('b', 2);
    expect(await repo.save(copy)).toEqual({ status: 'deleted', id: session.id });
    expect(map.keys()).toEqual([]);
  });

  it('the first compare-and-set of a save uses the text the copy was read as, without another read', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const copy = (await repo.findById(session.id)) as MapSession;
    const get = vi.spyOn(map, 'get');
    copy.set('b', 2);
    expect((await repo.save(copy)).status).toBe('written');
    expect(get).not.toHaveBeenCalled();
  });
});

describe('first saves', () => {
  it('a first save retried after its putIfAbsent was applied but the response lost becomes an update', async () => {
    const map = fakeMap();
    const repo = await open(map, { logger: quietLogger() });
    const original = map.putIfAbsent;
    const spy = vi.spyOn(map, 'putIfAbsent').mockImplementationOnce(async (...args) => {
      await original(...args);
      throw new Error('connection reset by peer');
    });
    const session = await repo.createSession();
    session.set('a', 1);
    await expect(repo.save(session)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    session.set('b', 2);
    expect(await repo.save(session)).toEqual({ status: 'written', id: session.id });
    expect(spy).toHaveBeenCalledTimes(2);
    const found = await repo.findById(session.id);
    expect(found?.get('a')).toBe(1);
    expect(found?.get('b')).toBe(2);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('a new session whose id is taken by another session still fails as an id collision', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const other = await saved(repo, { owner: 'other' });
    const stolen = new MapSession({ id: other.id, attributes: { x: 1 } });
    await expect(repo.save(stolen)).rejects.toMatchObject({ code: 'SESSION_INVALID_ID' });
    expect((await repo.findById(other.id))?.get('owner')).toBe('other');
  });
});
