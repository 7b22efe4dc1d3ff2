import { runSessionRepositoryContract } from '@session/testkit';
import expressSession from 'express-session';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromExpressSessionStore } from '../src/index.js';
import { corruptHooks, countingStore, rawReads, unreachableStore } from './support/store-helpers.js';

runSessionRepositoryContract({
  name: "fromExpressSessionStore(express-session's MemoryStore)",
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  // No index or events: express-session stores have neither. findById is a plain read (the HTTP
  // layer refreshes lastAccessedTime and saves), so lastAccessedTime must persist exactly instead.
  capabilities: { indexed: false, events: false, touchesOnRead: false },
  // Expiry is checked on the stored millisecond timestamps.
  expiry: { minIntervalMs: 200, eventWithinMs: 1000 },
  async createHarness(options) {
    const memoryStore = new expressSession.MemoryStore();
    const counted = countingStore(memoryStore);
    const repository = fromExpressSessionStore(counted.store, options);
    return {
      repository,
      raw: rawReads(memoryStore),
      backendOperations: counted.calls,
      // Another repository on the same store object in this process: it shares the per-id lock.
      createPeer: async () => fromExpressSessionStore(counted.store, options),
      corrupt: corruptHooks(memoryStore),
      createUnreachable: async () => fromExpressSessionStore(unreachableStore(), options),
      close: () => repository.close(),
    };
  },
});
