import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeHarness } from './support/harness.js';

// The contract again with hazelcast-client's default JSON policy (EAGER): reads and events hand out
// parsed objects, so compare-and-set must rebuild the exact stored text from them. TTLs round to
// 100 ms here (not the member's whole seconds, which contract-fake.test.ts keeps) to save time.
runSessionRepositoryContract({
  name: 'HazelcastSessionRepository on the fake map, EAGER JSON reads',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  expiry: { minIntervalMs: 300, eventWithinMs: 1500 },
  createHarness: (options) => fakeHarness(options, { map: { readPolicy: 'EAGER', ttlResolutionMs: 100 } }),
});
