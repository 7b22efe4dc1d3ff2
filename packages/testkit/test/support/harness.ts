import { type MapSession, PRINCIPAL_NAME_INDEX_NAME, type SessionRepositoryOptions } from '@session/core';
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
      readPrincipalIndex: async (principal) =>
        [...store.rows]
          .filter(([, row]) => row.indexes[PRINCIPAL_NAME_INDEX_NAME] === principal)
          .map(([id]) => id)
          .sort(),
    },
    backendOperations: () => store.operations,
    corrupt: {
      async attribute(id, name) {
        store.rows.get(id)?.attrs.set(name, '{"not json');
      },
      async record(id) {
        const row = store.rows.get(id);
        if (row !== undefined) row.creationTime = Number.NaN;
      },
    },
    async createUnreachable() {
      const down = new ReferenceStore(options, bugs, referenceBackend(), true);
      peers.push(down);
      return down;
    },
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
