import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSessionIdBase64, HttpSessionManager, holdResponseUntilCommitted } from '@session/http';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { RedisStore } from 'connect-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromExpressSessionStore } from '../src/index.js';
import { rawGet, rawSet } from './support/store-helpers.js';

// The bridge behind @session/http, the layer @session/express is a thin adapter over.
let redis: RedisTestServer;
let client: Redis;
let store: RedisStore;
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
  store = new RedisStore({ client, prefix: 'bridge-http:' });
  const manager = new HttpSessionManager({
    repository: fromExpressSessionStore(store, { defaultMaxInactiveIntervalMs: 10 * 60_000 }),
  });
  server = http.createServer(async (req, res) => {
    let controller: Awaited<ReturnType<typeof manager.open>>;
    try {
      controller = await manager.open({ request: req, response: res });
    } catch (err) {
      res.statusCode = (err as { status?: number }).status ?? 500;
      res.end();
      return;
    }
    holdResponseUntilCommitted(res, controller);
    res.once('finish', () => void controller.commitAfterResponse());
    const session = controller.session;
    if (req.url === '/visit') session.set('visits', ((session.get('visits') as number) ?? 0) + 1);
    res.end(JSON.stringify({ visits: session.get('visits') ?? null, user: session.get('user') ?? null }));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await client?.quit();
  await redis?.stop();
});

async function get(path: string, cookie?: string): Promise<{ body: unknown; setCookie: string | null }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: cookie ? { cookie } : {} });
  return { body: await res.json(), setCookie: res.headers.get('set-cookie') };
}

function sessionIdOf(setCookie: string): string {
  const value = setCookie.split(';')[0]?.split('=')[1] ?? '';
  return Buffer.from(value, 'base64').toString();
}

describe('fromExpressSessionStore behind @session/http', () => {
  it('stores, finds and updates sessions across requests; every access is saved', async () => {
    const first = await get('/visit');
    expect(first.body).toEqual({ visits: 1, user: null });
    expect(first.setCookie).toMatch(/^SESSION=/);
    const cookie = (first.setCookie ?? '').split(';')[0] ?? '';
    const id = sessionIdOf(first.setCookie ?? '');
    const afterFirst = await rawGet(store, id);
    expect(afterFirst?.visits).toBe(1);

    const second = await get('/visit', cookie);
    expect(second.body).toEqual({ visits: 2, user: null });
    expect(second.setCookie).toBeNull(); // same id, nothing to send

    // A read-only request still refreshes the stored last access (the HTTP layer sets it, the bridge saves it).
    const beforeRead = Date.now();
    expect((await get('/read', cookie)).body).toEqual({ visits: 2, user: null });
    const stored = await rawGet(store, id);
    const meta = stored?.__session as { lastAccessedTime: number };
    expect(meta.lastAccessedTime).toBeGreaterThanOrEqual(beforeRead);
    expect(stored?.cookie?.expires).toBe(new Date(meta.lastAccessedTime + 10 * 60_000).toISOString());
  });

  it('a session an express-session app stored is served once the request carries its id', async () => {
    const id = 'Zm9yZWlnbi1zZXNzaW9uLWlkLTAwMDAwMDAx';
    await rawSet(store, id, {
      cookie: {
        originalMaxAge: 60_000,
        expires: new Date(Date.now() + 60_000).toISOString(),
        path: '/',
        httpOnly: true,
      },
      user: 'ada',
    });
    const res = await get('/visit', `SESSION=${encodeSessionIdBase64(id)}`);
    expect(res.body).toEqual({ visits: 1, user: 'ada' });
    const stored = await rawGet(store, id);
    expect(stored?.user).toBe('ada');
    expect(stored?.visits).toBe(1);
  });

  it('an unknown id gets a new session instead', async () => {
    const res = await get(
      '/visit',
      `SESSION=${encodeSessionIdBase64('bm90LXN0b3JlZC1hbnl3aGVyZS0wMDAwMDAwMQ')}`,
    );
    expect(res.body).toEqual({ visits: 1, user: null });
    expect(res.setCookie).toMatch(/^SESSION=/);
  });
});
