import type { Session } from '@session/core';
import { roomyIntervalMs, type SuiteContext } from '../context.js';
import { sleep, withInterval } from '../util.js';

/** lastAccessedTime and maxInactiveIntervalMs persist and drive expiry. */
export function timeCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const m = ctx.minIntervalMs;
  const margin = Math.max(200, Math.round(m / 4));
  const roomy = roomyIntervalMs(m);

  ctx.describe('lastAccessedTime and maxInactiveInterval', () => {
    ctx.it('maxInactiveIntervalMs set before the first save persists', async () => {
      await ctx.withHarness({}, async ({ saved, load }) => {
        const session = await saved({ a: 1 }, withInterval(45 * 60_000));
        expect((await load(session.id)).maxInactiveIntervalMs).toBe(45 * 60_000);
      });
    });

    ctx.it('maxInactiveIntervalMs changed on a loaded copy persists', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const session = await saved({ a: 1 });
        const copy = await load(session.id);
        copy.maxInactiveIntervalMs = 3 * 3600_000;
        await repo.save(copy as unknown as S);
        const found = await load(session.id);
        expect(found.maxInactiveIntervalMs).toBe(3 * 3600_000);
        expect(found.get('a')).toBe(1);
      });
    });

    ctx.it('findById refreshes lastAccessedTime to the time of the read (touchesOnRead)', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        if (!ctx.touchesOnRead(repo)) {
          return ctx.notExercised('the store leaves the access to the next save (touchesOnRead: false)');
        }
        const session = await saved({ a: 1 }, (s) => {
          s.lastAccessedTime = Date.now() - 120_000;
        });
        const before = Date.now();
        const found = await load(session.id);
        const after = Date.now();
        expect(found.lastAccessedTime).toBeGreaterThanOrEqual(before - 5);
        expect(found.lastAccessedTime).toBeLessThanOrEqual(after + 5);
      });
    });

    ctx.it('lastAccessedTime persists exactly (touchesOnRead: false)', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        if (ctx.touchesOnRead(repo)) {
          return ctx.notExercised('findById records the access itself (touchesOnRead: true)');
        }
        const past = Date.now() - 120_000;
        const session = await saved({ a: 1 }, (s) => {
          s.lastAccessedTime = past;
        });
        expect((await load(session.id)).lastAccessedTime).toBe(past);
        const copy = await load(session.id);
        copy.lastAccessedTime = past + 60_000;
        await repo.save(copy as unknown as S);
        expect((await load(session.id)).lastAccessedTime).toBe(past + 60_000);
      });
    });

    ctx.it(
      'a lastAccessedTime in the past shortens the remaining life accordingly',
      async () => {
        await ctx.withHarness({}, async ({ saved, find, harness }) => {
          const interval = 60 * m;
          // Due one minimum interval from now, not after the full interval.
          const due = Date.now() + m;
          const session = await saved({ a: 1 }, (s) => {
            s.maxInactiveIntervalMs = interval;
            s.lastAccessedTime = due - interval;
          });
          // Only while clearly before the due time: a save slowed down by a loaded machine may
          // legitimately end after it.
          if (harness.raw && Date.now() < due - m / 2)
            expect(await harness.raw.exists(session.id)).toBe(true);
          await sleep(m + margin);
          expect(await find(session.id)).toBeNull();
        });
      },
      3 * m,
    );

    ctx.it(
      'saving a session with a fresh lastAccessedTime extends the life',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, find }) => {
          const session = await saved({ a: 1 }, withInterval(2 * roomy));
          await sleep(Math.round(1.2 * roomy));
          // The saved object itself, not a loaded copy: a store's touch on read would extend the
          // life too, and the test would pass without the save doing anything.
          session.lastAccessedTime = Date.now();
          await repo.save(session as unknown as S);
          await sleep(Math.round(1.2 * roomy));
          // 2.4 `roomy` after creation, 1.2 after the save: alive only if the save extended it.
          expect((await find(session.id))?.get('a')).toBe(1);
        });
      },
      3 * roomy,
    );

    ctx.it(
      'a longer interval saved on a loaded copy extends the life',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load, find }) => {
          // A roomy interval, so a slow save and load still happen before the first due time.
          const session = await saved({ a: 1 }, withInterval(roomy));
          const copy = await load(session.id);
          copy.maxInactiveIntervalMs = 60 * m;
          await repo.save(copy as unknown as S);
          await sleep(roomy + margin);
          expect((await find(session.id))?.maxInactiveIntervalMs).toBe(60 * m);
        });
      },
      2 * roomy,
    );

    ctx.it(
      'a negative interval never expires',
      async () => {
        await ctx.withHarness({}, async ({ saved, load, harness }) => {
          const session = await saved({ a: 1 }, (s) => {
            s.maxInactiveIntervalMs = -1;
            s.lastAccessedTime = Date.now() - 365 * 24 * 3600_000;
          });
          await sleep(m + margin);
          if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(true);
          const found = await load(session.id);
          expect(found.maxInactiveIntervalMs).toBeLessThan(0);
          expect(found.isExpired()).toBe(false);
          expect(found.get('a')).toBe(1);
        });
      },
      2 * m,
    );

    ctx.it(
      'changing a loaded session to a negative interval removes its expiry',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load }) => {
          const session = await saved({ a: 1 }, withInterval(roomy));
          const copy = await load(session.id);
          copy.maxInactiveIntervalMs = -1;
          await repo.save(copy as unknown as S);
          await sleep(roomy + margin);
          expect((await load(session.id)).maxInactiveIntervalMs).toBeLessThan(0);
        });
      },
      2 * roomy,
    );

    ctx.it('a negative default interval applies to new sessions', async () => {
      await ctx.withHarness({ defaultMaxInactiveIntervalMs: -1 }, async ({ repo, load }) => {
        const session = await repo.createSession();
        expect(session.maxInactiveIntervalMs).toBeLessThan(0);
        await repo.save(session);
        expect((await load(session.id)).maxInactiveIntervalMs).toBeLessThan(0);
      });
    });
  });
}
