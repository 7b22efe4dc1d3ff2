import type { Session } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, SpyRepository, send, useTestCleanup } from '@session/testkit/http';
import Koa from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const cleanup = useTestCleanup({ afterEach });

async function start(KoaApp: typeof Koa, build: (app: Koa, spy: SpyRepository<Session>) => void) {
  const spy = new SpyRepository<Session>(new MemorySessionRepository());
  const app = new KoaApp();
  app.silent = true;
  build(app, spy);
  const { url } = await cleanup.serve(app);
  return { url, spy };
}

describe.each([
  ['koa 2', Koa2],
  ['koa 3', Koa],
] as const)('%s error rules', (_name, KoaApp) => {
  it("Koa's own handler answers a store outage with 503 and the exposed message", async () => {
    const { url, spy } = await start(KoaApp, (app, spy) => {
      app.use(session({ repository: spy, storeTimeoutMs: 50 }));
      app.use((ctx) => {
        ctx.session.set('a', 1);
        ctx.set('x-route', 'yes');
        ctx.body = 'ok';
      });
    });
    spy.mode = 'reject';
    const res = await send(url);
    expect(res.status).toBe(503);
    expect(res.body).toBe('The session store failed during save');
    expect(res.headers.get('x-route')).toBeNull();
  });

  it('a downstream error wins over a failing save, and a successful save still sends the id with the error', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const { url, spy } = await start(KoaApp, (app, spy) => {
      app.use(session({ repository: spy, storeTimeoutMs: 50, logger }));
      app.use((ctx) => {
        ctx.session.set('a', 1);
        ctx.throw(418, 'teapot');
      });
    });
    const ok = await send(url);
    expect(ok.status).toBe(418);
    expect(findSetCookie(ok.setCookies)).toBeDefined();
    spy.mode = 'hang';
    const failing = await send(url);
    expect(failing.status).toBe(418);
    expect(findSetCookie(failing.setCookies)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/after a failed request also failed/)]);
  });
});
