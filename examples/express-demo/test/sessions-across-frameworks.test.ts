import { randomBytes } from 'node:crypto';
import { type Session, type SessionRepository, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository } from '@session/redis';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHonoApi, listenHonoApi } from '../src/hono-api.js';
import { apiLogin, CookieClient, startDemo } from './support/demo.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The Express demo and the Hono API, each on its own repository object (possibly the same one). */
async function both(expressRepository: SessionRepository<Session>, honoRepository = expressRepository) {
  const { base: express } = await startDemo({ repository: expressRepository });
  const hono = await listenHonoApi(
    createHonoApi({ repository: honoRepository, logger: silentLogger }),
    0,
    '127.0.0.1',
  );
  closers.push(hono.close);
  return { express, hono: hono.url };
}

const get = async (base: string, path: string, token?: string) => {
  const res = await fetch(`${base}${path}`, {
    headers: token === undefined ? {} : { 'X-Auth-Token': token },
  });
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
};

/** What both frameworks must agree on, whatever the repository. */
async function sharedSessionChecks(express: string, hono: string) {
  // Created by Express, used by Hono.
  const fromExpress = await apiLogin(express, 'alice');
  expect(await get(hono, '/api/me', fromExpress)).toMatchObject({
    status: 200,
    body: { user: 'alice', sessions: 1, servedBy: 'hono' },
  });

  // Created by Hono, used by Express; both sessions of alice are listed on either side.
  const fromHono = await apiLogin(hono, 'alice');
  expect(await get(express, '/api/me', fromHono)).toMatchObject({
    status: 200,
    body: { user: 'alice', sessions: 2, servedBy: 'express' },
  });
  const listed = (await get(express, '/api/sessions', fromHono)).body as Array<{
    via: string;
    current: boolean;
  }>;
  expect(listed.map((s) => s.current).sort()).toEqual([false, true]);

  // A browser signed in through Express's form; its cookie works on the Hono API too.
  const browser = new CookieClient(express);
  await browser.signIn('bob');
  const viaCookie = await fetch(`${hono}/api/me`, { headers: { cookie: browser.cookieHeader ?? '' } });
  expect(viaCookie.status).toBe(200);
  expect(await viaCookie.json()).toMatchObject({ user: 'bob', servedBy: 'hono' });

  // Logging out on Hono ends the session for Express.
  const logout = await fetch(`${hono}/api/logout`, {
    method: 'POST',
    headers: { 'X-Auth-Token': fromExpress },
  });
  expect(logout.status).toBe(204);
  expect((await get(express, '/api/me', fromExpress)).status).toBe(401);
  expect((await get(express, '/api/me', fromHono)).status).toBe(200);
}

describe('one session, two frameworks: the Express demo and its REST API on Hono', () => {
  it('share sessions created by either on one in-memory repository', async () => {
    const repository = new MemorySessionRepository();
    closers.push(() => repository.close());
    const { express, hono } = await both(repository);
    await sharedSessionChecks(express, hono);
  });

  describe('on a real redis-server', () => {
    let redis: RedisTestServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('share sessions created by either, each through its own client of one Redis repository', async () => {
      const namespace = `demo-${randomBytes(4).toString('hex')}`;
      const repositories = [0, 1].map(() => {
        const client = new Redis(redis.url);
        const repository = new RedisIndexedSessionRepository({ client, namespace, logger: silentLogger });
        closers.push(async () => {
          await repository.close();
          client.disconnect();
        });
        return repository;
      });
      const { express, hono } = await both(repositories[0] as SessionRepository<Session>, repositories[1]);
      await sharedSessionChecks(express, hono);
    });
  });
});
