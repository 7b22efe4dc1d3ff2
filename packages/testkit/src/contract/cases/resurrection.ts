import type { Session } from '@session/core';
import type { SuiteContext } from '../context.js';
import { outcomeStatus } from '../util.js';

/** A save after or racing with a delete never brings the session back. */
export function resurrectionCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  /** Saves a copy of a deleted session: it must say so, never "written". */
  async function saveOfDeleted(save: () => Promise<unknown>): Promise<void> {
    const outcome = await save();
    expect(['deleted', 'expired']).toContain(outcomeStatus(outcome));
  }

  ctx.describe('no resurrection after delete', () => {
    ctx.it('saving a copy loaded before deleteById does not bring the session back', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        await repo.deleteById(session.id);
        copy.set('b', 2);
        copy.lastAccessedTime = Date.now();
        await saveOfDeleted(() => repo.save(copy as unknown as S));
        expect(await find(session.id)).toBeNull();
        if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
      });
    });

    ctx.it('saving a copy with only a new lastAccessedTime after delete does not bring it back', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        await repo.deleteById(session.id);
        copy.lastAccessedTime = copy.lastAccessedTime + 1000;
        await saveOfDeleted(() => repo.save(copy as unknown as S));
        expect(await find(session.id)).toBeNull();
        if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
      });
    });

    ctx.it('saves racing deletes never leave the session behind', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        for (let round = 0; round < 10; round++) {
          const session = await saved({ round });
          const copy = await load(session.id);
          copy.set('late', round);
          // Both orders are started in the same tick; alternate which one is issued first.
          // Either may land first: the save then reports "written" and the delete removes it.
          const racingSave = async (): Promise<void> => {
            expect(['written', 'deleted', 'expired']).toContain(
              outcomeStatus(await repo.save(copy as unknown as S)),
            );
          };
          const ops =
            round % 2 === 0
              ? [racingSave(), repo.deleteById(session.id)]
              : [repo.deleteById(session.id), racingSave()];
          await Promise.all(ops);
          expect(await find(session.id)).toBeNull();
          if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
        }
      });
    });

    ctx.it('several stale copies saved after a delete do not revive it', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
        const session = await saved({ a: 1 });
        const copies = await Promise.all([load(session.id), load(session.id), load(session.id)]);
        await repo.deleteById(session.id);
        for (const [i, copy] of copies.entries()) copy.set(`c${i}`, i);
        await Promise.all(copies.map((copy) => saveOfDeleted(() => repo.save(copy as unknown as S))));
        expect(await find(session.id)).toBeNull();
      });
    });
  });
}
