import type { Session } from '@session/core';
import type { SuiteContext } from '../context.js';
import { outcomeStatus } from '../util.js';

/** `changeSessionId`: the record moves to the new id, keeps its attributes, never resurrects. */
export function changeIdCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('changeSessionId', () => {
    ctx.it('moves the session: old id gone, new id found with the same attributes', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        const session = await saved({ user: 'ada', cart: [1, 2] });
        const oldId = session.id;
        const copy = await load(oldId);
        const newId = copy.changeSessionId();
        expect(newId).not.toBe(oldId);
        expect(copy.id).toBe(newId);
        expect(await repo.save(copy as unknown as S)).toEqual({ status: 'written', id: newId });
        expect(await find(oldId)).toBeNull();
        const moved = await load(newId);
        expect(moved.get('user')).toBe('ada');
        expect(moved.get('cart')).toEqual([1, 2]);
        expect(moved.creationTime).toBe(session.creationTime);
        if (harness.raw) {
          expect(await harness.raw.exists(oldId)).toBe(false);
          expect(await harness.raw.exists(newId)).toBe(true);
        }
      });
    });

    ctx.it('keeps attributes the changing copy did not touch and writes the ones it did', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
        const session = await saved({ a: 1 });
        const other = await load(session.id);
        const copy = await load(session.id);
        other.set('b', 2);
        await repo.save(other as unknown as S);
        copy.set('c', 3);
        const newId = copy.changeSessionId();
        await repo.save(copy as unknown as S);
        const moved = await load(newId);
        expect(moved.get('a')).toBe(1);
        expect(moved.get('b')).toBe(2);
        expect(moved.get('c')).toBe(3);
        expect(await find(session.id)).toBeNull();
      });
    });

    ctx.it('changing the id twice before saving leaves only the last id', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        const first = copy.changeSessionId();
        const second = copy.changeSessionId();
        await repo.save(copy as unknown as S);
        expect(await find(session.id)).toBeNull();
        expect(await find(first)).toBeNull();
        expect((await load(second)).get('a')).toBe(1);
      });
    });

    ctx.it('a new session whose id changed before its first save is stored under the new id', async () => {
      await ctx.withHarness({}, async ({ repo, load, find }) => {
        const session = (await repo.createSession()) as unknown as import('../context.js').AnySession;
        const firstId = session.id;
        session.set('a', 1);
        const newId = session.changeSessionId();
        await repo.save(session as unknown as S);
        expect(await find(firstId)).toBeNull();
        expect((await load(newId)).get('a')).toBe(1);
      });
    });

    ctx.it('changing the id of a session deleted meanwhile does not resurrect it', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        await repo.deleteById(session.id);
        const newId = copy.changeSessionId();
        copy.set('b', 2);
        expect(outcomeStatus(await repo.save(copy as unknown as S))).toBe('deleted');
        expect(await find(newId)).toBeNull();
        expect(await find(session.id)).toBeNull();
        if (harness.raw) {
          expect(await harness.raw.exists(newId)).toBe(false);
          expect(await harness.raw.exists(session.id)).toBe(false);
        }
      });
    });

    ctx.it('a session saved after changeSessionId can be saved again under its new id', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const newId = session.changeSessionId();
        await repo.save(session as unknown as S);
        session.set('a', 2);
        await repo.save(session as unknown as S);
        expect((await load(newId)).get('a')).toBe(2);
      });
    });
  });
}
