import { silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { listenOnLoopback, type RunningApp, SpyRepository, TestBrowser } from '@session/testkit/http';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const running: RunningApp[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

describe('autoCommit: false on @session/koa', () => {
  it('changes are saved only by an explicit save(); the new id goes out with that response', async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const app = new Koa();
    app.use(session({ repository, logger: silentLogger, autoCommit: false }));
    app.use(async (ctx) => {
      ctx.session.set('n', Number(ctx.query.n));
      if (ctx.query.save === 'yes') await ctx.session.save();
      ctx.body = { id: ctx.session.id };
    });
    const listening = await listenOnLoopback(app);
    running.push(listening);
    const browser = new TestBrowser();
    const skipped = await browser.send(`${listening.url}/?n=1`);
    expect(skipped.setCookies).toEqual([]);
    expect(repository.calls.save).toBe(0);
    const saved = await browser.send(`${listening.url}/?n=2&save=yes`);
    expect(saved.setCookies).toHaveLength(1);
    const id = JSON.parse(saved.body).id;
    expect((await repository.findById(id))?.get('n')).toBe(2);
    await browser.send(`${listening.url}/?n=3`);
    expect((await repository.findById(id))?.get('n')).toBe(2);
  });

  it('refuses an autoCommit that is not a boolean', () => {
    expect(() => session({ repository: new MemorySessionRepository(), autoCommit: 'no' as never })).toThrow(
      /autoCommit must be a boolean/,
    );
  });
});
