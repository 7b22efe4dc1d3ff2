import type { Session, SessionSerializer } from '@session/core';
import type { AnySession, SuiteContext } from '../context.js';
import { errorCode, outcomeStatus, rejectionOf } from '../util.js';

/**
 * `save` says what it did: `written`, `unchanged`, or why nothing was written (`deleted`,
 * `expired`, `moved`); an id change leaves a short trail so a racing delete still wins; a
 * serializer that fails gives the same typed error on every store.
 */
export function outcomeCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('save outcomes', () => {
    ctx.it('a save that stored changes reports "written" with the id it stored them under', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.set('a', 2);
        expect(await repo.save(copy as unknown as S)).toEqual({ status: 'written', id: session.id });
        const newId = copy.changeSessionId();
        expect(await repo.save(copy as unknown as S)).toEqual({ status: 'written', id: newId });
      });
    });

    ctx.it('a save with nothing to write reports "unchanged" and sends nothing', async () => {
      await ctx.withHarness({}, async ({ repo, saved, harness }) => {
        const session = await saved({ a: 1 });
        const before = harness.backendOperations ? await harness.backendOperations() : undefined;
        expect(await repo.save(session as unknown as S)).toEqual({ status: 'unchanged', id: session.id });
        if (before !== undefined && harness.backendOperations) {
          expect(await harness.backendOperations()).toBe(before);
        }
      });
    });

    ctx.it('a copy saved after another copy changed the id reports "moved" and writes nothing', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
        const session = await saved({ a: 1 });
        const rotating = await load(session.id);
        const stale = await load(session.id);
        const newId = rotating.changeSessionId();
        expect(outcomeStatus(await repo.save(rotating as unknown as S))).toBe('written');
        stale.set('late', 'lost');
        expect(await repo.save(stale as unknown as S)).toEqual({ status: 'moved', id: session.id });
        expect(await find(session.id)).toBeNull();
        const moved = await load(newId);
        expect(moved.get('a')).toBe(1);
        // The stale copy presented the old id: its change must not reach the moved session.
        expect(moved.get('late')).toBeUndefined();
        if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
      });
    });

    ctx.it('two copies rotating the id at once: one is written, the other reports "moved"', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
        const session = await saved({ a: 1 });
        const first = await load(session.id);
        const second = await load(session.id);
        first.changeSessionId();
        second.changeSessionId();
        const outcomes = await Promise.all([
          repo.save(first as unknown as S),
          repo.save(second as unknown as S),
        ]);
        expect(outcomes.map(outcomeStatus).sort()).toEqual(['moved', 'written']);
        const winner = outcomes[0]?.status === 'written' ? first : second;
        const loser = winner === first ? second : first;
        expect((await load(winner.id)).get('a')).toBe(1);
        expect(await find(loser.id)).toBeNull();
      });
    });

    ctx.it(
      'deleteById of an id that was just changed also deletes the session under its new id',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
          const session = await saved({ a: 1 });
          const copy = await load(session.id);
          const newId = copy.changeSessionId();
          expect(outcomeStatus(await repo.save(copy as unknown as S))).toBe('written');
          // A logout that presented the old id, racing the login that rotated it, still signs out.
          await repo.deleteById(session.id);
          expect(await find(newId)).toBeNull();
          if (harness.raw) expect(await harness.raw.exists(newId)).toBe(false);
        });
      },
    );
  });

  ctx.describe('serializer failures', () => {
    const throwingOn = (kind: 'serialize' | 'deserialize'): SessionSerializer => ({
      serialize(value) {
        if (kind === 'serialize' && value === 'poison') throw new TypeError('serializer exploded');
        return JSON.stringify(value);
      },
      deserialize(text) {
        if (kind === 'deserialize' && text.includes('poison')) throw new TypeError('deserializer exploded');
        return JSON.parse(text);
      },
    });

    ctx.it(
      'a serializer that throws fails the save with SessionSerializationError, never "store unavailable", and writes nothing',
      async () => {
        await ctx.withHarness(
          { serializer: throwingOn('serialize') },
          async ({ repo, saved, load, find }) => {
            const session = await saved({ a: 1 });
            const copy = await load(session.id);
            copy.set('a', 2);
            copy.set('bad', 'poison');
            const err = await rejectionOf(
              () => repo.save(copy as unknown as S),
              'save with a throwing serializer',
            );
            expect(errorCode(err)).toBe('SESSION_SERIALIZATION');
            expect((err as { attributeName?: unknown }).attributeName).toBe('bad');
            const found = await load(session.id);
            expect(found.get('a')).toBe(1);
            expect(found.get('bad')).toBeUndefined();

            const fresh = (await repo.createSession()) as unknown as AnySession;
            fresh.set('bad', 'poison');
            const freshErr = await rejectionOf(
              () => repo.save(fresh as unknown as S),
              'first save with a throwing serializer',
            );
            expect(errorCode(freshErr)).toBe('SESSION_SERIALIZATION');
            expect(await find(fresh.id)).toBeNull();
          },
        );
      },
    );

    ctx.it(
      'a stored value the serializer cannot read makes the session read as absent, not an error',
      async () => {
        await ctx.withHarness({ serializer: throwingOn('deserialize') }, async ({ saved, find }) => {
          const session = await saved({ fine: 1, bad: 'poison' });
          expect(await find(session.id)).toBeNull();
        });
      },
    );
  });
}
