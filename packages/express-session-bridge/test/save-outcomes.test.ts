import type { MapSession } from '@session/core';
import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import {
  type ExpressSessionBridgeOptions,
  type ExpressSessionStore,
  fromExpressSessionStore,
} from '../src/index.js';
import { countingStore, rawGet, rawSet, savedSession } from './support/store-helpers.js';

function newStore(): ExpressSessionStore {
  return new expressSession.MemoryStore();
}

/** A clock the test moves by hand. */
function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

/**
 * A MemoryStore, a bridge over it with `options`, a session holding `a: 1` saved through it (with
 * `maxInactiveIntervalMs` when given), and a copy of that session loaded back.
 */
async function storedWithCopy(options: ExpressSessionBridgeOptions = {}, maxInactiveIntervalMs?: number) {
  const store = newStore();
  const repository = fromExpressSessionStore(store, options);
  const session = await savedSession(repository, { a: 1 }, maxInactiveIntervalMs);
  const copy = (await repository.findById(session.id)) as MapSession;
  return { store, repository, session, copy };
}

describe('save outcomes', () => {
  it('a new session, a change and an id change report "written" with the id stored under', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store);
    const session = await repository.createSession();
    session.set('a', 1);
    expect(await repository.save(session)).toEqual({ status: 'written', id: session.id });
    session.set('a', 2);
    expect(await repository.save(session)).toEqual({ status: 'written', id: session.id });
    const newId = session.changeSessionId();
    expect(await repository.save(session)).toEqual({ status: 'written', id: newId });
    expect((await rawGet(store, newId))?.a).toBe(2);
  });

  it('a save with nothing to write reports "unchanged" and calls no store method', async () => {
    const counted = countingStore(newStore());
    const repository = fromExpressSessionStore(counted.store);
    const session = await savedSession(repository, { a: 1 });
    const calls = counted.calls();
    expect(await repository.save(session)).toEqual({ status: 'unchanged', id: session.id });
    expect(counted.calls()).toBe(calls);
  });

  it('a copy of a destroyed session reports "deleted" and writes nothing', async () => {
    const { store, repository, session, copy } = await storedWithCopy();
    await repository.deleteById(session.id);
    copy.set('b', 2);
    expect(await repository.save(copy)).toEqual({ status: 'deleted', id: session.id });
    expect(await rawGet(store, session.id)).toBeUndefined();
    // Nothing was marked saved: the change is still pending.
    expect(copy.hasChanges()).toBe(true);
  });

  it('a copy whose stored timestamps are past due reports "expired", writes nothing and destroys the stored session', async () => {
    // MemoryStore expires by the real clock; the bridge's clock runs ahead of it.
    const clock = manualClock();
    const { store, repository, session, copy } = await storedWithCopy({ clock: clock.now }, 60_000);
    clock.advance(61_000);
    copy.set('b', 2);
    expect(await repository.save(copy)).toEqual({ status: 'expired', id: session.id });
    expect(await rawGet(store, session.id)).toBeUndefined();
  });

  it('with trustStoreExpiry a copy past due by its timestamps is written, the read counting as its last access', async () => {
    const clock = manualClock();
    const { store, repository, session, copy } = await storedWithCopy(
      { clock: clock.now, trustStoreExpiry: true },
      60_000,
    );
    clock.advance(61_000);
    copy.set('b', 2);
    expect(await repository.save(copy)).toEqual({ status: 'written', id: session.id });
    const stored = await rawGet(store, session.id);
    expect(stored?.b).toBe(2);
    expect((stored?.__session as { lastAccessedTime?: number } | undefined)?.lastAccessedTime).toBe(
      clock.now(),
    );
  });

  it('a session replaced by something that is not a session reports "deleted" and is left in place', async () => {
    const { store, repository, session, copy } = await storedWithCopy();
    await rawSet(store, session.id, ['not', 'a', 'session'] as never);
    copy.set('b', 2);
    expect(await repository.save(copy)).toEqual({ status: 'deleted', id: session.id });
    expect(await rawGet(store, session.id)).toEqual(['not', 'a', 'session']);
  });

  it('an id change of a destroyed session reports "deleted" and stores nothing under either id', async () => {
    const { store, repository, session, copy } = await storedWithCopy();
    await repository.deleteById(session.id);
    const newId = copy.changeSessionId();
    expect(await repository.save(copy)).toEqual({ status: 'deleted', id: session.id });
    expect(await rawGet(store, newId)).toBeUndefined();
    expect(await rawGet(store, session.id)).toBeUndefined();
  });
});
