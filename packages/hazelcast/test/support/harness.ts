import type { MapSession } from '@session/core';
import { defaultSerializer, type SessionRepositoryOptions } from '@session/core';
import type { StoreHarness } from '@session/testkit';
import { decodeAttribute, parseDocument } from '../../src/document.js';
import { HazelcastSessionRepository, type HazelcastSessionRepositoryOptions } from '../../src/repository.js';
import { FakeSessionMap, type FakeSessionMapOptions } from './fake-map.js';

/** A contract-suite harness: repositories (and peers) on one fresh fake map, with raw reads of its documents. */
export async function fakeHarness(
  options: SessionRepositoryOptions<MapSession>,
  extra: { map?: FakeSessionMapOptions; repository?: HazelcastSessionRepositoryOptions } = {},
): Promise<StoreHarness<MapSession> & { map: FakeSessionMap }> {
  const map = new FakeSessionMap(extra.map);
  const repositories: HazelcastSessionRepository[] = [];
  const open = async () => {
    const repository = await HazelcastSessionRepository.create({ ...extra.repository, ...options, map });
    repositories.push(repository);
    return repository;
  };
  const serializer = options.serializer ?? defaultSerializer;
  const repository = await open();
  return {
    map,
    repository,
    raw: {
      async exists(id) {
        return map.rawText(id) !== undefined;
      },
      async readAttribute(id, name) {
        const text = map.rawText(id);
        return text === undefined ? undefined : decodeAttribute(serializer, parseDocument(id, text), name);
      },
      async readPrincipalIndex(principal) {
        return map
          .keys()
          .filter((key) => map.rawDocument(key)?.principal === principal)
          .sort();
      },
    },
    backendOperations: () => map.operations,
    createPeer: open,
    async close() {
      for (const r of repositories) await r.close();
      map.dispose();
    },
  };
}
