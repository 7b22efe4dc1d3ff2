import type { Session } from '@session/core';
import { type AnySession, roomyIntervalMs, type SuiteContext } from '../context.js';
import { outcomeStatus, sleep, withInterval } from '../util.js';

/** Expired sessions are never returned and never come back. */
export function expiryCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const m = ctx.minIntervalMs;
  const margin = Math.max(200, Math.round(m / 4));
  const roomy = roomyIntervalMs(m);

  ctx.describe('expiry', () => {
    ctx.it(
      'findById never returns an expired session',
      async () => {
        await ctx.withHarness({}, async ({ saved, find }) => {
          const short = await saved({ a: 1 }, withInterval(m));
          const long = await saved({ b: 2 }, withInterval(60 * m));
          await sleep(m + margin);
          expect(await find(short.id)).toBeNull();
          expect((await find(long.id))?.get('b')).toBe(2);
        });
      },
      2 * m,
    );

    ctx.it(
      'a session saved already expired is not returned',
      async () => {
        await ctx.withHarness({}, async ({ repo, find, harness }) => {
          const session = (await repo.createSession()) as unknown as AnySession;
          session.set('a', 1);
          session.maxInactiveIntervalMs = 60_000;
          session.lastAccessedTime = Date.now() - 120_000;
          // Nothing could ever read it: it is not stored, and the outcome says why.
          expect(await repo.save(session as unknown as S)).toEqual({ status: 'expired', id: session.id });
          expect(await find(session.id)).toBeNull();
          if (harness.raw) expect(await harness.raw.exists(session.id)).toBe(false);
        });
      },
      m,
    );

    ctx.it(
      'saving a copy loaded before expiry does not revive the expired session',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load, find, harness }) => {
          // A roomy interval, so the load happens before the due time even on a loaded machine.
          const session = await saved({ a: 1 }, withInterval(roomy));
          const copy = await load(session.id);
          await sleep(roomy + margin);
          copy.set('b', 2);
          // A store may still hold the expired data ("expired") or have dropped it ("deleted").
          expect(['expired', 'deleted']).toContain(outcomeStatus(await repo.save(copy as unknown as S)));
          expect(await find(session.id)).toBeNull();
          // The new id of a changed copy must not appear either.
          copy.changeSessionId();
          expect(['expired', 'deleted']).toContain(outcomeStatus(await repo.save(copy as unknown as S)));
          expect(await find(copy.id)).toBeNull();
          if (harness.raw) expect(await harness.raw.exists(copy.id)).toBe(false);
        });
      },
      2 * roomy,
    );

    ctx.it(
      'deleteById of an expired session is a quiet no-op',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, find }) => {
          const session = await saved({ a: 1 }, withInterval(m));
          await sleep(m + margin);
          await repo.deleteById(session.id);
          expect(await find(session.id)).toBeNull();
        });
      },
      2 * m,
    );
  });
}
