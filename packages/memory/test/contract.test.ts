import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository } from '../src/index.js';

runSessionRepositoryContract({
  name: 'MemorySessionRepository',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  expiry: { minIntervalMs: 200, eventWithinMs: 1000 },
  async createHarness(options) {
    const repository = new MemorySessionRepository({ ...options, sweepIntervalMs: 20 });
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
      close: () => repository.close(),
    };
  },
});
