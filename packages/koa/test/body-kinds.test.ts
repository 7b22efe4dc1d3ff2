import { Readable } from 'node:stream';
import { type Session, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, SpyRepository, send, useTestCleanup } from '@session/testkit/http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const cleanup = useTestCleanup({ afterEach });

describe.each([
  ['koa 2', Koa2],
  ['koa 3', Koa],
] as const)('%s: every kind of body carries the session cookie', (_name, KoaApp) => {
  async function start() {
    const repository = new MemorySessionRepository();
    cleanup.later(() => repository.close());
    const spy = new SpyRepository<Session>(repository);
    const app = new KoaApp();
    app.silent = true;
    app.use(session({ repository: spy, logger: silentLogger }));
    app.use(async (ctx) => {
      const via = ctx.path.slice(1);
      if (via === 'read') {
        ctx.body = { via: ctx.session.get('via') ?? null };
        return;
      }
      ctx.session.set('via', via);
      if (via === 'buffer') ctx.body = Buffer.from('buf');
      else if (via === 'stream') ctx.body = Readable.from(['a', 'b']);
      else if (via === 'null') ctx.body = null;
      else if (via === 'raw') {
        ctx.respond = false;
        ctx.res.writeHead(201, { 'Set-Cookie': 'raw=1' });
        setTimeout(() => ctx.res.end('raw'), 5);
      } else if (via === 'thrown') ctx.throw(418, 'teapot');
    });
    const { url } = await cleanup.serve(app);
    return { url, spy };
  }

  it.each([
    ['/buffer', 200, 'buf'],
    ['/stream', 200, 'ab'],
    ['/null', 204, ''],
    ['/raw', 201, 'raw'],
    ['/thrown', 418, 'teapot'],
  ] as const)('%s carries the new session cookie and saves once', async (path, status, body) => {
    const { url, spy } = await start();
    const res = await send(`${url}${path}`);
    expect(res.status).toBe(status);
    expect(res.body).toBe(body);
    const cookie = findSetCookie(res.setCookies);
    expect(cookie).toBeDefined();
    if (path === '/raw') expect(res.setCookies.some((c) => c.startsWith('raw=1'))).toBe(true);
    expect(spy.calls.save).toBe(1);
    const after = await send(`${url}/read`, { cookie: `SESSION=${cookie?.value}` });
    expect(JSON.parse(after.body).via).toBe(path.slice(1));
  });
});
