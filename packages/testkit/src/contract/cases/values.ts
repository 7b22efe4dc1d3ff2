import type { Session } from '@session/core';
import type { SuiteContext } from '../context.js';
import { errorCode, rejectionOf } from '../util.js';

/** Attribute values survive the store; unserializable ones fail the save and change nothing. */
export function valueCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  function richValues(): Record<string, unknown> {
    return {
      date: new Date('2024-02-29T12:34:56.789Z'),
      big: 12345678901234567890123456789n,
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, { nested: true }],
      ]),
      set: new Set(['a', 'b', 3]),
      nested: { a: [1, { b: [2, 3] }], c: null, d: 'ü€😀', e: { f: { g: { h: false } } } },
      list: [1, 'two', null, [3]],
      zero: 0,
      negative: -12.5,
      empty: '',
      emptyObject: {},
      flag: false,
      nil: null,
    };
  }

  ctx.describe('attribute values', () => {
    ctx.it('values round-trip through the store (Date, BigInt, Map, Set, nested objects)', async () => {
      await ctx.withHarness({}, async ({ saved, load, harness }) => {
        const values = richValues();
        const session = await saved(values);
        const found = await load(session.id);
        for (const [name, value] of Object.entries(richValues())) {
          expect(found.get(name)).toEqual(value);
        }
        expect(found.get('date')).toBeInstanceOf(Date);
        expect(typeof found.get('big')).toBe('bigint');
        expect(found.get('map')).toBeInstanceOf(Map);
        expect(found.get('set')).toBeInstanceOf(Set);
        if (harness.raw?.readAttribute) {
          expect(await harness.raw.readAttribute(session.id, 'date')).toEqual(values.date);
          expect(await harness.raw.readAttribute(session.id, 'map')).toEqual(values.map);
          expect(await harness.raw.readAttribute(session.id, 'big')).toBe(values.big);
        }
      });
    });

    ctx.it('values set on a loaded copy round-trip too', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.set('when', new Date(0));
        copy.set('ids', new Set([1n, 2n]));
        await repo.save(copy as unknown as S);
        const found = await load(session.id);
        expect(found.get('when')).toEqual(new Date(0));
        expect(found.get('ids')).toEqual(new Set([1n, 2n]));
      });
    });

    ctx.it('an attribute name with separators and unicode round-trips', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const names = ['a:b:c', 'sessionAttr:x', 'with space', 'ünï©ødé', 'dots.and/slashes'];
        const session = await saved(Object.fromEntries(names.map((n, i) => [n, i])));
        const found = await load(session.id);
        for (const [i, n] of names.entries()) expect(found.get(n)).toBe(i);
      });
    });

    ctx.it(
      'a function value makes save reject with SessionSerializationError and leaves the store unchanged',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
          const session = await saved({ a: 1 });
          const copy = await load(session.id);
          copy.set('a', 2);
          copy.set('callback', () => 'not storable');
          const err = await rejectionOf(() => repo.save(copy as unknown as S), 'save of a function value');
          expect(errorCode(err)).toBe('SESSION_SERIALIZATION');
          expect((err as { attributeName?: unknown }).attributeName).toBe('callback');
          const found = await load(session.id);
          expect(found.get('a')).toBe(1);
          expect(found.get('callback')).toBeUndefined();
          if (harness.raw?.readAttribute) expect(await harness.raw.readAttribute(session.id, 'a')).toBe(1);
        });
      },
    );

    ctx.it('a new session with an unserializable value is not stored at all', async () => {
      await ctx.withHarness({}, async ({ repo, find, harness }) => {
        const session = (await repo.createSession()) as unknown as import('../context.js').AnySession;
        session.set('ok', 1);
        session.set('nested', { deep: { fn: () => 1 } });
        const err = await rejectionOf(
          () => repo.save(session as unknown as S),
          'save of a nested function value',
        );
        expect(errorCode(err)).toBe('SESSION_SERIALIZATION');
        expect(await find(session.id)).toBeNull();
        if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
      });
    });

    ctx.it('a failed save can be retried after fixing the value', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.set('bad', Symbol('nope'));
        await rejectionOf(() => repo.save(copy as unknown as S), 'save of a symbol value');
        copy.set('bad', 'fixed');
        await repo.save(copy as unknown as S);
        expect((await load(session.id)).get('bad')).toBe('fixed');
      });
    });
  });
}
