import { expect } from 'vitest';
import type { ContractTestApi, ContractTestFn } from '../../src/index.js';

/** One test the contract suite registered. */
export interface CollectedTest {
  name: string;
  fn: ContractTestFn;
  timeoutMs: number | undefined;
}

/**
 * A `ContractTestApi` that records the suite's tests instead of registering them, so a test can
 * run them against a deliberately broken store and check that they fail.
 */
export function collectingTestApi(): { api: ContractTestApi; tests: CollectedTest[] } {
  const tests: CollectedTest[] = [];
  const path: string[] = [];
  const hook = () => {
    throw new Error('the contract suite registered a hook; the collector does not support hooks');
  };
  const api: ContractTestApi = {
    describe(name, fn) {
      path.push(name);
      try {
        fn();
      } finally {
        path.pop();
      }
    },
    it(name, fn, timeoutMs) {
      tests.push({ name: [...path.slice(1), name].join(' > '), fn, timeoutMs });
    },
    expect,
    beforeAll: hook,
    afterAll: hook,
    beforeEach: hook,
    afterEach: hook,
  };
  return { api, tests };
}

/** Runs one collected test; resolves with its error, or `undefined` when it passed. */
export async function outcome(test: CollectedTest): Promise<unknown> {
  try {
    await test.fn();
    return undefined;
  } catch (err) {
    return err ?? new Error('rejected without a reason');
  }
}
