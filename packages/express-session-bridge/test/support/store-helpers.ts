import { defaultSerializer } from '@session/core';
import type { RawBackendReads } from '@session/testkit';
import type { ExpressSessionStore, StoredSessionRecord } from '../../src/index.js';

/** A store that forwards to `store` and counts every call the bridge makes. */
export function countingStore(store: ExpressSessionStore): { store: ExpressSessionStore; calls(): number } {
  let calls = 0;
  const counted: ExpressSessionStore = {
    get(sid, callback) {
      calls++;
      return store.get(sid, callback);
    },
    set(sid, data, callback) {
      calls++;
      return store.set(sid, data, callback);
    },
    destroy(sid, callback) {
      calls++;
      return store.destroy(sid, callback);
    },
  };
  return { store: counted, calls: () => calls };
}

/** The stored object under `sid`, read with the store's own `get`, bypassing the bridge. */
export function rawGet(store: ExpressSessionStore, sid: string): Promise<StoredSessionRecord | undefined> {
  return new Promise((resolve, reject) => {
    store.get(sid, (err, data) => (err ? reject(err) : resolve((data ?? undefined) as StoredSessionRecord)));
  });
}

/** Writes `data` under `sid` with the store's own `set`, as an express-session app would. */
export function rawSet(store: ExpressSessionStore, sid: string, data: StoredSessionRecord): Promise<void> {
  return new Promise((resolve, reject) => {
    store.set(sid, data, (err) => (err ? reject(err) : resolve()));
  });
}

/** Raw reads for the contract suite: the store's own `get`, attributes decoded with core's serializer. */
export function rawReads(store: ExpressSessionStore): RawBackendReads {
  return {
    exists: async (id) => (await rawGet(store, id)) !== undefined,
    readAttribute: async (id, name) => {
      const data = await rawGet(store, id);
      if (data === undefined || !Object.hasOwn(data, name)) return undefined;
      return defaultSerializer.deserialize(JSON.stringify(data[name]), name);
    },
  };
}

/**
 * The contract suite's damage hooks over a store's own `get`/`set`: an attribute replaced by a
 * tagged value no serializer knows, or the whole record replaced by something that is no session.
 */
export function corruptHooks(store: ExpressSessionStore): {
  attribute(id: string, name: string): Promise<void>;
  record(id: string): Promise<void>;
  keptOnPurpose: string;
} {
  return {
    // The bridge leaves what it cannot read in place: an express-session app sharing the store may read it.
    keptOnPurpose: 'an express-session app sharing the store may read what the bridge cannot',
    async attribute(id, name) {
      const data = await rawGet(store, id);
      if (data === undefined) return;
      await rawSet(store, id, {
        ...data,
        [name]: { $session: 1, v: { $t: 'no-such-type' } },
      } as StoredSessionRecord);
    },
    async record(id) {
      if ((await rawGet(store, id)) === undefined) return;
      await rawSet(store, id, [1, 2, 3] as unknown as StoredSessionRecord);
    },
  };
}

/** A store whose backend is down: every call fails as a refused connection does. */
export function unreachableStore(): ExpressSessionStore {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  return {
    get: (_sid, callback) => callback(refused()),
    set: (_sid, _data, callback) => callback?.(refused()),
    destroy: (_sid, callback) => callback?.(refused()),
  };
}
