import type { MapSession } from '@session/core';
import { defaultSerializer, type SessionRepositoryOptions } from '@session/core';
import type { RawBackendReads, StoreHarness } from '@session/testkit';
import { decodeAttribute, isMoveMarker, parseDocument, type SessionDocument } from '../../src/document.js';
import type { HazelcastSessionRepositoryOptions } from '../../src/options.js';
import { HazelcastSessionRepository } from '../../src/repository.js';
import { FakeSessionMap, type FakeSessionMapOptions } from './fake-map.js';

/**
 * The session document stored as `text`, or `undefined` for no text and for a move marker: the
 * marker `changeSessionId` leaves under an old id for the id-change trail holds no session.
 */
export function sessionDocumentOf(key: string, text: string | null | undefined): SessionDocument | undefined {
  if (text === null || text === undefined) return undefined;
  const doc = parseDocument(key, text);
  return isMoveMarker(doc) ? undefined : doc;
}

/**
 * Raw reads for the contract suite, straight from the map's stored text (`textOf`), with move
 * markers read as absent.
 */
export function rawReads(
  textOf: (id: string) => Promise<string | null | undefined>,
  principalKeys: (principal: string) => Promise<string[]>,
  serializer = defaultSerializer,
): RawBackendReads {
  return {
    async exists(id) {
      return sessionDocumentOf(id, await textOf(id)) !== undefined;
    },
    async readAttribute(id, name) {
      const doc = sessionDocumentOf(id, await textOf(id));
      return doc === undefined ? undefined : decodeAttribute(serializer, doc, name);
    },
    async readPrincipalIndex(principal) {
      const keys: string[] = [];
      for (const key of await principalKeys(principal)) {
        if (sessionDocumentOf(key, await textOf(key))?.principal === principal) keys.push(key);
      }
      return keys.sort();
    },
  };
}

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
  const repository = await open();
  return {
    map,
    repository,
    raw: rawReads(
      async (id) => map.rawText(id),
      async () => map.keys(),
      options.serializer ?? defaultSerializer,
    ),
    backendOperations: () => map.operations,
    createPeer: open,
    corrupt: {
      async attribute(id, name) {
        const doc = map.rawDocument(id) as { attributes: Record<string, unknown> } | undefined;
        if (doc === undefined) return;
        // A tagged value of a type no serializer knows.
        doc.attributes[name] = { $session: 1, v: { $t: 'no-such-type' } };
        map.plant(id, JSON.stringify(doc), 60_000);
      },
      async record(id) {
        const doc = map.rawDocument(id);
        if (doc === undefined) return;
        delete doc.creationTime;
        map.plant(id, JSON.stringify(doc), 60_000);
      },
    },
    async createUnreachable() {
      // A map whose every call fails as a lost member connection does.
      const down = new FakeSessionMap(extra.map);
      const repository = await HazelcastSessionRepository.create({
        ...extra.repository,
        ...options,
        map: down,
      });
      down.failWith(Object.assign(new Error('Cluster is not active'), { name: 'ClientNotActiveError' }));
      repositories.push(repository);
      return repository;
    },
    async close() {
      for (const r of repositories) await r.close();
      map.dispose();
    },
  };
}
