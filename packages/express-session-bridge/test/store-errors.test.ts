import { type MapSession, SessionStoreUnavailableError, silentLogger } from '@session/core';
import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import { type ExpressSessionStore, fromExpressSessionStore } from '../src/index.js';
import { rawGet, savedSession } from './support/store-helpers.js';

type Method = 'get' | 'set' | 'destroy';
type Fault = 'callback-error' | 'throws' | 'rejects' | 'never-answers' | 'answers-twice';

/** A real MemoryStore whose methods can be made to fail in the ways real stores do. */
function faultyStore() {
  const inner = new expressSession.MemoryStore();
  const faults = new Map<Method, Fault>();
  const cause = new Error('connection reset by peer');
  const call = (
    method: Method,
    args: unknown[],
    callback: (err?: unknown, value?: unknown) => void,
  ): unknown => {
    switch (faults.get(method)) {
      case 'callback-error':
        setImmediate(() => callback(cause));
        return undefined;
      case 'throws':
        throw cause;
      case 'rejects':
        return Promise.reject(cause);
      case 'never-answers':
        return undefined;
      case 'answers-twice':
        return (inner[method] as (...a: unknown[]) => void)(...args, (err?: unknown, value?: unknown) => {
          callback(err, value);
          callback(cause);
        });
      default:
        return (inner[method] as (...a: unknown[]) => void)(...args, callback);
    }
  };
  const store: ExpressSessionStore = {
    get: (sid, cb) => call('get', [sid], cb as never),
    set: (sid, data, cb) => call('set', [sid, data], cb ?? (() => {})),
    destroy: (sid, cb) => call('destroy', [sid], cb ?? (() => {})),
  };
  return { store, inner, faults, cause };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('store failures become SessionStoreUnavailableError', () => {
  for (const fault of ['callback-error', 'throws', 'rejects'] as const) {
    it(`${fault}: findById, save and deleteById reject with the cause attached`, async () => {
      const { store, faults, cause } = faultyStore();
      const repository = fromExpressSessionStore(store);
      const session = await savedSession(repository, { a: 1 });
      for (const method of ['get', 'set', 'destroy'] as const) faults.set(method, fault);
      session.set('a', 2);
      for (const pending of [
        repository.findById(session.id),
        repository.save(session),
        repository.deleteById(session.id),
      ]) {
        const err = await rejection(pending);
        expect(err).toBeInstanceOf(SessionStoreUnavailableError);
        expect((err as SessionStoreUnavailableError).status).toBe(503);
        expect((err as SessionStoreUnavailableError).cause).toBe(cause);
      }
    });
  }

  it('a store that never calls back times out after storeTimeoutMs', async () => {
    const { store, faults } = faultyStore();
    const repository = fromExpressSessionStore(store, { storeTimeoutMs: 50 });
    const session = await repository.createSession();
    faults.set('get', 'never-answers');
    const err = await rejection(repository.findById(session.id));
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect((err as Error).message).toContain('did not answer get within 50 ms');
  });

  it('a failed set leaves the change pending; a retry once the store is back writes it', async () => {
    const { store, inner, faults } = faultyStore();
    const repository = fromExpressSessionStore(store);
    const session = await savedSession(repository, { a: 1 });
    const copy = (await repository.findById(session.id)) as MapSession;
    copy.set('b', 2);
    faults.set('set', 'callback-error');
    await expect(repository.save(copy)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    expect((await rawGet(inner, session.id))?.b).toBeUndefined();
    faults.delete('set');
    await repository.save(copy);
    expect((await rawGet(inner, session.id))?.b).toBe(2);
  });

  it('a failed destroy after an id change leaves the change pending, and a retry completes the move', async () => {
    const { store, inner, faults } = faultyStore();
    const repository = fromExpressSessionStore(store);
    const session = await savedSession(repository, { a: 1 });
    const oldId = session.id;
    const newId = session.changeSessionId();
    faults.set('destroy', 'throws');
    await expect(repository.save(session)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    faults.delete('destroy');
    await repository.save(session);
    expect(await rawGet(inner, oldId)).toBeUndefined();
    expect((await rawGet(inner, newId))?.a).toBe(1);
  });

  it('flushMode immediate: after a failed background write, save() writes what is pending once the store is back', async () => {
    const { store, inner, faults } = faultyStore();
    const repository = fromExpressSessionStore(store, { flushMode: 'immediate', logger: silentLogger });
    const session = await savedSession(repository, { a: 1 });
    faults.set('set', 'callback-error');
    session.set('b', 2);
    // Let the background write run (and fail) while the store is down.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await rawGet(inner, session.id))?.b).toBeUndefined();
    faults.delete('set');
    expect(await repository.save(session)).toEqual({ status: 'written', id: session.id });
    expect((await rawGet(inner, session.id))?.b).toBe(2);
  });

  it('a store calling back twice is answered once, by its first callback', async () => {
    const { store, faults } = faultyStore();
    const repository = fromExpressSessionStore(store);
    const session = await savedSession(repository, { a: 1 });
    faults.set('get', 'answers-twice');
    expect((await repository.findById(session.id))?.get('a')).toBe(1);
  });
});
