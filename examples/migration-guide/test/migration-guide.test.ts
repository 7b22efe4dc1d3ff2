import { TestBrowser } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guideBlock, runExample } from './support/guide.js';

const redis = useRedisServer({ beforeAll, afterAll });

afterEach(async () => {
  await redis.client.flushdb();
});

const json = (res: { body: string }) => JSON.parse(res.body);

describe('docs/migration.md, run as written', () => {
  it('Express: a user signed in on express-session + connect-redis stays signed in after the switch; the old key is removed', async () => {
    const env = { REDIS_URL: redis.server.url, SESSION_SECRET: 'guide-secret' };
    const before = await runExample(
      guideBlock('Express: express-session + connect-redis + Passport', 'Before'),
      env,
    );
    const browser = new TestBrowser();
    const login = await browser.sendJson(`${before.url}/login`, { username: 'alice', password: 'demo' });
    expect(json(login)).toEqual({ user: 'alice' });
    expect(json(await browser.send(`${before.url}/me`))).toEqual({ user: 'alice', views: 1 });
    const raw = decodeURIComponent(browser.cookies.get('connect.sid') ?? '');
    const oldKey = `sess:${raw.slice(2, raw.lastIndexOf('.'))}`;
    expect(await redis.client.exists(oldKey)).toBe(1);
    before.stop();

    const after = await runExample(
      guideBlock('Express: express-session + connect-redis + Passport', 'After'),
      env,
    );
    const me = await browser.send(`${after.url}/me`);
    expect(json(me)).toEqual({ user: 'alice', views: 2 });
    expect(browser.cookies.has('SESSION')).toBe(true);
    expect(browser.cookies.has('connect.sid')).toBe(false);
    expect(await redis.client.exists(oldKey)).toBe(0);
    expect(json(await browser.send(`${after.url}/me`))).toEqual({ user: 'alice', views: 3 });
  });

  it('Koa: a koa-session session in an external store moves over; the old key is removed', async () => {
    const env = { REDIS_URL: redis.server.url, KOA_KEY: 'guide-key' };
    const before = await runExample(guideBlock('Koa: koa-session with an external store', 'Before'), env);
    const browser = new TestBrowser();
    expect(json(await browser.send(`${before.url}/login`))).toEqual({ user: 'alice', views: 1 });
    const oldKey = `koa:${browser.cookies.get('koa.sess')}`;
    expect(await redis.client.exists(oldKey)).toBe(1);
    before.stop();

    const after = await runExample(guideBlock('Koa: koa-session with an external store', 'After'), env);
    expect(json(await browser.send(`${after.url}/`))).toEqual({ user: 'alice', views: 2 });
    expect(browser.cookies.has('SESSION')).toBe(true);
    expect(browser.cookies.has('koa.sess')).toBe(false);
    expect(await redis.client.exists(oldKey)).toBe(0);
  });
});
