import { send } from '../client.js';
import { quietLogger } from '../helpers.js';
import { SpyRepository } from '../spy-repository.js';
import type { AdapterSuiteContext } from '../suite-context.js';
import type { StoreUnderTest } from '../types.js';
import { loginRaceCases } from './login-races.js';

/** Cases that need a real store: lost updates, races with a rotating login, round trips and a backend outage. */
export function perStoreCases(ctx: AdapterSuiteContext, store: StoreUnderTest): void {
  const { describe, it, expect, afterAll, harness, running, createSession, read } = ctx;

  describe(`with the ${store.name} store`, () => {
    const contexts: Array<{ close(): Promise<void> }> = [];
    afterAll(async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    });

    it('keeps all 50 attributes set by 50 concurrent requests on one session (no lost update)', async () => {
      const context = await store.create();
      contexts.push(context);
      const app = await harness.start({
        session: { repository: context.repository, logger: quietLogger },
      });
      running.push(app);
      const { cookie, id } = await createSession(app.url);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          send(`${app.url}/set?name=k${i}&value=${i}`, { method: 'POST', cookie }),
        ),
      );
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.setCookies).toEqual([]);
      }
      const { body } = await read(app.url, cookie);
      expect(body.id).toBe(id);
      for (let i = 0; i < 50; i++) expect(body.attributes[`k${i}`]).toBe(String(i));
      expect(body.attributes.seed).toBe('1');
    });

    loginRaceCases(ctx, store, contexts);

    it('a read-only request costs one lookup and no save; a changing one exactly one save', async () => {
      const context = await store.create();
      contexts.push(context);
      const spy = new SpyRepository(context.repository);
      const app = await harness.start({ session: { repository: spy, logger: quietLogger } });
      running.push(app);
      const { cookie } = await createSession(app.url);
      spy.resetCounts();
      await read(app.url, cookie);
      expect(spy.calls).toMatchObject({ findById: 1, save: 0 });
      spy.resetCounts();
      await send(`${app.url}/set?name=a&value=1`, { method: 'POST', cookie });
      expect(spy.calls).toMatchObject({ findById: 1, save: 1 });
    });

    if (store.canStop) {
      it('answers 503 within the store timeout while the backend is stopped, and recovers', async () => {
        const context = await store.create();
        contexts.push(context);
        const { outage } = context;
        if (outage === undefined) throw new Error(`${store.name} has no outage switch`);
        const app = await harness.start({
          session: { repository: context.repository, logger: quietLogger, storeTimeoutMs: 300 },
        });
        running.push(app);
        const { cookie } = await createSession(app.url);
        await outage.begin();
        try {
          const load = await send(`${app.url}/read`, { cookie });
          expect(load.status).toBe(503);
          const write = await send(`${app.url}/set?name=a&value=1`, { method: 'POST' });
          expect(write.status).toBe(503);
          expect(write.setCookies).toEqual([]);
          expect((await send(`${app.url}/anon`)).status).toBe(200);
        } finally {
          await outage.end();
        }
        const back = await read(app.url, cookie);
        expect(back.body.attributes.seed).toBe('1');
        expect((await send(`${app.url}/set?name=b&value=2`, { method: 'POST', cookie })).status).toBe(200);

        // Gone for good: still a quick 503, never a hang or a crash.
        await outage.kill();
        expect((await send(`${app.url}/read`, { cookie })).status).toBe(503);
        expect((await send(`${app.url}/set?name=a&value=1`, { method: 'POST' })).status).toBe(503);
        expect((await send(`${app.url}/anon`)).status).toBe(200);
      });
    }
  });
}
