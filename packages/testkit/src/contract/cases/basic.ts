import type { Session } from '@session/core';
import type { SuiteContext } from '../context.js';

/** Create, save, find, delete, attribute removal and isolation of loaded copies. */
export function basicCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('create, save, find, delete', () => {
    ctx.it('createSession stores nothing until save', async () => {
      await ctx.withHarness({}, async ({ repo, harness, find }) => {
        const session = await repo.createSession();
        expect(typeof session.id).toBe('string');
        expect(await find(session.id)).toBeNull();
        if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
      });
    });

    ctx.it('new sessions get distinct ids and the default interval', async () => {
      await ctx.withHarness({ defaultMaxInactiveIntervalMs: 7 * 60_000 }, async ({ repo }) => {
        const a = await repo.createSession();
        const b = await repo.createSession();
        expect(a.id).not.toBe(b.id);
        expect(a.maxInactiveIntervalMs).toBe(7 * 60_000);
        expect(a.isExpired()).toBe(false);
      });
    });

    ctx.it('a saved session is found with its attributes and creation time', async () => {
      await ctx.withHarness({}, async ({ saved, load, harness }) => {
        const session = await saved({ user: 'ada', count: 3, flags: ['a', 'b'] });
        const found = await load(session.id);
        expect(found.id).toBe(session.id);
        expect(found.creationTime).toBe(session.creationTime);
        expect(found.get('user')).toBe('ada');
        expect(found.get('count')).toBe(3);
        expect(found.get('flags')).toEqual(['a', 'b']);
        expect(found.names().sort()).toEqual(['count', 'flags', 'user']);
        if (harness.raw) {
          expect(await harness.raw.exists(session.id)).toBe(true);
          if (harness.raw.readAttribute)
            expect(await harness.raw.readAttribute(session.id, 'user')).toBe('ada');
        }
      });
    });

    ctx.it('a saved session without attributes is stored', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const session = await saved();
        const found = await load(session.id);
        expect(found.names()).toEqual([]);
      });
    });

    ctx.it('findById of an unknown well-formed id is null', async () => {
      await ctx.withHarness({}, async ({ repo, find }) => {
        const never = await repo.createSession();
        expect(await find(never.id)).toBeNull();
      });
    });

    ctx.it('deleteById removes the session from the repository and the backend', async () => {
      await ctx.withHarness({}, async ({ repo, saved, find, harness }) => {
        const keep = await saved({ n: 1 });
        const gone = await saved({ n: 2 });
        await repo.deleteById(gone.id);
        expect(await find(gone.id)).toBeNull();
        expect((await find(keep.id))?.get('n')).toBe(1);
        if (harness.raw) {
          expect(await harness.raw.exists(gone.id)).toBe(false);
          expect(await harness.raw.exists(keep.id)).toBe(true);
        }
      });
    });

    ctx.it('deleteById of an unknown id and a second delete are no-ops', async () => {
      await ctx.withHarness({}, async ({ repo, saved, find }) => {
        const never = await repo.createSession();
        await repo.deleteById(never.id);
        const session = await saved({ n: 1 });
        await repo.deleteById(session.id);
        await repo.deleteById(session.id);
        expect(await find(session.id)).toBeNull();
      });
    });

    ctx.it('saving a loaded session without changes keeps it as it was', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1, b: 'two' });
        const copy = await load(session.id);
        await repo.save(copy as unknown as S);
        const again = await load(session.id);
        expect(again.get('a')).toBe(1);
        expect(again.get('b')).toBe('two');
      });
    });

    ctx.it('a session saved twice keeps later changes', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        session.set('a', 2);
        session.set('b', 'new');
        await repo.save(session as unknown as S);
        const found = await load(session.id);
        expect(found.get('a')).toBe(2);
        expect(found.get('b')).toBe('new');
      });
    });
  });

  ctx.describe('attribute removal', () => {
    ctx.it('delete(name) on a loaded session removes the attribute from the store', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const session = await saved({ keep: 1, drop: 2 });
        const copy = await load(session.id);
        copy.delete('drop');
        await repo.save(copy as unknown as S);
        const found = await load(session.id);
        expect(found.get('drop')).toBeUndefined();
        expect(found.names()).toEqual(['keep']);
        if (harness.raw?.readAttribute) {
          expect(await harness.raw.readAttribute(session.id, 'drop')).toBeUndefined();
          expect(await harness.raw.readAttribute(session.id, 'keep')).toBe(1);
        }
      });
    });

    ctx.it('set(name, undefined) removes the attribute', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ keep: 1, drop: 2 });
        const copy = await load(session.id);
        copy.set('drop', undefined);
        await repo.save(copy as unknown as S);
        expect((await load(session.id)).names()).toEqual(['keep']);
      });
    });

    ctx.it('removing an attribute another copy never loaded still removes it', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const stale = await load(session.id);
        const other = await load(session.id);
        other.set('late', 'x');
        await repo.save(other as unknown as S);
        // `stale` never saw `late`, yet removing it must reach the store.
        stale.delete('late');
        await repo.save(stale as unknown as S);
        const found = await load(session.id);
        expect(found.get('late')).toBeUndefined();
        expect(found.get('a')).toBe(1);
      });
    });
  });

  ctx.describe('isolation', () => {
    ctx.it('changing a loaded session without saving changes nothing stored', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const session = await saved({ a: 1, list: [1, 2], obj: { deep: { v: 1 } } });
        const copy = await load(session.id);
        copy.set('a', 99);
        copy.set('added', true);
        copy.delete('list');
        (copy.get('obj') as { deep: { v: number } }).deep.v = 42;
        copy.maxInactiveIntervalMs = 5 * 60_000 + 1000;
        const found = await load(session.id);
        expect(found.get('a')).toBe(1);
        expect(found.get('added')).toBeUndefined();
        expect(found.get('list')).toEqual([1, 2]);
        expect(found.get('obj')).toEqual({ deep: { v: 1 } });
        expect(found.maxInactiveIntervalMs).toBe(session.maxInactiveIntervalMs);
      });
    });

    ctx.it('mutating a value after save does not change the stored copy', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const cart = { items: ['sku-1'] };
        const session = await saved({ cart });
        cart.items.push('sku-2');
        expect((await load(session.id)).get('cart')).toEqual({ items: ['sku-1'] });
      });
    });

    ctx.it('two loaded copies do not share attribute values', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const session = await saved({ cart: { items: ['sku-1'] } });
        const a = await load(session.id);
        const b = await load(session.id);
        (a.get('cart') as { items: string[] }).items.push('sku-2');
        expect(b.get('cart')).toEqual({ items: ['sku-1'] });
      });
    });

    ctx.it('changes to an unsaved new session are not visible', async () => {
      await ctx.withHarness({}, async ({ repo, find }) => {
        const session = (await repo.createSession()) as unknown as {
          id: string;
          set(n: string, v: unknown): void;
        };
        session.set('a', 1);
        expect(await find(session.id)).toBeNull();
      });
    });
  });
}
