import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeHarness } from './support/harness.js';

// The whole store contract against the in-process fake map (no Hazelcast member runs here).
runSessionRepositoryContract({
  name: 'HazelcastSessionRepository on the fake map',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  // The fake rounds TTLs up to whole seconds like a member, so 1 s is the shortest exact interval.
  expiry: { minIntervalMs: 1000, eventWithinMs: 2500 },
  createHarness: (options) => fakeHarness(options),
});
