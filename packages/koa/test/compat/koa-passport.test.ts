import { silentLogger } from '@session/core';
import { PassportIndexResolver } from '@session/http';
import { session } from '@session/koa/compat';
import { RedisIndexedSessionRepository } from '@session/redis';
import { TestBrowser, useTestCleanup } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { koaPassportApp } from './support/koa-passport-app.js';

const redis = useRedisServer({ beforeAll, afterAll });
const cleanup = useTestCleanup({ afterEach });

const user = (ctx: { state: { user?: unknown } }) => (ctx.state.user as { username: string }).username;

/** The koa-session app, unchanged, on @session/koa/compat and a Redis indexed repository; plus "my sessions". */
async function start() {
  const repository = new RedisIndexedSessionRepository({
    client: redis.client,
    namespace: `koa-passport-${Math.random().toString(36).slice(2)}`,
    indexResolver: new PassportIndexResolver(),
    logger: silentLogger,
  });
  cleanup.later(() => repository.close());
  const app = koaPassportApp(() => session({ repository, logger: silentLogger }), {
    'GET /sessions': async (ctx) => {
      ctx.body = { ids: [...(await repository.findByPrincipalName(user(ctx))).keys()].sort() };
    },
    'POST /sessions/:id/revoke': async (ctx) => {
      const id = ctx.path.split('/')[2] ?? '';
      if (!(await repository.findByPrincipalName(user(ctx))).has(id)) {
        ctx.status = 404;
        return;
      }
      await repository.deleteById(id);
      ctx.body = { ok: true };
    },
  });
  const { url } = await cleanup.serve(app);
  return { url, repository };
}

const idOf = (browser: TestBrowser) => Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();
const signIn = (browser: TestBrowser, url: string, username: string, password = 'demo') =>
  browser.sendJson(`${url}/login`, { username, password });

describe('a koa-session app with koa-passport, unchanged, on @session/koa/compat and Redis', () => {
  it('signs in; ctx.state.user is there on the next requests', async () => {
    const { url } = await start();
    const browser = new TestBrowser();
    expect((await browser.send(`${url}/me`)).status).toBe(401);
    const login = await signIn(browser, url, 'alice');
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body)).toEqual({ user: 'alice' });
    for (const visits of [1, 2]) {
      expect(JSON.parse((await browser.send(`${url}/me`)).body)).toEqual({ user: 'alice', visits, cart: [] });
    }
  });

  it('a wrong password is refused and stores nothing', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    expect((await signIn(browser, url, 'alice', 'nope')).status).toBe(401);
    expect(browser.cookies.size).toBe(0);
    expect((await repository.findByPrincipalName('alice')).size).toBe(0);
  });

  it('login regenerates the session: the id from before login is deleted', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await browser.send(`${url}/visit`, { method: 'POST' });
    const before = idOf(browser);
    expect((await repository.findById(before))?.get('visited')).toBe(true);
    await signIn(browser, url, 'bob');
    const after = idOf(browser);
    expect(after).not.toBe(before);
    expect(await repository.findById(before)).toBeNull();
    expect((await repository.findById(after))?.get('passport')).toEqual({ user: 'bob' });
  });

  it('objects changed in place are saved', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await signIn(browser, url, 'carol');
    await browser.sendJson(`${url}/cart`, { item: 'apple' });
    await browser.sendJson(`${url}/cart`, { item: 'pear' });
    expect((await repository.findById(idOf(browser)))?.get('cart')).toEqual(['apple', 'pear']);
  });

  it('logout ends the login and regenerates the session', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await signIn(browser, url, 'dave');
    const signedIn = idOf(browser);
    expect((await browser.send(`${url}/logout`, { method: 'POST' })).status).toBe(200);
    expect(await repository.findById(signedIn)).toBeNull();
    expect((await browser.send(`${url}/me`)).status).toBe(401);
  });

  it("the same app lists the user's sessions and revokes another device's", async () => {
    const { url } = await start();
    const laptop = new TestBrowser();
    const phone = new TestBrowser();
    await signIn(laptop, url, 'erin');
    await signIn(phone, url, 'erin');
    expect(JSON.parse((await laptop.send(`${url}/sessions`)).body).ids).toEqual(
      [idOf(laptop), idOf(phone)].sort(),
    );
    expect((await laptop.send(`${url}/sessions/${idOf(phone)}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await phone.send(`${url}/me`)).status).toBe(401);
    expect((await laptop.send(`${url}/me`)).status).toBe(200);
  });
});
