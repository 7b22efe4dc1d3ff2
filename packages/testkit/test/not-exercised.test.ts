import { describe, expect, it, vi } from 'vitest';
import { type ContractTestApi, runSessionRepositoryContract } from '../src/index.js';
import { type CollectedTest, collectingTestApi } from './support/collector.js';
import { REFERENCE_EXPIRY, referenceHarness } from './support/harness.js';

// A contract test body registered with an `it` that has fixtures (test.extend): vitest parses the
// body's parameter list and rejects any first parameter that is not destructured.
const withFixtures = it.extend<{ unused: number }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest's fixture signature
  unused: async ({}, use) => {
    await use(1);
  },
});
const { api: fixtureApi, tests: fixtureTests } = collectingTestApi();
runSessionRepositoryContract({
  name: 'fixtures',
  test: fixtureApi,
  capabilities: { indexed: false, events: false },
  expiry: REFERENCE_EXPIRY,
  createHarness: (storeOptions) => referenceHarness(storeOptions),
});
const fixtureCase = fixtureTests.find((t) => t.name.includes('a negative default interval applies'));
if (fixtureCase === undefined) throw new Error('contract test for the fixture check not found');
withFixtures('a contract test body runs under an it with fixtures', fixtureCase.fn);

/** The contract tests whose whole subject is an optional harness field. */
const OPTIONAL = [
  ['a peer finds, changes and deletes sessions', 'createPeer'],
  ['a peer instance on the same backend receives deleted and expired events', 'createPeer'],
  ['malformed ids cost no backend operation', 'backendOperations'],
  ['a session with an unreadable attribute reads as absent', 'corrupt.attribute'],
  ['a damaged session record reads as absent', 'corrupt.record'],
  ['index lookups skip a session with an unreadable attribute', 'corrupt.attribute'],
  ['every operation rejects with SessionStoreUnavailableError', 'createUnreachable'],
  ['raw.exists follows save, id change and delete', 'raw.exists'],
  ['raw.readAttribute reads the saved values back', 'raw.readAttribute'],
  ['raw.readPrincipalIndex holds exactly the ids', 'raw.readPrincipalIndex'],
] as const;

/** Registers the suite against a correct store whose harness lacks (or has) the optional fields. */
function collect(options: { bare: boolean; skip?: ContractTestApi['skip'] }): CollectedTest[] {
  const { api, tests } = collectingTestApi();
  runSessionRepositoryContract({
    name: 'optional fields',
    test: options.skip === undefined ? api : { ...api, skip: options.skip },
    capabilities: { indexed: true, events: true },
    expiry: REFERENCE_EXPIRY,
    createHarness: async (storeOptions) => {
      const harness = await referenceHarness(storeOptions);
      if (options.bare) {
        delete harness.createPeer;
        delete harness.backendOperations;
        delete harness.corrupt;
        delete harness.createUnreachable;
        delete harness.raw;
      }
      return harness;
    },
  });
  return tests;
}

function pick(tests: CollectedTest[], fragment: string): CollectedTest {
  const found = tests.filter((t) => t.name.includes(fragment));
  if (found.length !== 1) throw new Error(`"${fragment}" matches ${found.length} contract tests, expected 1`);
  return found[0] as CollectedTest;
}

describe('contract tests whose subject the harness does not offer', () => {
  it("are reported through the caller's skip with the reason, not as passes", async () => {
    const skip = vi.fn();
    const tests = collect({ bare: true, skip });
    for (const [fragment, field] of OPTIONAL) {
      skip.mockClear();
      const context = { marker: fragment };
      await pick(tests, fragment).fn(context);
      expect(skip, fragment).toHaveBeenCalledTimes(1);
      expect(skip.mock.calls[0]?.[0]).toContain(field);
      expect(skip.mock.calls[0]?.[0]).toContain('not exercised');
      // The framework's own test context is handed to skip.
      expect(skip.mock.calls[0]?.[1]).toBe(context);
    }
  });

  it("use the test context's skip(note) (vitest) when the caller gives no skip", async () => {
    const tests = collect({ bare: true });
    const signal = new Error('skip signal');
    for (const [fragment, field] of OPTIONAL) {
      const skip = vi.fn(() => {
        throw signal;
      });
      await expect(pick(tests, fragment).fn({ skip }), fragment).rejects.toBe(signal);
      expect(skip).toHaveBeenCalledWith(expect.stringContaining(field));
    }
  });

  it('print "not exercised" where the framework has no runtime skip (Jest)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const tests = collect({ bare: true });
      await pick(tests, OPTIONAL[2][0]).fn();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not exercised'));
    } finally {
      warn.mockRestore();
    }
  });

  it('run, and are not skipped, when the harness has the fields', async () => {
    const skip = vi.fn();
    const tests = collect({ bare: false, skip });
    for (const [fragment] of OPTIONAL) await pick(tests, fragment).fn({});
    expect(skip).not.toHaveBeenCalled();
  });

  it('capabilities a store does not declare show up as one skipped test each, naming the capability', async () => {
    const skip = vi.fn();
    const { api, tests } = collectingTestApi();
    runSessionRepositoryContract({
      name: 'plain',
      test: { ...api, skip },
      capabilities: { indexed: false, events: false },
      expiry: REFERENCE_EXPIRY,
      createHarness: (storeOptions) => referenceHarness(storeOptions),
    });
    expect(tests.some((t) => t.name.includes('findByPrincipalName'))).toBe(false);
    for (const capability of ['indexed', 'events']) {
      const placeholder = tests.filter((t) => t.name.includes('capability not declared'));
      expect(placeholder).toHaveLength(2);
      skip.mockClear();
      const test = placeholder.find((t) =>
        t.name.startsWith(capability === 'indexed' ? 'indexes' : 'events'),
      );
      await test?.fn({});
      expect(skip).toHaveBeenCalledWith(
        `not exercised: the store declares capabilities.${capability}: false`,
        {},
      );
    }
  });

  it('keep test bodies free of declared parameters, so Jest does not treat them as callback-style', () => {
    for (const test of collect({ bare: false })) expect(test.fn.length, test.name).toBe(0);
  });
});
