import {
  isIndexedRepository,
  isMapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type Session,
  type SessionRepository,
} from '@session/core';
import type { AnySession, SuiteContext } from '../context.js';
import { errorCode, recordingLogger, unique } from '../util.js';

/** Rejects with the error `call` threw, or fails when it resolved. */
async function failureOf(call: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error(`${what} resolved although the backend cannot be reached`);
}

/**
 * What the rest of the suite takes on trust: the declared capabilities are the repository's own;
 * bad stored data is no session; a backend that is down gives the typed 503 error; the raw reads a
 * harness offers agree with the repository (so checks that use them are visible, not silent).
 */
export function robustnessCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const declared = ctx.options.capabilities;

  ctx.describe('declared capabilities', () => {
    ctx.it("capabilities given to the suite are the repository's own capabilities", async () => {
      await ctx.withHarness({}, async ({ repo }) => {
        const own = repo.capabilities;
        expect(typeof own).toBe('object');
        const mismatches: string[] = [];
        if (own.indexed !== declared.indexed)
          mismatches.push(`indexed: declared ${declared.indexed}, repository ${String(own.indexed)}`);
        if (own.events !== declared.events)
          mismatches.push(`events: declared ${declared.events}, repository ${String(own.events)}`);
        const ownTouch = own.touchesOnRead === true;
        if (ctx.declaredTouchesOnRead !== undefined && ctx.declaredTouchesOnRead !== ownTouch) {
          mismatches.push(`touchesOnRead: declared ${ctx.declaredTouchesOnRead}, repository ${ownTouch}`);
        }
        if (mismatches.length > 0) throw new Error(`capability mismatch: ${mismatches.join('; ')}`);
        // A capability must come with its API.
        if (own.indexed) expect(isIndexedRepository(repo)).toBe(true);
        if (own.events) expect(typeof (repo as { on?: unknown }).on).toBe('function');
      });
    });
  });

  ctx.describe('bad stored data (when the harness has corrupt)', () => {
    ctx.it('a session with an unreadable attribute reads as absent, is logged and removed', async () => {
      const logger = recordingLogger();
      await ctx.withHarness({ logger }, async ({ repo, saved, find, harness }) => {
        const damage = harness.corrupt?.attribute;
        if (damage === undefined) return ctx.notExercised('the harness has no corrupt.attribute');
        const session = await saved({ fine: 1, cart: ['sku-1'] });
        const other = await saved({ fine: 2 });
        await damage.call(harness.corrupt, session.id, 'cart');
        expect(await find(session.id)).toBeNull();
        expect(logger.errors.length + logger.warnings.length).toBeGreaterThan(0);
        // Removed, not only skipped: the next read finds nothing either, and the backend agrees.
        expect(await find(session.id)).toBeNull();
        if (harness.raw && harness.corrupt?.keptOnPurpose === undefined) {
          expect(await harness.raw.exists(session.id)).toBe(false);
        }
        // Nothing else suffered.
        expect((await find(other.id))?.get('fine')).toBe(2);
        const fresh = (await repo.createSession()) as unknown as AnySession;
        fresh.set('a', 1);
        await repo.save(fresh as unknown as S);
        expect((await find(fresh.id))?.get('a')).toBe(1);
      });
    });

    ctx.it('a damaged session record reads as absent, never as an error', async () => {
      await ctx.withHarness({ logger: recordingLogger() }, async ({ saved, find, harness }) => {
        const damage = harness.corrupt?.record;
        if (damage === undefined) return ctx.notExercised('the harness has no corrupt.record');
        const session = await saved({ a: 1 });
        await damage.call(harness.corrupt, session.id);
        expect(await find(session.id)).toBeNull();
        expect(await find(session.id)).toBeNull();
      });
    });

    if (declared.indexed) {
      ctx.it('index lookups skip a session with an unreadable attribute instead of failing', async () => {
        await ctx.withHarness({ logger: recordingLogger() }, async ({ repo, saved, harness }) => {
          const damage = harness.corrupt?.attribute;
          if (damage === undefined) return ctx.notExercised('the harness has no corrupt.attribute');
          if (!isIndexedRepository(repo))
            throw new Error('capabilities.indexed is true but the repository has no index API');
          const ada = unique('ada');
          const good = await saved({ [PRINCIPAL_NAME_INDEX_NAME]: ada, n: 1 });
          const bad = await saved({ [PRINCIPAL_NAME_INDEX_NAME]: ada, cart: ['x'] });
          await damage.call(harness.corrupt, bad.id, 'cart');
          const found = await repo.findByPrincipalName(ada);
          expect([...found.keys()]).toEqual([good.id]);
        });
      });
    }
  });

  ctx.describe('backend down (when the harness has createUnreachable)', () => {
    ctx.it(
      'every operation rejects with SessionStoreUnavailableError and a failed save keeps its changes pending',
      async () => {
        await ctx.withHarness({}, async ({ harness }) => {
          if (harness.createUnreachable === undefined)
            return ctx.notExercised('the harness has no createUnreachable');
          const down: SessionRepository<S> = await harness.createUnreachable();
          try {
            // createSession needs no backend.
            const session = (await down.createSession()) as unknown as AnySession;
            session.set('a', 1);
            const calls: Array<[string, () => Promise<unknown>]> = [
              ['findById', () => down.findById(session.id)],
              ['save', () => down.save(session as unknown as S)],
              ['deleteById', () => down.deleteById(session.id)],
            ];
            if (isIndexedRepository(down)) {
              calls.push(['findByPrincipalName', () => down.findByPrincipalName(unique('ada'))]);
            }
            for (const [name, call] of calls) {
              const err = await failureOf(call, name);
              if (errorCode(err) !== 'SESSION_STORE_UNAVAILABLE') {
                throw new Error(
                  `${name} with the backend down rejected with ${String(err)} (code ${String(errorCode(err))}), expected SessionStoreUnavailableError`,
                );
              }
              expect((err as { status?: unknown }).status).toBe(503);
            }
            // Nothing was marked saved: a retry once the backend is back writes everything.
            if (isMapSession(session)) expect(session.hasChanges()).toBe(true);
          } finally {
            await down.close?.();
          }
        });
      },
    );
  });

  ctx.describe('raw backend reads agree with the repository (when the harness has raw)', () => {
    ctx.it('raw.exists follows save, id change and delete', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const exists = harness.raw?.exists?.bind(harness.raw);
        if (exists === undefined) return ctx.notExercised('the harness has no raw.exists');
        const unsaved = await repo.createSession();
        expect(await exists(unsaved.id)).toBe(false);
        const session = await saved({ a: 1 });
        expect(await exists(session.id)).toBe(true);
        const copy = await load(session.id);
        const newId = copy.changeSessionId();
        await repo.save(copy as unknown as S);
        expect(await exists(session.id)).toBe(false);
        expect(await exists(newId)).toBe(true);
        await repo.deleteById(newId);
        expect(await exists(newId)).toBe(false);
      });
    });

    ctx.it('raw.readAttribute reads the saved values back, and undefined for removed ones', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const read = harness.raw?.readAttribute?.bind(harness.raw);
        if (read === undefined) return ctx.notExercised('the harness has no raw.readAttribute');
        const when = new Date('2024-02-29T12:00:00.000Z');
        const session = await saved({ name: 'ada', when, gone: 1 });
        expect(await read(session.id, 'name')).toBe('ada');
        expect(await read(session.id, 'when')).toEqual(when);
        const copy = await load(session.id);
        copy.delete('gone');
        await repo.save(copy as unknown as S);
        expect(await read(session.id, 'gone')).toBeUndefined();
        expect(await read(session.id, 'never')).toBeUndefined();
      });
    });

    if (declared.indexed) {
      ctx.it('raw.readPrincipalIndex holds exactly the ids of the principal', async () => {
        await ctx.withHarness({}, async ({ repo, saved, harness }) => {
          const read = harness.raw?.readPrincipalIndex?.bind(harness.raw);
          if (read === undefined) return ctx.notExercised('the harness has no raw.readPrincipalIndex');
          const ada = unique('ada');
          const a = await saved({ [PRINCIPAL_NAME_INDEX_NAME]: ada });
          const b = await saved({ [PRINCIPAL_NAME_INDEX_NAME]: ada });
          expect((await read(ada)).sort()).toEqual([a.id, b.id].sort());
          await repo.deleteById(a.id);
          if (isIndexedRepository(repo)) await repo.findByPrincipalName(ada);
          expect(await read(ada)).toEqual([b.id]);
        });
      });
    }
  });
}
