import { type Session, SessionStoreUnavailableError } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { quietLogger, SpyRepository, send } from '@session/testkit/http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';
import { listen } from './support/app.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An app whose store hangs on demand, with a header set before the plugin runs. */
async function hangingApp() {
  const spy = new SpyRepository<Session>(new MemorySessionRepository());
  const seen: unknown[] = [];
  const app = Fastify();
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  await app.register(session, { repository: spy, storeTimeoutMs: 50, logger: quietLogger });
  app.setErrorHandler((error, _request, reply) => {
    seen.push(error);
    reply
      .code((error as { status?: number }).status ?? 500)
      .send({ error: (error as { code?: string }).code });
  });
  closers.push(async () => {
    app.server.closeAllConnections();
    await app.close();
  });
  return { app, spy, seen };
}

describe('fastify error rules', () => {
  it('a failed save reaches the error handler; headers set before the plugin stay, the route’s go', async () => {
    const { app, spy, seen } = await hangingApp();
    app.get('/', async (request, reply) => {
      request.session.set('a', 1);
      reply.header('etag', '"route"');
      return { ok: true };
    });
    const url = await listen(app);
    spy.mode = 'hang';
    const res = await send(`${url}/`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('etag')).toBeNull();
    expect(res.setCookies).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(SessionStoreUnavailableError);
  });

  it('when the route failed too, its own error is answered and the failed save only logged', async () => {
    const { app, spy, seen } = await hangingApp();
    app.get('/', async (request) => {
      request.session.set('a', 1);
      spy.mode = 'hang';
      throw Object.assign(new Error('teapot'), { status: 418, code: 'TEAPOT' });
    });
    const url = await listen(app);
    const res = await send(`${url}/`);
    expect(res.status).toBe(418);
    expect(JSON.parse(res.body)).toEqual({ error: 'TEAPOT' });
    expect(res.setCookies).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('a hijacked reply whose save fails is answered 503 in plain text (nobody else can answer it)', async () => {
    const { app, spy } = await hangingApp();
    app.get('/', (request, reply) => {
      request.session.set('a', 1);
      reply.hijack();
      reply.raw.end('route body');
    });
    const url = await listen(app);
    spy.mode = 'hang';
    const res = await send(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.body).toBe('Service Unavailable');
    expect(res.setCookies).toEqual([]);
  });
});
