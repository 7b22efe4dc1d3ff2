import { defaultSerializer, type MapSession, type SessionRepository } from '@session/core';
import { type RawBackendReads, runSessionRepositoryContract, type StoreHarness } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExpressSessionBridgeOptions,
  type ExpressSessionStore,
  fromExpressSessionStore,
  type StoredSessionRecord,
} from '../../src/index.js';

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

/**
 * Creates a session through `repository` (with `maxInactiveIntervalMs` when given), sets
 * `attributes`, saves it and returns it.
 */
export async function savedSession(
  repository: SessionRepository<MapSession>,
  attributes: Record<string, unknown>,
  maxInactiveIntervalMs?: number,
): Promise<MapSession> {
  const session = await repository.createSession();
  if (maxInactiveIntervalMs !== undefined) session.maxInactiveIntervalMs = maxInactiveIntervalMs;
  for (const [name, value] of Object.entries(attributes)) session.set(name, value);
  await repository.save(session);
  return session;
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

/** The express-session store a contract run of the bridge goes through, as {@link bridgeHarness} uses it. */
export interface BridgeBackend {
  /** The store the repository uses (every call counted). */
  store: ExpressSessionStore;
  /** The same data, for raw reads and damage (not counted). */
  inspect: ExpressSessionStore;
  /** The store a peer repository uses: the counted store itself, or a store object of its own. */
  peer(counted: ExpressSessionStore): ExpressSessionStore;
}

/**
 * A contract-suite harness for the bridge over `backend`: every call counted, raw reads and damage
 * through `backend.inspect`, peers over `backend.peer(counted)`, and a store that is down.
 */
export function bridgeHarness(
  backend: BridgeBackend,
  options: ExpressSessionBridgeOptions,
): StoreHarness<MapSession> {
  const counted = countingStore(backend.store);
  const repository = fromExpressSessionStore(counted.store, options);
  return {
    repository,
    raw: rawReads(backend.inspect),
    backendOperations: counted.calls,
    createPeer: async () => fromExpressSessionStore(backend.peer(counted.store), options),
    corrupt: corruptHooks(backend.inspect),
    createUnreachable: async () => fromExpressSessionStore(unreachableStore(), options),
    close: () => repository.close(),
  };
}

/**
 * Runs the compliance suite on the bridge over a fresh {@link BridgeBackend} per harness, as
 * `name`. No index or events: express-session stores have neither. findById is a plain read (the
 * HTTP layer refreshes lastAccessedTime and saves), so lastAccessedTime must persist exactly instead.
 */
export function runBridgeContract(
  name: string,
  expiry: { minIntervalMs: number; eventWithinMs: number },
  backend: () => BridgeBackend,
): void {
  runSessionRepositoryContract({
    name,
    test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
    capabilities: { indexed: false, events: false, touchesOnRead: false },
    expiry,
    createHarness: async (options) => bridgeHarness(backend(), options),
  });
}
