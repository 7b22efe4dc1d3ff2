import { silentLogger } from '@session/core';
import { session } from '@session/express/compat';
import { PassportIndexResolver } from '@session/http';
import { RedisIndexedSessionRepository } from '@session/redis';
import { TestBrowser, useTestCleanup } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { passportApp } from './support/passport-app.js';

const redis = useRedisServer({ beforeAll, afterAll });
const cleanup = useTestCleanup({ afterEach });

/**
 * The express-session app of `passportApp`, unchanged, on `@session/express/compat` and a Redis
 * indexed repository that indexes Passport's user; plus the routes that list and revoke a user's
 * sessions ("sign out my other devices").
 */
async function start() {
  const repository = new RedisIndexedSessionRepository({
    client: redis.client,
    namespace: `passport-${Math.random().toString(36).slice(2)}`,
    indexResolver: new PassportIndexResolver(),
    logger: silentLogger,
  });
  cleanup.later(() => repository.close());
  const app = passportApp(session({ repository, logger: silentLogger }), (app) => {
    app.get('/sessions', async (req, res) => {
      const mine = await repository.findByPrincipalName((req.user as { username: string }).username);
      res.json({ current: req.sessionID, ids: [...mine.keys()].sort() });
    });
    app.post('/sessions/:id/revoke', async (req, res) => {
      const mine = await repository.findByPrincipalName((req.user as { username: string }).username);
      if (!mine.has(req.params.id)) {
        res.status(404).json({ error: 'not yours' });
        return;
      }
      await repository.deleteById(req.params.id);
      res.json({ ok: true });
    });
  });
  const { url } = await cleanup.serve(app);
  return { url, repository };
}

const idOf = (browser: TestBrowser) => Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();

async function csrfToken(browser: TestBrowser, url: string): Promise<string> {
  const res = await browser.send(`${url}/csrf`);
  expect(res.status).toBe(200);
  return JSON.parse(res.body).token;
}

async function signIn(browser: TestBrowser, url: string, username: string, password = 'demo') {
  const token = await csrfToken(browser, url);
  return browser.sendJson(`${url}/login`, { username, password }, { headers: { 'x-csrf-token': token } });
}

describe('an express-session app with Passport 0.7, connect-flash and csrf-sync, unchanged, on @session/express/compat and Redis', () => {
  it('signs in with passport-local; req.user is there on the next requests', async () => {
    const { url } = await start();
    const browser = new TestBrowser();
    expect((await browser.send(`${url}/me`)).status).toBe(401);

    const login = await signIn(browser, url, 'alice');
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body)).toEqual({ user: 'alice' });
    for (const visits of [1, 2, 3]) {
      const me = await browser.send(`${url}/me`);
      expect(JSON.parse(me.body)).toEqual({ user: 'alice', visits, notes: [] });
    }
  });

  it('login regenerates the session: the id from before login is deleted and no longer signs anyone in', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await csrfToken(browser, url);
    const before = browser.cookies.get('SESSION');
    const beforeId = idOf(browser);
    expect(await repository.findById(beforeId)).not.toBeNull();

    await signIn(browser, url, 'bob');
    const afterId = idOf(browser);
    expect(afterId).not.toBe(beforeId);
    expect(await repository.findById(beforeId)).toBeNull();
    expect((await repository.findById(afterId))?.get('passport')).toEqual({ user: 'bob' });

    const planted = new TestBrowser();
    planted.setCookie('SESSION', before ?? '');
    expect((await planted.send(`${url}/me`)).status).toBe(401);
  });

  it('a wrong password redirects with a connect-flash message, shown once', async () => {
    const { url } = await start();
    const browser = new TestBrowser();
    const login = await signIn(browser, url, 'alice', 'nope');
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/login');
    expect(JSON.parse((await browser.send(`${url}/login`)).body)).toEqual({ errors: ['Wrong password'] });
    expect(JSON.parse((await browser.send(`${url}/login`)).body)).toEqual({ errors: [] });
  });

  it('connect-flash messages survive the redirect to the next request', async () => {
    const { url } = await start();
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/flash`, { message: 'saved' });
    await browser.sendJson(`${url}/flash`, { message: 'and again' });
    expect(JSON.parse((await browser.send(`${url}/flash`)).body)).toEqual({ info: ['saved', 'and again'] });
    expect(JSON.parse((await browser.send(`${url}/flash`)).body)).toEqual({ info: [] });
  });

  it('csrf-sync keeps its token in the session: a write without it is refused, with it accepted', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await signIn(browser, url, 'carol');
    expect((await browser.sendJson(`${url}/notes`, { note: 'x' })).status).toBe(403);
    expect(
      (await browser.sendJson(`${url}/notes`, { note: 'x' }, { headers: { 'x-csrf-token': 'forged' } }))
        .status,
    ).toBe(403);
    const token = await csrfToken(browser, url);
    const stored = await repository.findById(idOf(browser));
    expect(stored?.get('csrfToken')).toBe(token);

    const ok = await browser.sendJson(
      `${url}/notes`,
      { note: 'first' },
      { headers: { 'x-csrf-token': token } },
    );
    expect(ok.status).toBe(200);
    await browser.sendJson(`${url}/notes`, { note: 'second' }, { headers: { 'x-csrf-token': token } });
    // The array was changed in place; both pushes reached the store.
    expect((await repository.findById(idOf(browser)))?.get('notes')).toEqual(['first', 'second']);
  });

  it('logout ends the login: req.user is gone, the session is regenerated', async () => {
    const { url, repository } = await start();
    const browser = new TestBrowser();
    await signIn(browser, url, 'dave');
    const signedInId = idOf(browser);
    const token = await csrfToken(browser, url);
    const logout = await browser.sendJson(`${url}/logout`, {}, { headers: { 'x-csrf-token': token } });
    expect(logout.status).toBe(200);
    expect(idOf(browser)).not.toBe(signedInId);
    expect(await repository.findById(signedInId)).toBeNull();
    expect((await browser.send(`${url}/me`)).status).toBe(401);
  });

  it("the same app lists the user's sessions and revokes another device's", async () => {
    const { url } = await start();
    const laptop = new TestBrowser();
    const phone = new TestBrowser();
    await signIn(laptop, url, 'erin');
    await signIn(phone, url, 'erin');
    await signIn(new TestBrowser(), url, 'someone-else');

    const listed = JSON.parse((await laptop.send(`${url}/sessions`)).body);
    expect(listed.ids).toEqual([idOf(laptop), idOf(phone)].sort());
    expect(listed.current).toBe(idOf(laptop));

    expect((await laptop.send(`${url}/sessions/${idOf(phone)}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await phone.send(`${url}/me`)).status).toBe(401);
    expect((await laptop.send(`${url}/me`)).status).toBe(200);
    expect(JSON.parse((await laptop.send(`${url}/sessions`)).body).ids).toEqual([idOf(laptop)]);
  });
});
