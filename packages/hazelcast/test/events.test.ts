import type { MapSession, SessionEvent } from '@session/core';
import { describe, expect, it, vi } from 'vitest';
import { recordEvents, sleep, useFakeMaps } from './support/fixtures.js';

const { fakeMap, open, saved } = useFakeMaps();

describe('events', () => {
  it('changeSessionId emits neither created nor deleted, here or on a peer', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const peer = await open(map);
    const seen = recordEvents(repo, peer);
    const session = await saved(repo, { a: 1 });
    await sleep(20);
    expect(seen.sort()).toEqual([`created ${session.id}`, `created ${session.id}`]);
    seen.length = 0;
    const copy = (await repo.findById(session.id)) as MapSession;
    copy.changeSessionId();
    await repo.save(copy);
    await sleep(20);
    expect(seen).toEqual([]);
    await repo.deleteById(copy.id);
    await sleep(20);
    expect(seen.sort()).toEqual([`deleted ${copy.id}`, `deleted ${copy.id}`]);
  });

  it('events carry the session as it was stored', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const events: SessionEvent[] = [];
    repo.on('created', (e: SessionEvent) => {
      events.push(e);
    });
    repo.on('deleted', (e: SessionEvent) => {
      events.push(e);
    });
    const session = await saved(repo, { user: 'ada' });
    await repo.deleteById(session.id);
    await sleep(20);
    expect(events.map((e) => [e.type, e.session?.get('user')])).toEqual([
      ['created', 'ada'],
      ['deleted', 'ada'],
    ]);
  });

  it("'expired' is delivered no earlier than the session's due time, even when the member drops the entry early", async () => {
    // A member may drop an entry before its TTL (eviction by its size policy): the session was
    // not due yet, so its 'expired' waits for the due time.
    const map = fakeMap({ ttlResolutionMs: 1 });
    const repo = await open(map);
    const expired: Array<{ id: string; at: number; a: unknown }> = [];
    repo.on('expired', (e: SessionEvent) => {
      expired.push({ id: e.sessionId, at: Date.now(), a: e.session?.get('a') });
    });
    const id = 'e'.repeat(32);
    const due = Date.now() + 600;
    map.plant(
      id,
      JSON.stringify({
        id,
        creationTime: due - 1000,
        lastAccessedTime: due - 1000,
        maxInactiveIntervalMs: 1000,
        attributes: { a: 1 },
      }),
      50,
    );
    await sleep(150);
    expect(map.rawText(id)).toBeUndefined();
    expect(expired).toEqual([]);
    await sleep(due - Date.now() + 100);
    expect(expired).toHaveLength(1);
    expect(expired[0]?.id).toBe(id);
    expect(expired[0]?.a).toBe(1);
    expect(expired[0]?.at).toBeGreaterThanOrEqual(due);
  });

  it('an expiry held back for its due time is dropped when the repository closes', async () => {
    const map = fakeMap({ ttlResolutionMs: 1 });
    const repo = await open(map);
    const listener = vi.fn();
    repo.on('expired', listener);
    const id = 'c'.repeat(32);
    const now = Date.now();
    map.plant(
      id,
      JSON.stringify({
        id,
        creationTime: now,
        lastAccessedTime: now,
        maxInactiveIntervalMs: 300,
        attributes: {},
      }),
      20,
    );
    await sleep(80);
    await repo.close();
    await sleep(350);
    expect(listener).not.toHaveBeenCalled();
  });

  it('removes with remove(), whose event carries the session, and falls back to delete() on maps without it', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const removeSpy = vi.spyOn(map, 'remove');
    const deleteSpy = vi.spyOn(map, 'delete');
    const session = await saved(repo, { a: 1 });
    await repo.deleteById(session.id);
    expect(removeSpy).toHaveBeenCalledWith(session.id);
    expect(deleteSpy).not.toHaveBeenCalled();

    // A SessionMap written before `remove` existed still works.
    const older = fakeMap();
    Object.defineProperty(older, 'remove', { value: undefined });
    const repo2 = await open(older);
    const other = await saved(repo2, { a: 1 });
    await repo2.deleteById(other.id);
    expect(older.keys()).toEqual([]);
    expect(await repo2.findById(other.id)).toBeNull();
  });

  it('with events: false it does not subscribe and says so in its capabilities', async () => {
    const map = fakeMap();
    const repo = await open(map, { events: false });
    expect(repo.capabilities).toEqual({ indexed: true, events: false, touchesOnRead: true });
    expect(map.listenerCount()).toBe(0);
  });
});
