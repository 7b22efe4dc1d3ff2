import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeHarness } from './support/harness.js';

// The whole store contract against the in-process fake map (no Hazelcast member runs here).
runSessionRepositoryContract({
  name: 'HazelcastSessionRepository on the fake map',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  // The fake keeps expiry in whole seconds, rounded down, like a member; the store's entry TTLs
  // outlive the due time by one to two seconds to stay clear of that rounding (entry-ttl.ts).
  expiry: { minIntervalMs: 1000, eventWithinMs: 3000 },
  createHarness: (options) => fakeHarness(options),
});
