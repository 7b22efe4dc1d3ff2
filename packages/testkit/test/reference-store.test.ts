import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSessionRepositoryContract } from '../src/index.js';
import { REFERENCE_EXPIRY, referenceHarness } from './support/harness.js';

// The whole suite against a deliberately simple correct store: proves the suite asks nothing
// beyond the contract (no memory-store quirks). Passing vitest's functions also type-checks them
// against ContractTestApi.
runSessionRepositoryContract({
  name: 'reference store',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true },
  expiry: REFERENCE_EXPIRY,
  createHarness: (options) => referenceHarness(options),
});
