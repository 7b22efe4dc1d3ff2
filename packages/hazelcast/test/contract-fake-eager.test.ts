import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeHarness } from './support/harness.js';

// The contract again with hazelcast-client's default JSON policy (EAGER): reads and events hand out
// parsed objects, so compare-and-set must rebuild the exact stored text from them. Intervals as
// short as 300 ms are exact here because reads check the stored times; entries (and 'expired'
// events) follow within two seconds of the due time, as on a member.
runSessionRepositoryContract({
  name: 'HazelcastSessionRepository on the fake map, EAGER JSON reads',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  expiry: { minIntervalMs: 300, eventWithinMs: 3000 },
  createHarness: (options) => fakeHarness(options, { map: { readPolicy: 'EAGER' } }),
});
