import {
  AttributeIndexResolver,
  DelegatingIndexResolver,
  type FindByIndexNameSessionRepository,
  isIndexedRepository,
  PRINCIPAL_NAME_INDEX_NAME,
  PrincipalNameIndexResolver,
  type Session,
  type SessionRepository,
} from '@session/core';
import { roomyIntervalMs, type SuiteContext } from '../context.js';
import { sleep, unique, withInterval } from '../util.js';

function indexed<S extends Session>(repo: SessionRepository<S>): FindByIndexNameSessionRepository<S> {
  if (!isIndexedRepository(repo)) {
    throw new Error('capabilities.indexed is true but the repository has no findByIndexNameAndIndexValue');
  }
  return repo;
}

function sortedIds(map: Map<string, unknown>): string[] {
  return [...map.keys()].sort();
}

/** Principal and custom indexes, kept in step with saves, deletes and expiry. */
export function indexCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const m = ctx.minIntervalMs;
  const margin = Math.max(200, Math.round(m / 4));
  const roomy = roomyIntervalMs(m);
  const P = PRINCIPAL_NAME_INDEX_NAME;

  ctx.describe('indexes', () => {
    ctx.it(
      'findByPrincipalName returns exactly the sessions of that principal, with attributes',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const ada = unique('ada');
          const bob = unique('bob');
          const a1 = await saved({ [P]: ada, n: 1 });
          const a2 = await saved({ [P]: ada, n: 2 });
          const b1 = await saved({ [P]: bob, n: 3 });
          await saved({ n: 4 });
          const found = await indexed(repo).findByPrincipalName(ada);
          expect(sortedIds(found)).toEqual([a1.id, a2.id].sort());
          expect((found.get(a1.id) as unknown as { get(n: string): unknown }).get('n')).toBe(1);
          expect(found.get(a2.id)?.id).toBe(a2.id);
          expect(sortedIds(await indexed(repo).findByPrincipalName(bob))).toEqual([b1.id]);
          expect((await indexed(repo).findByPrincipalName(unique('nobody'))).size).toBe(0);
        });
      },
    );

    ctx.it(
      'findByIndexNameAndIndexValue with the principal index name matches findByPrincipalName',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, harness }) => {
          const ada = unique('ada');
          const a1 = await saved({ [P]: ada });
          const found = await indexed(repo).findByIndexNameAndIndexValue(P, ada);
          expect(sortedIds(found)).toEqual([a1.id]);
          if (harness.raw?.readPrincipalIndex)
            expect(await harness.raw.readPrincipalIndex(ada)).toEqual([a1.id]);
        });
      },
    );

    ctx.it('a custom index from indexResolver is found with findByIndexNameAndIndexValue', async () => {
      const indexResolver = new DelegatingIndexResolver<S>(
        new PrincipalNameIndexResolver<S>(),
        new AttributeIndexResolver<S>('tenant', 'tenantIndex'),
      );
      await ctx.withHarness({ indexResolver }, async ({ repo, saved, load }) => {
        const acme = unique('acme');
        const t1 = await saved({ tenant: acme });
        const t2 = await saved({ tenant: acme, [P]: unique('user') });
        await saved({ tenant: unique('other') });
        const found = await indexed(repo).findByIndexNameAndIndexValue('tenantIndex', acme);
        expect(sortedIds(found)).toEqual([t1.id, t2.id].sort());
        // The index follows a change of the attribute.
        const copy = await load(t1.id);
        copy.set('tenant', unique('moved'));
        await repo.save(copy as unknown as S);
        expect(sortedIds(await indexed(repo).findByIndexNameAndIndexValue('tenantIndex', acme))).toEqual([
          t2.id,
        ]);
        // The attribute name itself is not an index name.
        expect((await indexed(repo).findByIndexNameAndIndexValue('tenant', acme)).size).toBe(0);
      });
    });

    ctx.it('the index follows a principal change and removal', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const ada = unique('ada');
        const bob = unique('bob');
        const session = await saved({ [P]: ada });
        const copy = await load(session.id);
        copy.set(P, bob);
        await repo.save(copy as unknown as S);
        expect((await indexed(repo).findByPrincipalName(ada)).size).toBe(0);
        expect(sortedIds(await indexed(repo).findByPrincipalName(bob))).toEqual([session.id]);
        if (harness.raw?.readPrincipalIndex) expect(await harness.raw.readPrincipalIndex(ada)).toEqual([]);
        const again = await load(session.id);
        again.delete(P);
        await repo.save(again as unknown as S);
        expect((await indexed(repo).findByPrincipalName(bob)).size).toBe(0);
        if (harness.raw?.readPrincipalIndex) expect(await harness.raw.readPrincipalIndex(bob)).toEqual([]);
        // The session itself is still there.
        expect((await load(session.id)).get(P)).toBeUndefined();
      });
    });

    ctx.it("a stale copy's save keeps the index entry another copy created", async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const ada = unique('ada');
        const session = await saved({ n: 0 });
        const stale = await load(session.id);
        const login = await load(session.id);
        login.set(P, ada);
        await repo.save(login as unknown as S);
        // `stale` never saw the principal; saving its own change must not drop the index entry.
        stale.set('n', 1);
        await repo.save(stale as unknown as S);
        expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([session.id]);
        expect((await load(session.id)).get(P)).toBe(ada);
      });
    });

    ctx.it('a principal set on a loaded session is indexed', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const ada = unique('ada');
        const session = await saved({ cart: [] });
        const copy = await load(session.id);
        copy.set(P, ada);
        await repo.save(copy as unknown as S);
        expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([session.id]);
      });
    });

    ctx.it('deleted sessions leave the index', async () => {
      await ctx.withHarness({}, async ({ repo, saved, harness }) => {
        const ada = unique('ada');
        const keep = await saved({ [P]: ada });
        const gone = await saved({ [P]: ada });
        await repo.deleteById(gone.id);
        expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([keep.id]);
        if (harness.raw?.readPrincipalIndex)
          expect(await harness.raw.readPrincipalIndex(ada)).toEqual([keep.id]);
      });
    });

    ctx.it('changeSessionId moves the index entry to the new id', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load, harness }) => {
        const ada = unique('ada');
        const session = await saved({ [P]: ada });
        const copy = await load(session.id);
        const newId = copy.changeSessionId();
        await repo.save(copy as unknown as S);
        expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([newId]);
        if (harness.raw?.readPrincipalIndex)
          expect(await harness.raw.readPrincipalIndex(ada)).toEqual([newId]);
      });
    });

    ctx.it(
      'expired sessions are never returned by index lookups',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const ada = unique('ada');
          // A roomy interval: the first lookup must run before the due time even on a loaded machine.
          const short = await saved({ [P]: ada }, withInterval(roomy));
          const long = await saved({ [P]: ada }, withInterval(60 * m));
          expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([short.id, long.id].sort());
          await sleep(roomy + margin);
          expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([long.id]);
          expect(sortedIds(await indexed(repo).findByIndexNameAndIndexValue(P, ada))).toEqual([long.id]);
        });
      },
      2 * roomy,
    );

    ctx.it('sessions returned by an index lookup can be changed and saved', async () => {
      await ctx.withHarness({}, async ({ repo, saved, load }) => {
        const ada = unique('ada');
        const session = await saved({ [P]: ada, n: 1 });
        const found = (await indexed(repo).findByPrincipalName(ada)).get(session.id) as unknown as {
          set(n: string, v: unknown): void;
        };
        found.set('n', 2);
        await repo.save(found as unknown as S);
        expect((await load(session.id)).get('n')).toBe(2);
      });
    });

    ctx.it('"log out other devices": deleting every session of a principal but one', async () => {
      await ctx.withHarness({}, async ({ repo, saved, find }) => {
        const ada = unique('ada');
        const current = await saved({ [P]: ada });
        const others = await Promise.all([saved({ [P]: ada }), saved({ [P]: ada }), saved({ [P]: ada })]);
        for (const id of (await indexed(repo).findByPrincipalName(ada)).keys()) {
          if (id !== current.id) await repo.deleteById(id);
        }
        expect(sortedIds(await indexed(repo).findByPrincipalName(ada))).toEqual([current.id]);
        for (const other of others) expect(await find(other.id)).toBeNull();
      });
    });
  });
}
