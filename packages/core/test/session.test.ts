import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  DEFAULT_MAX_INACTIVE_INTERVAL_MS,
  InvalidArgumentError,
  isMapSession,
  isValidSessionId,
  MapSession,
  type MapSessionInit,
  type Session,
  type SessionDelta,
} from '../src/index.js';

const STORED_ID = 'stored-session-id-0001';

/** A session as a store hands it out after loading: not new, nothing changed yet. */
function loaded(attributes: Record<string, unknown> = {}, init: MapSessionInit = {}) {
  return new MapSession({
    id: STORED_ID,
    creationTime: 1_000,
    lastAccessedTime: 2_000,
    maxInactiveIntervalMs: 60_000,
    attributes,
    isNew: false,
    ...init,
  });
}

function setNames(delta: SessionDelta): string[] {
  return [...delta.setAttributes.keys()].sort();
}

function removedNames(delta: SessionDelta): string[] {
  return [...delta.removedAttributes].sort();
}

describe('MapSession construction', () => {
  it('a new session gets a valid generated id, the clock reading and the default interval', () => {
    const session = new MapSession({ now: 5_000 });
    expect(isValidSessionId(session.id)).toBe(true);
    expect(session.originalId).toBe(session.id);
    expect(session.isNew).toBe(true);
    expect(session.creationTime).toBe(5_000);
    expect(session.lastAccessedTime).toBe(5_000);
    expect(session.maxInactiveIntervalMs).toBe(DEFAULT_MAX_INACTIVE_INTERVAL_MS);
    expect(DEFAULT_MAX_INACTIVE_INTERVAL_MS).toBe(30 * 60 * 1000);
  });

  it('two new sessions never share an id', () => {
    expect(new MapSession().id).not.toBe(new MapSession().id);
  });

  it('uses the given id generator', () => {
    const session = new MapSession({ idGenerator: () => 'custom-generated-id-42' });
    expect(session.id).toBe('custom-generated-id-42');
  });

  it('accepts attributes as an object or as entries and drops undefined values', () => {
    const fromObject = new MapSession({ attributes: { a: 1, gone: undefined } });
    const fromEntries = new MapSession({
      attributes: new Map<string, unknown>([
        ['a', 1],
        ['gone', undefined],
      ]),
    });
    for (const session of [fromObject, fromEntries]) {
      expect(session.names()).toEqual(['a']);
      expect(session.get('a')).toBe(1);
    }
  });

  it('rejects timestamps and intervals that are not numbers', () => {
    expect(() => new MapSession({ creationTime: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new MapSession({ lastAccessedTime: Number.POSITIVE_INFINITY })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new MapSession({ maxInactiveIntervalMs: Number.NaN })).toThrow(/maxInactiveIntervalMs/);
    const session = loaded();
    expect(() => {
      session.lastAccessedTime = Number.NaN;
    }).toThrow(/lastAccessedTime/);
    expect(() => {
      session.maxInactiveIntervalMs = '5' as unknown as number;
    }).toThrow(InvalidArgumentError);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('isMapSession tells a MapSession from a look-alike', () => {
    expect(isMapSession(loaded())).toBe(true);
    expect(isMapSession({ id: 'x', get() {}, set() {} })).toBe(false);
  });

  it('toString never shows attribute values', () => {
    const session = loaded({ secret: 'hunter2-password' });
    expect(String(session)).not.toContain('hunter2');
    expect(String(session)).not.toContain(STORED_ID);
  });
});

describe('MapSession attributes', () => {
  it('set, get, delete and names', () => {
    const session = new MapSession();
    session.set('a', 1);
    session.set('b', { nested: true });
    expect(session.get('a')).toBe(1);
    expect(session.names().sort()).toEqual(['a', 'b']);
    session.delete('a');
    expect(session.get('a')).toBeUndefined();
    expect(session.names()).toEqual(['b']);
  });

  it('setting undefined removes the attribute', () => {
    const session = loaded({ a: 1 });
    session.set('a', undefined);
    expect(session.names()).toEqual([]);
    expect(removedNames(session.getDelta())).toEqual(['a']);
  });

  it('rejects empty or non-string attribute names', () => {
    const session = new MapSession();
    expect(() => session.set('', 1)).toThrow(InvalidArgumentError);
    expect(() => session.set(7 as unknown as string, 1)).toThrow(InvalidArgumentError);
  });

  it('entries(), peek() and snapshot() expose the state without copying values', () => {
    const value = { deep: [1] };
    const session = loaded({ a: value });
    expect([...session.entries()]).toEqual([['a', value]]);
    expect(session.peek('a')).toBe(value);
    const snapshot = session.snapshot();
    expect(snapshot).toMatchObject({ id: STORED_ID, creationTime: 1_000, lastAccessedTime: 2_000 });
    expect(snapshot.attributes.get('a')).toBe(value);
    // The snapshot's map is its own: later changes to the session do not show up in it.
    session.set('b', 2);
    expect(snapshot.attributes.has('b')).toBe(false);
  });
});

describe('MapSession change tracking', () => {
  it('a new session reports everything as unsaved', () => {
    const session = new MapSession({ attributes: { a: 1 } });
    session.set('b', 2);
    const delta = session.getDelta();
    expect(delta.isNew).toBe(true);
    expect(delta.hasChanges).toBe(true);
    expect(Object.fromEntries(delta.setAttributes)).toEqual({ a: 1, b: 2 });
  });

  it('a freshly loaded session has nothing to write', () => {
    const session = loaded({ a: 1 });
    const delta = session.getDelta();
    expect(delta.hasChanges).toBe(false);
    expect(session.hasChanges()).toBe(false);
    expect(delta.setAttributes.size).toBe(0);
    expect(delta.removedAttributes.size).toBe(0);
    expect(delta).toMatchObject({ isNew: false, idChanged: false, originalId: STORED_ID, id: STORED_ID });
  });

  it('tracks set attributes with their current values, and only those', () => {
    const session = loaded({ a: 1, b: 2 });
    session.set('a', 10);
    session.set('c', 3);
    const delta = session.getDelta();
    expect(Object.fromEntries(delta.setAttributes)).toEqual({ a: 10, c: 3 });
    expect(delta.removedAttributes.size).toBe(0);
    expect(delta.hasChanges).toBe(true);
  });

  it('tracks removed attributes', () => {
    const session = loaded({ a: 1, b: 2 });
    session.delete('a');
    const delta = session.getDelta();
    expect(removedNames(delta)).toEqual(['a']);
    expect(delta.setAttributes.size).toBe(0);
    expect(delta.hasChanges).toBe(true);
  });

  it('removing an attribute this copy never had still records the removal on a stored session', () => {
    // Another request may have set it in the store meanwhile.
    const session = loaded({});
    session.delete('maybeInStore');
    expect(removedNames(session.getDelta())).toEqual(['maybeInStore']);
  });

  it('removing an attribute that was never set on a new session writes nothing extra', () => {
    const session = new MapSession();
    session.delete('never');
    expect(session.getDelta().removedAttributes.size).toBe(0);
  });

  it('set then delete is a removal; delete then set is a write', () => {
    const session = loaded({ a: 1, b: 2 });
    session.set('a', 5);
    session.delete('a');
    session.delete('b');
    session.set('b', 7);
    const delta = session.getDelta();
    expect(removedNames(delta)).toEqual(['a']);
    expect(Object.fromEntries(delta.setAttributes)).toEqual({ b: 7 });
  });

  it('changeSessionId gives a fresh valid id, keeps attributes and reports the change', () => {
    const session = loaded({ a: 1 });
    const newId = session.changeSessionId();
    expect(newId).toBe(session.id);
    expect(newId).not.toBe(STORED_ID);
    expect(isValidSessionId(newId)).toBe(true);
    expect(session.originalId).toBe(STORED_ID);
    expect(session.get('a')).toBe(1);
    const delta = session.getDelta();
    expect(delta).toMatchObject({ idChanged: true, originalId: STORED_ID, id: newId, hasChanges: true });
    session.markSaved(delta);
    expect(session.originalId).toBe(newId);
    expect(session.getDelta().idChanged).toBe(false);
  });

  it('tracks last access and interval changes, ignoring writes of the same value', () => {
    const session = loaded();
    session.lastAccessedTime = 2_000;
    session.maxInactiveIntervalMs = 60_000;
    expect(session.getDelta().hasChanges).toBe(false);

    session.lastAccessedTime = 9_000;
    let delta = session.getDelta();
    expect(delta).toMatchObject({ lastAccessedTimeChanged: true, lastAccessedTime: 9_000, hasChanges: true });
    expect(delta.maxInactiveIntervalChanged).toBe(false);

    session.maxInactiveIntervalMs = -1;
    delta = session.getDelta();
    expect(delta).toMatchObject({ maxInactiveIntervalChanged: true, maxInactiveIntervalMs: -1 });
    session.markSaved(delta);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('markSaved() without a delta makes everything the stored state', () => {
    const session = new MapSession({ attributes: { a: 1 } });
    session.delete('a');
    session.set('b', 2);
    session.changeSessionId();
    session.lastAccessedTime = session.lastAccessedTime + 1;
    session.markSaved();
    expect(session.isNew).toBe(false);
    expect(session.originalId).toBe(session.id);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('markSaved(delta) keeps changes made while the write was in flight', () => {
    const cart = ['sku-1'];
    const session = loaded({ untouched: 0, a: 1, gone: 'x', cart });
    session.set('a', 2);
    session.set('cart', cart);
    session.delete('gone');
    session.lastAccessedTime = 3_000;
    const inFlight = session.getDelta();

    // Changes made after the store took the delta, before it reported success.
    session.set('a', 3); // new value for a written attribute
    cart.push('sku-2');
    session.set('cart', cart); // same object, mutated: must be written again
    session.set('b', 'new'); // new attribute
    session.set('gone', 'back'); // re-set a removed attribute
    session.lastAccessedTime = 4_000;
    session.maxInactiveIntervalMs = 5;
    const newId = session.changeSessionId();

    session.markSaved(inFlight);
    const next = session.getDelta();
    expect(next.isNew).toBe(false);
    expect(Object.fromEntries(next.setAttributes)).toEqual({
      a: 3,
      cart: ['sku-1', 'sku-2'],
      b: 'new',
      gone: 'back',
    });
    expect(next.removedAttributes.size).toBe(0);
    expect(next).toMatchObject({ lastAccessedTimeChanged: true, lastAccessedTime: 4_000 });
    expect(next.maxInactiveIntervalChanged).toBe(true);
    // The write stored the session under the id it carried; the later rotation is still pending.
    expect(next).toMatchObject({ originalId: STORED_ID, id: newId, idChanged: true });

    session.markSaved(next);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('markSaved(delta) clears what was written and untouched since', () => {
    const session = loaded({ a: 1, b: 1 });
    session.set('a', 2);
    session.delete('b');
    const written = session.getDelta();
    session.set('c', 3);
    session.markSaved(written);
    const next = session.getDelta();
    expect(setNames(next)).toEqual(['c']);
    expect(next.removedAttributes.size).toBe(0);
  });

  it('a removal made while the first save of a new session is in flight is not lost', () => {
    const session = new MapSession({ attributes: { a: 1, b: 2 } });
    const firstWrite = session.getDelta();
    session.delete('a');
    session.markSaved(firstWrite);
    const next = session.getDelta();
    expect(next.isNew).toBe(false);
    expect(removedNames(next)).toEqual(['a']);
    expect(next.setAttributes.size).toBe(0);
  });

  it('overlapping saves that finish out of order: the older one cannot move the stored id back', () => {
    const session = loaded({ a: 1 });
    session.set('a', 2);
    const older = session.getDelta();
    const newId = session.changeSessionId();
    session.lastAccessedTime = 9_000;
    const newer = session.getDelta();
    expect(newer.idChanged).toBe(true);
    session.markSaved(newer);
    session.markSaved(older); // finishes last
    expect(session.originalId).toBe(newId);
    const next = session.getDelta();
    expect(next.idChanged).toBe(false);
    expect(next.lastAccessedTimeChanged).toBe(false);
    expect(next.hasChanges).toBe(false);
  });

  it('a delta taken before markSaved() (everything saved) is stale afterwards', () => {
    const session = loaded({ a: 1 });
    const before = session.getDelta();
    session.changeSessionId();
    session.markSaved();
    const id = session.id;
    session.markSaved(before);
    expect(session.originalId).toBe(id);
  });

  it('a delta the session did not produce falls back to comparing values', () => {
    const session = loaded({ a: 1, b: 1 });
    session.set('a', 2);
    session.set('b', 2);
    const copy: SessionDelta = { ...session.getDelta() };
    session.set('b', 3);
    session.markSaved(copy);
    expect(Object.fromEntries(session.getDelta().setAttributes)).toEqual({ b: 3 });
  });

  it('calls the change listener on every real change and never on no-ops', () => {
    const session = loaded({ a: 1 });
    const listener = vi.fn();
    session.setChangeListener(listener);
    session.lastAccessedTime = 2_000; // same value
    session.maxInactiveIntervalMs = 60_000; // same value
    expect(listener).not.toHaveBeenCalled();
    session.set('a', 2);
    session.delete('a');
    session.changeSessionId();
    session.lastAccessedTime = 7_000;
    session.maxInactiveIntervalMs = 1;
    expect(listener).toHaveBeenCalledTimes(5);
    session.setChangeListener(undefined);
    session.set('a', 3);
    expect(listener).toHaveBeenCalledTimes(5);
  });
});

describe('MapSession expiry', () => {
  it('expires exactly when the interval has passed since the last access', () => {
    const session = loaded({}, { lastAccessedTime: 10_000, maxInactiveIntervalMs: 1_000 });
    expect(session.isExpired(10_999)).toBe(false);
    expect(session.isExpired(11_000)).toBe(true);
    expect(session.isExpired(50_000)).toBe(true);
    expect(session.expiresAt()).toBe(11_000);
  });

  it('a negative interval never expires', () => {
    const session = loaded({}, { lastAccessedTime: 0, maxInactiveIntervalMs: -1 });
    expect(session.isExpired(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(session.expiresAt()).toBeNull();
  });

  it('a zero interval is expired at once', () => {
    expect(loaded({}, { lastAccessedTime: 500, maxInactiveIntervalMs: 0 }).isExpired(500)).toBe(true);
  });

  it('touching the session moves expiry forward', () => {
    const session = loaded({}, { lastAccessedTime: 0, maxInactiveIntervalMs: 100 });
    expect(session.isExpired(150)).toBe(true);
    session.lastAccessedTime = 100;
    expect(session.isExpired(150)).toBe(false);
  });

  it('uses the current time when no clock reading is given', () => {
    const now = Date.now();
    expect(loaded({}, { lastAccessedTime: now - 120_000, maxInactiveIntervalMs: 60_000 }).isExpired()).toBe(
      true,
    );
    expect(loaded({}, { lastAccessedTime: now, maxInactiveIntervalMs: 3_600_000 }).isExpired()).toBe(false);
  });
});

describe('MapSession save modes', () => {
  it('onSetAttribute (the default) writes only what was set, never what was read', () => {
    const session = loaded({ a: { n: 1 }, b: 2 });
    expect(session.saveMode).toBe('onSetAttribute');
    (session.get('a') as { n: number }).n = 99;
    session.set('b', 3);
    expect(setNames(session.getDelta())).toEqual(['b']);
  });

  it('onGetAttribute also writes attributes that were read, with their current value', () => {
    const session = loaded({ a: { n: 1 }, b: 2, c: 3 }, { saveMode: 'onGetAttribute' });
    const a = session.get('a') as { n: number };
    a.n = 99; // in-place change of a read object
    session.get('missing');
    session.set('b', 20);
    const delta = session.getDelta();
    expect(Object.fromEntries(delta.setAttributes)).toEqual({ a: { n: 99 }, b: 20 });
    session.markSaved(delta);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('onGetAttribute: peek() does not count as a read', () => {
    const session = loaded({ a: 1 }, { saveMode: 'onGetAttribute' });
    session.peek('a');
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('onGetAttribute: a read during an in-flight write is written again', () => {
    const session = loaded({ a: { n: 1 } }, { saveMode: 'onGetAttribute' });
    session.get('a');
    const inFlight = session.getDelta();
    (session.get('a') as { n: number }).n = 2;
    session.markSaved(inFlight);
    expect(Object.fromEntries(session.getDelta().setAttributes)).toEqual({ a: { n: 2 } });
  });

  it('always writes every attribute on every save', () => {
    const session = loaded({ a: 1, b: 2 }, { saveMode: 'always' });
    let delta = session.getDelta();
    expect(Object.fromEntries(delta.setAttributes)).toEqual({ a: 1, b: 2 });
    expect(delta.hasChanges).toBe(true);
    session.markSaved(delta);
    delta = session.getDelta();
    expect(setNames(delta)).toEqual(['a', 'b']);
  });

  it('always: a removal is still a removal', () => {
    const session = loaded({ a: 1, b: 2 }, { saveMode: 'always' });
    session.delete('a');
    const delta = session.getDelta();
    expect(setNames(delta)).toEqual(['b']);
    expect(removedNames(delta)).toEqual(['a']);
  });
});

describe('typed attributes', () => {
  interface Attrs {
    userId: string;
    cart: string[];
    visits: number;
  }

  it('get and set are checked against the attribute type', () => {
    const session = new MapSession<Attrs>();
    session.set('userId', 'u-1');
    session.set('cart', ['sku-1']);
    expectTypeOf(session.get('userId')).toEqualTypeOf<string | undefined>();
    expectTypeOf(session.get('cart')).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(session.set<'visits'>)
      .parameter(1)
      .toEqualTypeOf<number | undefined>();
    expectTypeOf(session).toMatchTypeOf<Session<Attrs>>();

    // Never called: these lines only have to fail the type check (tsc runs over test/).
    const wrong = () => {
      // @ts-expect-error a number is not a string
      session.set('userId', 42);
      // @ts-expect-error the cart holds strings
      session.set('cart', [1, 2]);
      // @ts-expect-error unknown attribute name
      session.get('nope');
      // @ts-expect-error unknown attribute name
      session.delete('nope');
    };
    expect(typeof wrong).toBe('function');
    expect(session.get('userId')).toBe('u-1');
  });

  it('an untyped session accepts any name and value', () => {
    const session = new MapSession();
    expectTypeOf(session.get('anything')).toEqualTypeOf<unknown>();
    session.set('anything', new Date(0));
    expect(session.get('anything')).toEqual(new Date(0));
  });
});
