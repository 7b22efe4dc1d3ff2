import { defaultSerializer, type SessionSerializer } from '@session/core';
import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository } from '../src/index.js';

runSessionRepositoryContract({
  name: 'MemorySessionRepository',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true, touchesOnRead: true },
  expiry: { minIntervalMs: 200, eventWithinMs: 1000 },
  async createHarness(options) {
    // Bad data in a store that lives in this process: stored values its serializer can no longer
    // read (as after a deploy that changed the serializer). `corrupt.attribute` marks a stored
    // text unreadable; the repository itself is unchanged.
    const base = options.serializer ?? defaultSerializer;
    const unreadable = new Set<string>();
    const serializer: SessionSerializer = {
      serialize: (value, name) => base.serialize(value, name),
      deserialize(text, name) {
        if (unreadable.has(text)) throw new SyntaxError('stored value no longer readable');
        return base.deserialize(text, name);
      },
    };
    const repository = new MemorySessionRepository({ ...options, serializer, sweepIntervalMs: 20 });
    return {
      repository,
      raw: {
        exists: async (id) => repository.peekStored(id) !== null,
        readAttribute: async (id, name) => repository.peekStored(id)?.attributes.get(name),
        readPrincipalIndex: async (principal) =>
          repository.peekIndex(
            'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME',
            principal,
          ),
      },
      backendOperations: () => repository.stats().operations,
      corrupt: {
        async attribute(id, name) {
          const value = repository.peekStored(id)?.attributes.get(name);
          if (value !== undefined) unreadable.add(base.serialize(value, name));
        },
      },
      // No `corrupt.record` (records are objects this store builds itself) and no
      // `createUnreachable` (there is no backend to lose): those tests show as skipped.
      close: () => repository.close(),
    };
  },
});
