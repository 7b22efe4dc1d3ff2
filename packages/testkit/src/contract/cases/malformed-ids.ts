import { isIndexedRepository, type Session } from '@session/core';
import type { SuiteContext } from '../context.js';
import { malformedIds } from '../util.js';

/** Ids that fail the id syntax check resolve to null / no-op and never reach the backend. */
export function malformedIdCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('malformed ids', () => {
    ctx.it('findById resolves null and deleteById resolves for every malformed id', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        for (const [label, id] of malformedIds()) {
          let found: unknown;
          try {
            found = await repo.findById(id as string);
          } catch (err) {
            throw new Error(`findById(${label}) rejected instead of resolving null: ${String(err)}`);
          }
          expect(found).toBeNull();
          try {
            await repo.deleteById(id as string);
          } catch (err) {
            throw new Error(`deleteById(${label}) rejected instead of doing nothing: ${String(err)}`);
          }
        }
        // Nothing a malformed delete did touched the stored session.
        expect((await load(session.id)).get('a')).toBe(1);
      });
    });

    ctx.it('malformed ids cost no backend operation', async () => {
      await ctx.withHarness({}, async ({ repo, saved, harness }) => {
        const count = harness.backendOperations?.bind(harness);
        // Without a counter the previous test still covers the results, but not the cost.
        if (count === undefined) return ctx.notExercised('the harness has no backendOperations counter');
        const session = await saved({ a: 1 });
        // The counter must move for a real lookup, or the check below proves nothing.
        const beforeReal = await count();
        await repo.findById(session.id);
        const afterReal = await count();
        expect(afterReal).toBeGreaterThan(beforeReal);
        for (const [label, id] of malformedIds()) {
          const before = await count();
          await repo.findById(id as string);
          await repo.deleteById(id as string);
          const after = await count();
          if (after !== before)
            throw new Error(`malformed id (${label}) reached the backend: ${after - before} operation(s)`);
        }
      });
    });

    if (ctx.options.capabilities.indexed) {
      ctx.it('index lookups with odd values resolve to empty maps', async () => {
        await ctx.withHarness({}, async ({ repo }) => {
          if (!isIndexedRepository(repo))
            throw new Error('capabilities.indexed is true but the repository has no index API');
          for (const value of ['', '*', '\r\nFLUSHALL\r\n', 'x'.repeat(10 * 1024), '../..']) {
            expect((await repo.findByPrincipalName(value)).size).toBe(0);
            expect((await repo.findByIndexNameAndIndexValue('no-such-index', value)).size).toBe(0);
          }
        });
      });
    }
  });
}
