import { silentLogger } from '@session/core';
import { PassportIndexResolver } from '@session/http';
import { type KoaSessionStore, koaSessionSource, session } from '@session/koa/compat';
import { RedisIndexedSessionRepository } from '@session/redis';
import { listenOnLoopback, type RunningApp, TestBrowser, useTestCleanup } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import koaSession from 'koa-session';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { koaPassportApp } from './support/koa-passport-app.js';

const KEYS = ['the-key-koa-signed-with'];
const DAY_MS = 86_400_000;

const redis = useRedisServer({ beforeAll, afterAll });
const cleanup = useTestCleanup({ afterEach });
/** The app before the switch, stopped by the test before the app after the switch starts. */
let before: RunningApp | undefined;

afterEach(async () => {
  await before?.close();
  before = undefined;
  await redis.client.flushdb();
});

/** A koa-session external store on Redis, as koa-redis keeps sessions: JSON under a prefixed key. */
const redisStore = (reads: string[] = []) => ({
  async get(key: string) {
    reads.push(key);
    const raw = await redis.client.get(`koa:${key}`);
    return raw === null ? undefined : JSON.parse(raw);
  },
  async set(key: string, value: unknown, maxAge: number) {
    await redis.client.set(`koa:${key}`, JSON.stringify(value), 'PX', maxAge);
  },
  async destroy(key: string) {
    await redis.client.del(`koa:${key}`);
  },
});

async function startBefore(store?: ReturnType<typeof redisStore>): Promise<string> {
  const app = koaPassportApp((app) => {
    app.keys = KEYS;
    return koaSession({ key: 'koa.sess', maxAge: DAY_MS, ...(store === undefined ? {} : { store }) }, app);
  });
  before = await listenOnLoopback(app);
  return before.url;
}

async function startAfter(options: { store?: KoaSessionStore; keys?: string[] } = {}) {
  const repository = new RedisIndexedSessionRepository({
    client: redis.client,
    namespace: 'app',
    indexResolver: new PassportIndexResolver(),
    logger: silentLogger,
  });
  const app = koaPassportApp(() =>
    session({
      repository,
      logger: silentLogger,
      migrateFrom: koaSessionSource({
        keys: options.keys ?? ['a-new-key', ...KEYS],
        store: options.store,
        maxAge: DAY_MS,
      }),
    }),
  );
  cleanup.later(() => repository.close());
  const { url } = await cleanup.serve(app);
  return { url, repository };
}

async function signInBefore(store?: ReturnType<typeof redisStore>) {
  const url = await startBefore(store);
  const browser = new TestBrowser();
  expect((await browser.sendJson(`${url}/login`, { username: 'alice', password: 'demo' })).status).toBe(200);
  await browser.sendJson(`${url}/cart`, { item: 'apple' });
  expect(JSON.parse((await browser.send(`${url}/me`)).body)).toEqual({
    user: 'alice',
    visits: 1,
    cart: ['apple'],
  });
  expect(browser.cookies.has('koa.sess.sig')).toBe(true);
  await before?.close();
  before = undefined;
  return browser;
}

describe('moving a koa-session app (external store) to @session/koa/compat', () => {
  it('a signed-in user stays signed in, data intact, under a new cookie; the old key is removed', async () => {
    const browser = await signInBefore(redisStore());
    const oldKey = browser.cookies.get('koa.sess') ?? '';
    expect(await redis.client.exists(`koa:${oldKey}`)).toBe(1);
    const { url, repository } = await startAfter({ store: redisStore() });

    const me = await browser.send(`${url}/me`);
    expect(JSON.parse(me.body)).toEqual({ user: 'alice', visits: 2, cart: ['apple'] });
    expect(browser.cookies.has('SESSION')).toBe(true);
    expect(browser.cookies.has('koa.sess')).toBe(false);
    expect(browser.cookies.has('koa.sess.sig')).toBe(false);
    expect(await redis.client.exists(`koa:${oldKey}`)).toBe(0);
    const newId = Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();
    expect([...(await repository.findByPrincipalName('alice')).keys()]).toEqual([newId]);
    expect(JSON.parse((await browser.send(`${url}/me`)).body)).toMatchObject({ visits: 3 });
  });

  it('a cookie whose signature does not match the keys never reaches the old store', async () => {
    const browser = await signInBefore(redisStore());
    const reads: string[] = [];
    const { url } = await startAfter({ store: redisStore(reads), keys: ['another-key'] });
    expect((await browser.send(`${url}/me`)).status).toBe(401);
    const forged = new TestBrowser();
    forged.setCookie('koa.sess', browser.cookies.get('koa.sess') ?? '');
    forged.setCookie('koa.sess.sig', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await forged.send(`${url}/me`)).status).toBe(401);
    expect(reads).toEqual([]);
  });
});

describe('moving a koa-session app (cookie-only) to @session/koa/compat', () => {
  it('the data in the signed cookie moves into the new store; the old cookies are expired', async () => {
    const browser = await signInBefore();
    const { url } = await startAfter();
    const me = await browser.send(`${url}/me`);
    expect(JSON.parse(me.body)).toEqual({ user: 'alice', visits: 2, cart: ['apple'] });
    expect(browser.cookies.has('koa.sess')).toBe(false);
    expect(browser.cookies.has('SESSION')).toBe(true);
  });

  it('cookie-only data with a bad signature is not trusted', async () => {
    const browser = await signInBefore();
    const forged = new TestBrowser();
    const data = Buffer.from(
      JSON.stringify({ passport: { user: 'admin' }, _expire: Date.now() + DAY_MS }),
    ).toString('base64');
    forged.setCookie('koa.sess', data);
    forged.setCookie('koa.sess.sig', browser.cookies.get('koa.sess.sig') ?? '');
    const { url } = await startAfter();
    expect((await forged.send(`${url}/me`)).status).toBe(401);
  });
});
