import type { Session } from '@session/core';
import type { AnySession, SuiteContext } from '../context.js';

/** Delta writes: concurrent copies changing different attributes all keep their change. */
export function deltaCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('delta writes', () => {
    ctx.it('two copies that change different attributes both keep their change', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const session = await saved({ shared: 'base' });
        const a = await load(session.id);
        const b = await load(session.id);
        a.set('fromA', 'a');
        b.set('fromB', 'b');
        await repo.save(a as unknown as S);
        await repo.save(b as unknown as S);
        const found = await load(session.id);
        expect(found.get('fromA')).toBe('a');
        expect(found.get('fromB')).toBe('b');
        expect(found.get('shared')).toBe('base');
        if (harness.raw?.readAttribute) {
          expect(await harness.raw.readAttribute(session.id, 'fromA')).toBe('a');
          expect(await harness.raw.readAttribute(session.id, 'fromB')).toBe('b');
        }
      });
    });

    ctx.it('a copy removing one attribute does not undo another copy setting a different one', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ x: 1, y: 2 });
        const a = await load(session.id);
        const b = await load(session.id);
        a.delete('x');
        b.set('y', 20);
        await repo.save(b as unknown as S);
        await repo.save(a as unknown as S);
        const found = await load(session.id);
        expect(found.get('x')).toBeUndefined();
        expect(found.get('y')).toBe(20);
      });
    });

    ctx.it('50 concurrent saves of different attributes on copies of one session all persist', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ base: true });
        const copies: AnySession[] = await Promise.all(Array.from({ length: 50 }, () => load(session.id)));
        for (const [i, copy] of copies.entries()) copy.set(`attr${i}`, i);
        await Promise.all(copies.map((copy) => repo.save(copy as unknown as S)));
        const found = await load(session.id);
        for (let i = 0; i < 50; i++) expect(found.get(`attr${i}`)).toBe(i);
        expect(found.get('base')).toBe(true);
        expect(found.names()).toHaveLength(51);
      });
    });

    ctx.it(
      'a save after a concurrent save of the same attribute writes its own value (last writer wins)',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load }) => {
          const session = await saved({ n: 0 });
          const a = await load(session.id);
          const b = await load(session.id);
          a.set('n', 1);
          b.set('n', 2);
          await repo.save(a as unknown as S);
          await repo.save(b as unknown as S);
          expect((await load(session.id)).get('n')).toBe(2);
        });
      },
    );

    ctx.it('changes made while a save is in flight are written by the next save', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
        const session = await saved({ a: 1, c: 'x' });
        const copy = await load(session.id);
        copy.set('a', 2);
        const saving = repo.save(copy as unknown as S);
        // Not awaited yet: a store that marks everything saved when its write returns loses these.
        copy.set('b', 3);
        copy.delete('c');
        const newId = copy.changeSessionId();
        await saving;
        await repo.save(copy as unknown as S);
        expect(await find(session.id)).toBeNull();
        const found = await load(newId);
        expect(found.get('a')).toBe(2);
        expect(found.get('b')).toBe(3);
        expect(found.get('c')).toBeUndefined();
      });
    });
  });
}
