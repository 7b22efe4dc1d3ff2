import type { MapSession, SessionRepositoryOptions } from '@session/core';
import type { StoreHarness } from '../../src/index.js';
import { type Bugs, ReferenceStore, referenceBackend } from './reference-store.js';

/** A contract harness over {@link ReferenceStore}, with raw reads and an operation counter. */
export async function referenceHarness(
  options: SessionRepositoryOptions<MapSession>,
  bugs: Bugs = {},
): Promise<StoreHarness<MapSession>> {
  const backend = referenceBackend();
  const store = new ReferenceStore(options, bugs, backend);
  const peers: ReferenceStore[] = [];
  return {
    repository: store,
    raw: {
      exists: async (id) => store.rows.has(id),
      readAttribute: async (id, name) => store.rawAttribute(id, name),
    },
    backendOperations: () => store.operations,
    async createPeer() {
      const peer = new ReferenceStore(options, bugs, backend);
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all([store, ...peers].map((s) => s.close()));
    },
  };
}

export const REFERENCE_EXPIRY = { minIntervalMs: 200, eventWithinMs: 1000 };
