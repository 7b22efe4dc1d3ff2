import type { Session } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, quietLogger, SpyRepository, send } from '@session/testkit/http';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { honoSession, type SessionEnv } from '../src/hono/index.js';
import type { RequestSession, SessionAttributes } from '../src/index.js';
import { listen } from './support/hono-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(app: Hono) {
  const server = await listen(app);
  cleanups.push(server.close);
  return server.url;
}

function store() {
  const memory = new MemorySessionRepository();
  cleanups.push(() => memory.close());
  return { memory, spy: new SpyRepository<Session>(memory) };
}

describe('the Hono middleware', () => {
  it("types c.get('session') app-wide, and per app with SessionEnv", () => {
    const app = new Hono();
    app.get('/', (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<RequestSession<SessionAttributes>>();
      return c.text('ok');
    });
    const typed = new Hono<SessionEnv<{ cart: string[] }>>();
    typed.get('/', (c) => {
      expectTypeOf(c.get('session').get('cart')).toEqualTypeOf<string[] | undefined>();
      return c.text('ok');
    });
  });

  it('mounted twice (app and sub-app), the first instance owns the request: one lookup, one save', async () => {
    const { spy } = store();
    const options = { repository: spy, logger: quietLogger };
    const app = new Hono();
    app.use(honoSession(options));
    const api = new Hono();
    api.use(honoSession(options));
    api.post('/set', (c) => {
      c.get('session').set('a', 1);
      return c.text('ok');
    });
    app.route('/api', api);
    const url = await serve(app);
    const created = await send(`${url}/api/set`, { method: 'POST' });
    const cookie = `SESSION=${findSetCookie(created.setCookies)?.value}`;
    expect(created.setCookies).toHaveLength(1);
    spy.resetCounts();
    await send(`${url}/api/set`, { method: 'POST', cookie });
    expect(spy.calls).toMatchObject({ findById: 1, save: 1 });
  });

  it('a failed save: headers set before the middleware stay, the route’s (and its cookies) go', async () => {
    const { spy } = store();
    const app = new Hono();
    app.use(async (c, next) => {
      c.header('access-control-allow-origin', '*');
      await next();
    });
    app.use(honoSession({ repository: spy, logger: quietLogger, storeTimeoutMs: 50 }));
    app.post('/login', (c) => {
      c.get('session').setPrincipal('alice');
      setCookie(c, 'theme', 'dark');
      c.header('x-route', 'yes');
      return c.redirect('/home');
    });
    app.onError((error, c) => c.json({ error: (error as { code?: string }).code }, 503));
    const url = await serve(app);
    spy.mode = 'hang';
    const res = await send(`${url}/login`, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-route')).toBeNull();
    expect(res.headers.get('location')).toBeNull();
    expect(res.setCookies).toEqual([]);
  });

  it('when the handler failed too, its error response stands and the failed save is only logged', async () => {
    const { spy } = store();
    const app = new Hono();
    app.use(honoSession({ repository: spy, logger: quietLogger, storeTimeoutMs: 50 }));
    app.get('/', (c) => {
      c.get('session').set('a', 1);
      spy.mode = 'hang';
      throw new Error('boom');
    });
    app.onError((_error, c) => c.text('handler failed', 500));
    const url = await serve(app);
    const res = await send(`${url}/`);
    expect(res.status).toBe(500);
    expect(res.body).toBe('handler failed');
    expect(res.setCookies).toEqual([]);
  });

  it('headers an inner middleware sets on c.res after next() survive when the cookie is added', async () => {
    const { spy } = store();
    const app = new Hono();
    app.use(honoSession({ repository: spy, logger: quietLogger }));
    app.use(async (c, next) => {
      await next();
      c.res.headers.set('x-frame-options', 'DENY');
    });
    app.post('/set', (c) => {
      c.get('session').set('a', 1);
      return c.json({ ok: true });
    });
    const url = await serve(app);
    const res = await send(`${url}/set`, { method: 'POST' });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(findSetCookie(res.setCookies)).toBeDefined();
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it('connectionInfo gives the peer address on runtimes other than @hono/node-server', async () => {
    const { spy } = store();
    const app = new Hono();
    app.use(
      honoSession({
        repository: spy,
        logger: quietLogger,
        trustProxy: 'loopback',
        connectionInfo: () => ({ remoteAddress: '127.0.0.1' }),
      }),
    );
    app.post('/set', (c) => {
      c.get('session').set('a', 1);
      return c.text('ok');
    });
    // app.request runs the app in-process, with no socket at all (as on Bun, Deno or workers).
    const res = await app.request('/set', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    expect(findSetCookie(res.headers.getSetCookie())?.attributes.has('secure')).toBe(true);
  });
});
