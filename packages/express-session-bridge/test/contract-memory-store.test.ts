import expressSession from 'express-session';
import { runBridgeContract } from './support/store-helpers.js';

runBridgeContract(
  "fromExpressSessionStore(express-session's MemoryStore)",
  // Expiry is checked on the stored millisecond timestamps.
  { minIntervalMs: 200, eventWithinMs: 1000 },
  () => {
    const memoryStore = new expressSession.MemoryStore();
    return {
      store: memoryStore,
      inspect: memoryStore,
      // Another repository on the same store object in this process: it shares the per-id lock.
      peer: (counted) => counted,
    };
  },
);
