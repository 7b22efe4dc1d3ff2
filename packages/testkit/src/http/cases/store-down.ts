import { findSetCookie, send } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** A store that fails or hangs: 503 (or no session with whenStoreUnavailable: continue), and recovery. */
export function storeDownCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, createSession, read } = ctx;

  describe('a store that is down', () => {
    const timeouts = { storeTimeoutMs: 100 };

    for (const mode of ['reject', 'hang'] as const) {
      it(`answers 503 while the store ${mode === 'reject' ? 'fails' : 'hangs'}, and recovers`, async () => {
        const { url, spy } = await start({ session: timeouts });
        const { cookie } = await createSession(url);
        spy.mode = mode;

        const load = await send(`${url}/read`, { cookie });
        expect(load.status).toBe(503);
        expect(JSON.parse(load.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
        expect(load.setCookies).toEqual([]);

        for (const path of ['/set?name=a&value=1', '/redirect', '/stream', '/raw']) {
          const write = await send(`${url}${path}`, { method: path.startsWith('/set') ? 'POST' : 'GET' });
          expect(write.status, path).toBe(503);
          expect(JSON.parse(write.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
          expect(write.setCookies, path).toEqual([]);
          // What the route had set is dropped with its response.
          expect(write.headers.get('location'), path).toBeNull();
        }

        const logout = await send(`${url}/logout`, { method: 'POST', cookie });
        expect(logout.status).toBe(503);

        // Requests that never touch the store are unaffected.
        const anon = await send(`${url}/anon`);
        expect(anon.status).toBe(200);

        spy.mode = 'ok';
        const back = await read(url, cookie);
        expect(back.body.attributes.seed).toBe('1');
        const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        expect(created.status).toBe(200);
        expect(findSetCookie(created.setCookies)).toBeDefined();
      });
    }

    for (const mode of ['reject', 'hang'] as const) {
      it(`with whenStoreUnavailable: 'continue', requests run without a session while the store ${mode === 'reject' ? 'fails' : 'hangs'}, and nothing is written`, async () => {
        const { url, spy } = await start({ session: { ...timeouts, whenStoreUnavailable: 'continue' } });
        const { cookie } = await createSession(url);
        spy.mode = mode;
        // Loading fails: the request runs without a session.
        const anon = await send(`${url}/anon`, { cookie });
        expect(anon.status).toBe(200);
        expect(anon.body).toBe('anon');
        expect(anon.setCookies).toEqual([]);
        // Saving fails: the response goes out, without an id for a session the store does not have.
        const write = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        expect(write.status).toBe(200);
        expect(write.setCookies).toEqual([]);
        spy.mode = 'ok';
        const back = await read(url, cookie);
        expect(back.body.attributes).toEqual({ seed: '1' });
      });
    }

    it("reaches the framework's default error handling with status 503", async () => {
      const { url, spy } = await start({ session: timeouts, defaultErrorHandler: true });
      const { cookie } = await createSession(url);
      spy.mode = 'hang';
      expect((await send(`${url}/read`, { cookie })).status).toBe(503);
      expect((await send(`${url}/set?name=a&value=1`, { method: 'POST' })).status).toBe(503);
      spy.mode = 'ok';
      expect((await send(`${url}/read`, { cookie })).status).toBe(200);
    });
  });
}
