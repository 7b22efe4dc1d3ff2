import type { Session } from '@session/core';
import type { AnySession, SuiteContext } from '../context.js';
import { settle, waitFor } from '../util.js';

/** Flush modes (`onSave`, `immediate`) and save modes (`onSetAttribute`, `onGetAttribute`, `always`). */
export function modeCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const flushWithinMs = 2000;

  ctx.describe('flushMode', () => {
    ctx.it("'immediate': set on a loaded session reaches the store without save", async () => {
      await ctx.withHarness({ flushMode: 'immediate' }, async ({ saved, load, find }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.set('b', 2);
        copy.delete('a');
        await settle(copy);
        const seen = await waitFor(
          async () => {
            const found = await find(session.id);
            return found?.get('b') === 2 && found.get('a') === undefined ? found : undefined;
          },
          flushWithinMs,
          "flushMode 'immediate': the change never reached the store",
        );
        expect(seen.get('b')).toBe(2);
      });
    });

    ctx.it("'immediate': set on a new session stores it without save", async () => {
      await ctx.withHarness({ flushMode: 'immediate' }, async ({ repo, find }) => {
        const session = (await repo.createSession()) as unknown as AnySession;
        session.set('a', 1);
        await settle(session);
        const seen = await waitFor(
          async () => ((await find(session.id))?.get('a') === 1 ? true : undefined),
          flushWithinMs,
          "flushMode 'immediate': the new session never reached the store",
        );
        expect(seen).toBe(true);
      });
    });

    ctx.it("'onSave': set without save changes nothing stored", async () => {
      await ctx.withHarness({ flushMode: 'onSave' }, async ({ saved, load }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.set('a', 2);
        await settle(copy);
        expect((await load(session.id)).get('a')).toBe(1);
      });
    });
  });

  ctx.describe('saveMode', () => {
    ctx.it("'onSetAttribute' (default): an in-place change of a read value is not saved", async () => {
      await ctx.withHarness({ saveMode: 'onSetAttribute' }, async ({ repo, saved, load }) => {
        const session = await saved({ cart: ['sku-1'] });
        const copy = await load(session.id);
        (copy.get('cart') as string[]).push('sku-2');
        copy.set('other', true);
        await repo.save(copy as unknown as S);
        const found = await load(session.id);
        expect(found.get('cart')).toEqual(['sku-1']);
        expect(found.get('other')).toBe(true);
      });
    });

    ctx.it("'onGetAttribute': an attribute read then mutated in place is saved", async () => {
      await ctx.withHarness({ saveMode: 'onGetAttribute' }, async ({ repo, saved, load }) => {
        const session = await saved({ cart: ['sku-1'], untouched: 'x' });
        const copy = await load(session.id);
        (copy.get('cart') as string[]).push('sku-2');
        await repo.save(copy as unknown as S);
        expect((await load(session.id)).get('cart')).toEqual(['sku-1', 'sku-2']);
      });
    });

    ctx.it("'onGetAttribute': attributes that were not read are not written", async () => {
      await ctx.withHarness({ saveMode: 'onGetAttribute' }, async ({ repo, saved, load }) => {
        const session = await saved({ read: 1, unread: 'old' });
        const reader = await load(session.id);
        const writer = await load(session.id);
        writer.set('unread', 'new');
        await repo.save(writer as unknown as S);
        reader.get('read');
        await repo.save(reader as unknown as S);
        expect((await load(session.id)).get('unread')).toBe('new');
      });
    });

    ctx.it("'always': every attribute is written, so the last writer wins (Spring's semantics)", async () => {
      await ctx.withHarness({ saveMode: 'always' }, async ({ repo, saved, load }) => {
        const session = await saved({ x: 1 });
        const a = await load(session.id);
        const b = await load(session.id);
        b.set('x', 2);
        await repo.save(b as unknown as S);
        a.set('y', 'from a');
        await repo.save(a as unknown as S);
        const found = await load(session.id);
        // `a` never touched x, yet its stale x overwrote b's change.
        expect(found.get('x')).toBe(1);
        expect(found.get('y')).toBe('from a');
      });
    });

    ctx.it("'always': an in-place change of a read value is saved", async () => {
      await ctx.withHarness({ saveMode: 'always' }, async ({ repo, saved, load }) => {
        const session = await saved({ cart: ['sku-1'] });
        const copy = await load(session.id);
        (copy.get('cart') as string[]).push('sku-2');
        await repo.save(copy as unknown as S);
        expect((await load(session.id)).get('cart')).toEqual(['sku-1', 'sku-2']);
      });
    });
  });
}
