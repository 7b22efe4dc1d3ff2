import { ID_CHANGE_TRAIL_MS, type MapSession } from '@session/core';
import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import { type ExpressSessionStore, fromExpressSessionStore } from '../src/index.js';
import { rawGet, rawSet, savedSession } from './support/store-helpers.js';

/** A MemoryStore and a second object forwarding to it: two processes sharing one backend. */
function storeAndOtherProcess(): { store: ExpressSessionStore; otherProcess: ExpressSessionStore } {
  const store = new expressSession.MemoryStore();
  const otherProcess: ExpressSessionStore = {
    get: (sid, cb) => store.get(sid, cb),
    set: (sid, data, cb) => store.set(sid, data as never, cb),
    destroy: (sid, cb) => store.destroy(sid, cb),
  };
  return { store, otherProcess };
}

describe('id changes within one process (every repository over the same store object)', () => {
  it('a stale copy saved through another repository after the id changed reports "moved" and writes nothing', async () => {
    const { store } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const login = fromExpressSessionStore(store);
    const racing = fromExpressSessionStore(store);
    const rotating = (await login.findById(session.id)) as MapSession;
    const stale = (await racing.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    expect(await login.save(rotating)).toEqual({ status: 'written', id: newId });

    stale.set('late', 'lost');
    expect(await racing.save(stale)).toEqual({ status: 'moved', id: session.id });
    expect(await rawGet(store, session.id)).toBeUndefined();
    // The stale copy presented the old id: its change must not follow the session to the new one.
    expect((await rawGet(store, newId))?.late).toBeUndefined();
    expect(stale.hasChanges()).toBe(true);
  });

  it('two repositories rotating the same session at once: one is written, the other reports "moved"', async () => {
    const { store } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const a = fromExpressSessionStore(store);
    const b = fromExpressSessionStore(store);
    const first = (await a.findById(session.id)) as MapSession;
    const second = (await b.findById(session.id)) as MapSession;
    first.changeSessionId();
    second.changeSessionId();
    const outcomes = await Promise.all([a.save(first), b.save(second)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['moved', 'written']);
    const [winner, loser] = outcomes[0]?.status === 'written' ? [first, second] : [second, first];
    expect((await rawGet(store, winner.id))?.user).toBe('ada');
    expect(await rawGet(store, loser.id)).toBeUndefined();
  });

  it('the old id written back meanwhile (by another process) is not written again by a stale copy: "moved"', async () => {
    const { store, otherProcess } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const repository = fromExpressSessionStore(store);
    const rotating = (await repository.findById(session.id)) as MapSession;
    const stale = (await repository.findById(session.id)) as MapSession;
    const before = await rawGet(store, session.id);
    rotating.changeSessionId();
    await repository.save(rotating);
    // A request in another process, stale too, stores the old record back.
    await rawSet(otherProcess, session.id, before as never);

    stale.set('late', 'lost');
    expect(await repository.save(stale)).toEqual({ status: 'moved', id: session.id });
    expect((await rawGet(store, session.id))?.late).toBeUndefined();
  });

  it('deleteById of the old id also destroys the session under its new id, through any repository over the store', async () => {
    const { store } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const login = fromExpressSessionStore(store);
    const rotating = (await login.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    await login.save(rotating);
    // A logout that presented the old id, racing the login that rotated it, still signs out.
    await fromExpressSessionStore(store).deleteById(session.id);
    expect(await rawGet(store, newId)).toBeUndefined();
  });

  it('deleteById of the old id follows several id changes in a row', async () => {
    const { store } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const repository = fromExpressSessionStore(store);
    const ids = [session.id];
    for (let i = 0; i < 3; i++) {
      const copy = (await repository.findById(ids[ids.length - 1] as string)) as MapSession;
      ids.push(copy.changeSessionId());
      expect((await repository.save(copy)).status).toBe('written');
    }
    await repository.deleteById(session.id);
    for (const id of ids) expect(await rawGet(store, id)).toBeUndefined();
  });

  it(`the trail lasts ${ID_CHANGE_TRAIL_MS} ms: then a stale copy reports "deleted" and deleteById(old) leaves the new id alone`, async () => {
    const { store } = storeAndOtherProcess();
    let now = Date.now();
    const repository = fromExpressSessionStore(store, { clock: () => now });
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const rotating = (await repository.findById(session.id)) as MapSession;
    const stale = (await repository.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    await repository.save(rotating);
    now += ID_CHANGE_TRAIL_MS;
    stale.set('late', 'lost');
    expect(await repository.save(stale)).toEqual({ status: 'deleted', id: session.id });
    await repository.deleteById(session.id);
    expect((await rawGet(store, newId))?.user).toBe('ada');
  });

  it('a failed destroy of the old id records no move: the old id stays a live session until the move is retried', async () => {
    const { store } = storeAndOtherProcess();
    let failDestroy = true;
    const flaky: ExpressSessionStore = {
      get: (sid, cb) => store.get(sid, cb),
      set: (sid, data, cb) => store.set(sid, data as never, cb),
      destroy: (sid, cb) => (failDestroy ? cb?.(new Error('connection reset')) : store.destroy(sid, cb)),
    };
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const repository = fromExpressSessionStore(flaky);
    const rotating = (await repository.findById(session.id)) as MapSession;
    const other = (await repository.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    await expect(repository.save(rotating)).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
    // The client never learnt the new id: its next request under the old one still saves.
    other.set('cart', 1);
    expect(await repository.save(other)).toEqual({ status: 'written', id: session.id });
    failDestroy = false;
    expect(await repository.save(rotating)).toEqual({ status: 'written', id: newId });
    expect(await rawGet(store, session.id)).toBeUndefined();
    expect((await rawGet(store, newId))?.cart).toBe(1);
  });
});

describe('id changes across processes (no shared trail: an express-session store has no place for it)', () => {
  it('a stale copy in another process reports "deleted", not "moved", and writes nothing', async () => {
    const { store, otherProcess } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const here = fromExpressSessionStore(store);
    const there = fromExpressSessionStore(otherProcess);
    const rotating = (await here.findById(session.id)) as MapSession;
    const stale = (await there.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    await here.save(rotating);
    stale.set('late', 'lost');
    expect(await there.save(stale)).toEqual({ status: 'deleted', id: session.id });
    expect(await rawGet(store, session.id)).toBeUndefined();
    expect((await rawGet(store, newId))?.late).toBeUndefined();
  });

  it('deleteById of the old id in another process does not reach the new id', async () => {
    const { store, otherProcess } = storeAndOtherProcess();
    const session = await savedSession(fromExpressSessionStore(store), { user: 'ada' });
    const here = fromExpressSessionStore(store);
    const rotating = (await here.findById(session.id)) as MapSession;
    const newId = rotating.changeSessionId();
    await here.save(rotating);
    await fromExpressSessionStore(otherProcess).deleteById(session.id);
    expect((await rawGet(store, newId))?.user).toBe('ada');
  });
});
