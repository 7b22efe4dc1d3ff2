import type { Session } from '@session/core';
import { basicCases } from './cases/basic.js';
import { changeIdCases } from './cases/change-id.js';
import { deltaCases } from './cases/delta.js';
import { eventCases } from './cases/events.js';
import { expiryCases } from './cases/expiry.js';
import { indexCases } from './cases/indexes.js';
import { malformedIdCases } from './cases/malformed-ids.js';
import { modeCases } from './cases/modes.js';
import { outcomeCases } from './cases/outcomes.js';
import { peerCases } from './cases/peers.js';
import { resurrectionCases } from './cases/resurrection.js';
import { robustnessCases } from './cases/robustness.js';
import { timeCases } from './cases/times.js';
import { valueCases } from './cases/values.js';
import { createContext, type SuiteContext } from './context.js';
import type { ContractOptions } from './types.js';

/** One placeholder test, reported as skipped, so a report shows a capability was not tested. */
function notDeclared<S extends Session>(
  ctx: SuiteContext<S>,
  group: string,
  capability: keyof ContractOptions['capabilities'],
): void {
  ctx.describe(group, () => {
    ctx.it(`${group} (capability not declared)`, async () =>
      ctx.notExercised(`the store declares capabilities.${capability}: false`),
    );
  });
}

/**
 * Registers the session repository contract suite with the caller's test framework:
 *
 * ```ts
 * import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
 * runSessionRepositoryContract({
 *   name: 'my store',
 *   test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
 *   capabilities: { indexed: true, events: true },
 *   createHarness: async (options) => {
 *     const repository = new MyRepository({ ...options, client });
 *     return { repository, close: () => repository.close() };
 *   },
 * });
 * ```
 *
 * Index tests run only with `capabilities.indexed`, event tests only with `capabilities.events`;
 * without them one placeholder test per group is reported as skipped, naming the capability.
 */
export function runSessionRepositoryContract<S extends Session>(options: ContractOptions<S>): void {
  if (typeof options?.createHarness !== 'function')
    throw new TypeError('runSessionRepositoryContract needs createHarness');
  if (typeof options.test?.it !== 'function' || typeof options.test.describe !== 'function') {
    throw new TypeError('runSessionRepositoryContract needs the test functions (describe, it, expect, …)');
  }
  const ctx = createContext(options);
  options.test.describe(`session repository contract: ${options.name}`, () => {
    basicCases(ctx);
    deltaCases(ctx);
    changeIdCases(ctx);
    resurrectionCases(ctx);
    outcomeCases(ctx);
    timeCases(ctx);
    expiryCases(ctx);
    modeCases(ctx);
    malformedIdCases(ctx);
    valueCases(ctx);
    peerCases(ctx);
    robustnessCases(ctx);
    if (options.capabilities.indexed) indexCases(ctx);
    else notDeclared(ctx, 'indexes', 'indexed');
    if (options.capabilities.events) eventCases(ctx);
    else notDeclared(ctx, 'events', 'events');
  });
}
