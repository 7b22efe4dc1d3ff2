import {
  defaultSerializer,
  InvalidArgumentError,
  InvalidSessionIdError,
  MAX_INACTIVE_INTERVAL_MS,
  MapSession,
  SessionSerializationError,
} from '@session/core';
import { RedisStore } from 'connect-redis';
import expressSession from 'express-session';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type ExpressSessionStore, fromExpressSessionStore } from '../src/index.js';
import { countingStore, rawGet, rawSet } from './support/store-helpers.js';

function newStore(): ExpressSessionStore {
  return new expressSession.MemoryStore();
}

/** A well-formed id nothing is stored under yet. */
async function freshId(store: ExpressSessionStore): Promise<string> {
  return (await fromExpressSessionStore(store).createSession()).id;
}

describe('what the bridge stores', () => {
  it('maps the interval to cookie.originalMaxAge and expires, and keeps exact times in __session', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store);
    const session = await repository.createSession();
    const lastAccess = Date.now() - 1234;
    session.maxInactiveIntervalMs = 45 * 60_000;
    session.lastAccessedTime = lastAccess;
    session.set('user', 'ada');
    session.set('count', 3);
    await repository.save(session);

    const stored = await rawGet(store, session.id);
    expect(stored?.cookie).toEqual({
      path: '/',
      httpOnly: true,
      originalMaxAge: 45 * 60_000,
      expires: new Date(lastAccess + 45 * 60_000).toISOString(),
    });
    expect(stored?.__session).toEqual({
      creationTime: session.creationTime,
      lastAccessedTime: lastAccess,
      maxInactiveIntervalMs: 45 * 60_000,
    });
    // Plain values are stored as they are, readable by express-session apps.
    expect(stored?.user).toBe('ada');
    expect(stored?.count).toBe(3);
  });

  it('a negative interval is a browser-session cookie: originalMaxAge and expires null', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store, { defaultMaxInactiveIntervalMs: -1 });
    const session = await repository.createSession();
    await repository.save(session);
    const stored = await rawGet(store, session.id);
    expect(stored?.cookie?.originalMaxAge).toBeNull();
    expect(stored?.cookie?.expires).toBeNull();
    expect((await repository.findById(session.id))?.maxInactiveIntervalMs).toBe(-1);
  });

  it('values JSON cannot carry are stored through the serializer and come back typed', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store);
    const session = await repository.createSession();
    const when = new Date('2024-02-29T12:00:00.000Z');
    session.set('when', when);
    session.set('big', 2n ** 70n);
    session.set('tags', new Set(['a']));
    await repository.save(session);
    const stored = await rawGet(store, session.id);
    // What JSON.stringify alone would have made of them is not what is stored.
    expect(stored?.when).not.toBe(when.toISOString());
    expect(defaultSerializer.deserialize(JSON.stringify(stored?.when), 'when')).toEqual(when);
    const found = await repository.findById(session.id);
    expect(found?.get('when')).toEqual(when);
    expect(found?.get('big')).toBe(2n ** 70n);
    expect(found?.get('tags')).toEqual(new Set(['a']));
  });

  it('cookie fields from the options and from the stored session are kept', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store, { cookie: { path: '/app', sameSite: 'lax' } });
    const session = await repository.createSession();
    await repository.save(session);
    expect((await rawGet(store, session.id))?.cookie).toMatchObject({ path: '/app', sameSite: 'lax' });

    // An express-session app set domain and secure; a later bridge save keeps them.
    const id = await freshId(store);
    await rawSet(store, id, {
      cookie: {
        originalMaxAge: 60_000,
        expires: new Date(Date.now() + 60_000).toISOString(),
        domain: 'example.com',
        secure: true,
        path: '/',
      },
    });
    const copy = await repository.findById(id);
    copy?.set('x', 1);
    await repository.save(copy as MapSession);
    expect((await rawGet(store, id))?.cookie).toMatchObject({
      domain: 'example.com',
      secure: true,
      path: '/',
    });
  });
});

describe('reading what express-session apps wrote', () => {
  it('a record without bridge metadata: interval from originalMaxAge, last access from expires - maxAge', async () => {
    const store = newStore();
    const now = Date.now();
    const lastAccess = now - 90_000;
    const id = await freshId(store);
    await rawSet(store, id, {
      cookie: {
        originalMaxAge: 600_000,
        expires: new Date(lastAccess + 600_000).toISOString(),
        httpOnly: true,
        path: '/',
      },
      user: 'ada',
    });
    const session = await fromExpressSessionStore(store, { clock: () => now }).findById(id);
    expect(session?.maxInactiveIntervalMs).toBe(600_000);
    expect(session?.lastAccessedTime).toBe(lastAccess);
    expect(session?.creationTime).toBe(now); // unknown: the read time
    expect(session?.get('user')).toBe('ada');
  });

  it('its first bridge save pins the creation time from then on', async () => {
    const store = newStore();
    const id = await freshId(store);
    await rawSet(store, id, {
      cookie: { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000).toISOString() },
    });
    const repository = fromExpressSessionStore(store);
    const first = await repository.findById(id);
    first?.set('x', 1);
    await repository.save(first as MapSession);
    const again = await fromExpressSessionStore(store, { clock: () => Date.now() + 60_000 }).findById(id);
    expect(again?.creationTime).toBe(first?.creationTime);
  });

  it('a browser-session cookie (originalMaxAge null) reads as never expiring', async () => {
    const store = newStore();
    const id = await freshId(store);
    await rawSet(store, id, { cookie: { originalMaxAge: null, expires: null }, user: 'ada' });
    const session = await fromExpressSessionStore(store).findById(id);
    expect(session?.maxInactiveIntervalMs).toBeLessThan(0);
    expect(session?.isExpired()).toBe(false);
  });

  it('a record without a cookie takes its timing from the bridge metadata alone', async () => {
    const store = newStore();
    const id = await freshId(store);
    const lastAccess = Date.now() - 5000;
    await rawSet(store, id, {
      __session: {
        creationTime: lastAccess - 1,
        lastAccessedTime: lastAccess,
        maxInactiveIntervalMs: 60_000,
      },
    });
    const session = await fromExpressSessionStore(store).findById(id);
    expect(session?.maxInactiveIntervalMs).toBe(60_000);
    expect(session?.lastAccessedTime).toBe(lastAccess);
    expect(session?.creationTime).toBe(lastAccess - 1);
  });

  it('a maxAge changed by an express-session app wins over the bridge metadata', async () => {
    const store = newStore();
    const repository = fromExpressSessionStore(store);
    const session = await repository.createSession();
    session.maxInactiveIntervalMs = 30 * 60_000;
    await repository.save(session);
    const stored = await rawGet(store, session.id);
    const changedAt = Date.now();
    await rawSet(store, session.id, {
      ...stored,
      cookie: {
        ...stored?.cookie,
        originalMaxAge: 5 * 60_000,
        expires: new Date(changedAt + 5 * 60_000).toISOString(),
      },
    });
    const found = await repository.findById(session.id);
    expect(found?.maxInactiveIntervalMs).toBe(5 * 60_000);
    expect(found?.lastAccessedTime).toBe(changedAt);
  });

  it('an expired record is not returned and is destroyed, even when the store itself keeps it', async () => {
    // A record whose metadata says expired while its cookie says nothing: MemoryStore keeps it.
    const store = newStore();
    const id = await freshId(store);
    await rawSet(store, id, {
      cookie: { originalMaxAge: null, expires: null },
      __session: { creationTime: 0, lastAccessedTime: Date.now() - 2000, maxInactiveIntervalMs: 1000 },
      user: 'ada',
    });
    // The cookie and metadata disagree on the interval, so the cookie wins: never expires.
    expect((await fromExpressSessionStore(store).findById(id))?.get('user')).toBe('ada');

    const expiredId = await freshId(store);
    await rawSet(store, expiredId, {
      cookie: { originalMaxAge: 1000, expires: null },
      __session: { creationTime: 0, lastAccessedTime: Date.now() - 2000, maxInactiveIntervalMs: 1000 },
      user: 'ada',
    });
    expect(await rawGet(store, expiredId)).toBeDefined();
    expect(await fromExpressSessionStore(store).findById(expiredId)).toBeNull();
    expect(await rawGet(store, expiredId)).toBeUndefined();
  });

  it('an express-session maxAge beyond the interval limit (2^31-1 s) reads as that limit', async () => {
    // express-session accepts any cookie maxAge; core caps intervals at Spring's int seconds.
    const store = newStore();
    const id = await freshId(store);
    const hundredYears = 100 * 365 * 24 * 3600_000;
    const lastAccess = Date.now() - 1000;
    await rawSet(store, id, {
      cookie: { originalMaxAge: hundredYears, expires: new Date(lastAccess + hundredYears).toISOString() },
      user: 'ada',
    });
    const repository = fromExpressSessionStore(store);
    const session = await repository.findById(id);
    expect(session?.maxInactiveIntervalMs).toBe(MAX_INACTIVE_INTERVAL_MS);
    expect(session?.lastAccessedTime).toBe(lastAccess);
    expect(session?.get('user')).toBe('ada');
    session?.set('x', 1);
    expect((await repository.save(session as MapSession)).status).toBe('written');
  });

  it('timestamps outside the range of a Date read as no session, logged and left in place', async () => {
    const store = newStore();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const id = await freshId(store);
    await rawSet(store, id, {
      __session: { creationTime: 1e300, lastAccessedTime: Date.now(), maxInactiveIntervalMs: 60_000 },
      user: 'ada',
    });
    expect(await fromExpressSessionStore(store, { logger }).findById(id)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect((await rawGet(store, id))?.user).toBe('ada');
  });

  it('something that is not a session, or an unreadable attribute, reads as no session and is logged', async () => {
    const store = newStore();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const repository = fromExpressSessionStore(store, { logger });
    const id = await freshId(store);
    await rawSet(store, id, { cookie: { originalMaxAge: null }, bad: { $session: 99, v: 1 } });
    expect(await repository.findById(id)).toBeNull();
    // Left in place: an express-session app may still read it.
    expect(await rawGet(store, id)).toBeDefined();
    const weird = await freshId(store);
    await rawSet(store, weird, ['not', 'a', 'session'] as never);
    expect(await repository.findById(weird)).toBeNull();
    expect(warnings).toHaveLength(2);
  });
});

describe('what the bridge refuses', () => {
  it('attributes named cookie or __session: save rejects naming the attribute, nothing is written', async () => {
    for (const name of ['cookie', '__session']) {
      const store = newStore();
      const repository = fromExpressSessionStore(store);
      const session = await repository.createSession();
      session.set('ok', 1);
      session.set(name, 'x');
      const err = await repository.save(session).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SessionSerializationError);
      expect((err as SessionSerializationError).attributeName).toBe(name);
      expect(await rawGet(store, session.id)).toBeUndefined();
    }
  });

  it('a serializer whose output is not JSON text is rejected at save', async () => {
    const store = newStore();
    const serializer = {
      serialize: (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64'),
      deserialize: (text: string) => JSON.parse(Buffer.from(text, 'base64').toString()),
    };
    const repository = fromExpressSessionStore(store, { serializer });
    const session = await repository.createSession();
    session.set('a', 'x');
    await expect(repository.save(session)).rejects.toBeInstanceOf(SessionSerializationError);
  });

  it('a caller-built session with a malformed id never reaches the store', async () => {
    const counted = countingStore(newStore());
    const repository = fromExpressSessionStore(counted.store);
    const session = new MapSession({ id: 'bad id!', idGenerator: () => 'also bad' });
    session.set('a', 1);
    await expect(repository.save(session)).rejects.toBeInstanceOf(InvalidSessionIdError);
    expect(counted.calls()).toBe(0);
  });

  it('invalid stores and options throw InvalidArgumentError', () => {
    const store = newStore();
    expect(() => fromExpressSessionStore({ get() {}, set() {} } as unknown as ExpressSessionStore)).toThrow(
      InvalidArgumentError,
    );
    expect(() => fromExpressSessionStore(store, { storeTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => fromExpressSessionStore(store, { storeTimeoutMs: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => fromExpressSessionStore(store, { cookie: { expires: null } as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => fromExpressSessionStore(store, { trustStoreExpiry: 'yes' as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => fromExpressSessionStore(store, { storeTimeoutMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('real store types', () => {
  it('MemoryStore and connect-redis fit ExpressSessionStore without casts', () => {
    // The assignments are the test: they fail typechecking if the interface drifts from real stores.
    const memory: ExpressSessionStore = new expressSession.MemoryStore();
    const client = new Redis({ lazyConnect: true });
    const redis: ExpressSessionStore = new RedisStore({ client });
    expect(fromExpressSessionStore(memory).store).toBe(memory);
    expect(fromExpressSessionStore(redis).store).toBe(redis);
    client.disconnect();
  });
});

describe('per-process serialization', () => {
  it('two repositories over the same store object share the per-id lock', async () => {
    const store = newStore();
    const a = fromExpressSessionStore(store);
    const b = fromExpressSessionStore(store);
    const session = await a.createSession();
    session.set('base', true);
    await a.save(session);
    const copies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).findById(session.id)),
    );
    for (const [i, copy] of copies.entries()) copy?.set(`attr${i}`, i);
    await Promise.all(copies.map((copy, i) => (i % 2 ? a : b).save(copy as MapSession)));
    const found = await a.findById(session.id);
    expect(found?.names()).toHaveLength(31);
  });
});
