import { silentLogger } from '@session/core';
import { expressSessionSource, session } from '@session/express/compat';
import { fromExpressSessionStore } from '@session/express-session-bridge';
import { PassportIndexResolver } from '@session/http';
import { RedisIndexedSessionRepository } from '@session/redis';
import { listenOnLoopback, type RunningApp, TestBrowser, useTestCleanup } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import { RedisStore } from 'connect-redis';
import expressSession from 'express-session';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { passportApp } from './support/passport-app.js';

const OLD_SECRET = 'the-secret-express-session-signed-with';
const PREFIX = 'sess:';

const redis = useRedisServer({ beforeAll, afterAll });
const cleanup = useTestCleanup({ afterEach });
/** The app before the switch, stopped by the test before the app after the switch starts. */
let before: RunningApp | undefined;

afterEach(async () => {
  await before?.close();
  before = undefined;
  await redis.client.flushdb();
});

/** The app as it ran before: express-session with connect-redis. */
async function startBefore(): Promise<string> {
  const middleware = expressSession({
    store: new RedisStore({ client: redis.client, prefix: PREFIX }),
    secret: OLD_SECRET,
    resave: false,
    saveUninitialized: false,
  });
  before = await listenOnLoopback(passportApp(middleware));
  return before.url;
}

/** The same app on @session/express/compat, the same Redis, the old secret configured. */
async function startAfter(options: { secret?: string[]; storeTimeoutMs?: number } = {}) {
  const oldStoreReads: string[] = [];
  const oldStore = new RedisStore({ client: redis.client, prefix: PREFIX });
  const get = oldStore.get.bind(oldStore);
  oldStore.get = ((sid: string, callback: (err: unknown, data?: unknown) => void) => {
    oldStoreReads.push(sid);
    return get(sid, callback as never);
  }) as typeof oldStore.get;
  const repository = new RedisIndexedSessionRepository({
    client: redis.client,
    namespace: 'app',
    indexResolver: new PassportIndexResolver(),
    logger: silentLogger,
  });
  const middleware = session({
    repository,
    logger: silentLogger,
    storeTimeoutMs: options.storeTimeoutMs,
    migrateFrom: expressSessionSource({
      repository: fromExpressSessionStore(oldStore, { trustStoreExpiry: true, logger: silentLogger }),
      secret: options.secret ?? ['a-new-secret', OLD_SECRET],
    }),
  });
  cleanup.later(() => repository.close());
  const { url } = await cleanup.serve(passportApp(middleware));
  return { url, repository, oldStoreReads };
}

/** Signs alice in on the express-session app and leaves a note; returns her browser and old session id. */
async function signedInBefore() {
  const url = await startBefore();
  const browser = new TestBrowser();
  const token = JSON.parse((await browser.send(`${url}/csrf`)).body).token;
  const login = await browser.sendJson(
    `${url}/login`,
    { username: 'alice', password: 'demo' },
    {
      headers: { 'x-csrf-token': token },
    },
  );
  expect(login.status).toBe(200);
  const fresh = JSON.parse((await browser.send(`${url}/csrf`)).body).token;
  await browser.sendJson(`${url}/notes`, { note: 'from before' }, { headers: { 'x-csrf-token': fresh } });
  expect(JSON.parse((await browser.send(`${url}/me`)).body)).toMatchObject({ user: 'alice', visits: 1 });
  const raw = decodeURIComponent(browser.cookies.get('connect.sid') ?? '');
  const oldId = raw.slice(2, raw.lastIndexOf('.'));
  expect(await redis.client.exists(`${PREFIX}${oldId}`)).toBe(1);
  await before?.close();
  before = undefined;
  return { browser, oldId };
}

describe('moving an express-session + connect-redis app to @session/express/compat', () => {
  it('a signed-in user stays signed in on the next request, data intact, under a new cookie; the old key is removed', async () => {
    const { browser, oldId } = await signedInBefore();
    const { url, repository } = await startAfter();

    const me = await browser.send(`${url}/me`);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ user: 'alice', visits: 2, notes: ['from before'] });
    // The new cookie came, the old one was expired, the old key is gone from Redis.
    expect(browser.cookies.has('SESSION')).toBe(true);
    expect(browser.cookies.has('connect.sid')).toBe(false);
    expect(me.setCookies.find((c) => c.startsWith('connect.sid='))).toMatch(/Max-Age=0/);
    expect(await redis.client.exists(`${PREFIX}${oldId}`)).toBe(0);

    const newId = Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();
    expect(newId).not.toBe(oldId);
    const moved = await repository.findById(newId);
    expect(moved?.get('passport')).toEqual({ user: 'alice' });
    expect(moved?.get('notes')).toEqual(['from before']);
    // Indexed by Passport's user, so "my sessions" finds it.
    expect([...(await repository.findByPrincipalName('alice')).keys()]).toEqual([newId]);

    // The next requests run on the new session alone.
    expect(JSON.parse((await browser.send(`${url}/me`)).body)).toMatchObject({ user: 'alice', visits: 3 });
    const token = JSON.parse((await browser.send(`${url}/csrf`)).body).token;
    const logout = await browser.sendJson(`${url}/logout`, {}, { headers: { 'x-csrf-token': token } });
    expect(logout.status).toBe(200);
    expect((await browser.send(`${url}/me`)).status).toBe(401);
  });

  it('the old cookie presented again after the move finds nothing: no second copy of the session', async () => {
    const { browser } = await signedInBefore();
    const oldCookie = browser.cookies.get('connect.sid') ?? '';
    const { url } = await startAfter();
    expect((await browser.send(`${url}/me`)).status).toBe(200);
    const replay = new TestBrowser();
    replay.setCookie('connect.sid', oldCookie);
    const res = await replay.send(`${url}/me`);
    expect(res.status).toBe(401);
    expect(res.setCookies.filter((c) => c.startsWith('SESSION='))).toEqual([]);
  });

  it('a cookie signed with a secret that is not configured, or forged, never reaches the old store', async () => {
    const { browser } = await signedInBefore();
    const oldCookie = browser.cookies.get('connect.sid') ?? '';
    const { url, oldStoreReads } = await startAfter({ secret: ['some-other-secret'] });
    expect((await browser.send(`${url}/me`)).status).toBe(401);

    const raw = decodeURIComponent(oldCookie);
    const forged = new TestBrowser();
    forged.setCookie('connect.sid', encodeURIComponent(`${raw.slice(0, raw.lastIndexOf('.'))}.AAAA`));
    expect((await forged.send(`${url}/me`)).status).toBe(401);
    const unsigned = new TestBrowser();
    unsigned.setCookie('connect.sid', raw.slice(2, raw.lastIndexOf('.')));
    expect((await unsigned.send(`${url}/me`)).status).toBe(401);
    expect(oldStoreReads).toEqual([]);
  });

  it('with the old store failing the request answers 503 and keeps the old cookie, so the next visit moves it', async () => {
    const { browser, oldId } = await signedInBefore();
    const { url } = await startAfter({ storeTimeoutMs: 200 });
    const { client } = redis;
    const original = client.get.bind(client);
    client.get = (() =>
      Promise.reject(new Error('connection lost (simulated)'))) as unknown as typeof client.get;
    try {
      const failed = await browser.send(`${url}/me`);
      expect(failed.status).toBe(503);
      expect(failed.setCookies).toEqual([]);
    } finally {
      client.get = original;
    }
    expect(await redis.client.exists(`${PREFIX}${oldId}`)).toBe(1);
    expect(JSON.parse((await browser.send(`${url}/me`)).body)).toMatchObject({ user: 'alice' });
    expect(await redis.client.exists(`${PREFIX}${oldId}`)).toBe(0);
  });
});
