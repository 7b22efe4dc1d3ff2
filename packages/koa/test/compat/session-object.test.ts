import { type Session, type SessionRepository, silentLogger } from '@session/core';
import { session } from '@session/koa/compat';
import { MemorySessionRepository } from '@session/memory';
import { SpyRepository, TestBrowser, useTestCleanup } from '@session/testkit/http';
import Koa, { type Context } from 'koa';
import { afterEach, describe, expect, it } from 'vitest';

const cleanup = useTestCleanup({ afterEach });

type Attributes = Record<string, unknown>;
const data = (ctx: Context) => ctx.session as unknown as Attributes;

/** An app whose routes use ctx.session the way koa-session apps do. */
async function start(
  repository: SessionRepository<Session>,
  options: Partial<Parameters<typeof session>[0]> = {},
) {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = (err as { status?: number }).status ?? 500;
      ctx.body = { error: (err as { code?: string }).code ?? 'internal' };
    }
  });
  app.use(session({ repository, logger: silentLogger, ...options }));
  app.use(async (ctx) => {
    const s = ctx.session;
    switch (`${ctx.method} ${ctx.path}`) {
      case 'POST /views':
        data(ctx).views = ((data(ctx).views as number | undefined) ?? 0) + 1;
        ctx.body = { views: data(ctx).views };
        return;
      case 'GET /view':
        ctx.body = {
          isNew: s?.isNew,
          length: s?.length,
          populated: s?.populated,
          json: s?.toJSON(),
          keys: s === null ? null : Object.keys(s),
          maxAge: s?.maxAge,
          externalKey: s?.externalKey,
        };
        return;
      case 'POST /null':
        ctx.session = null;
        ctx.body = { after: ctx.session };
        return;
      case 'POST /replace':
        (ctx as { session: unknown }).session = { replaced: true, _expire: 1 };
        ctx.body = { keys: Object.keys(ctx.session ?? {}) };
        return;
      case 'POST /bad-assignment':
        (ctx as { session: unknown }).session = 'nope';
        return;
      case 'POST /max-age':
        if (s !== null) s.maxAge = ctx.query.value === 'session' ? 'session' : Number(ctx.query.value);
        ctx.body = { maxAge: s?.maxAge };
        return;
      case 'POST /regenerate': {
        data(ctx).before = 'yes';
        const old = s?.externalKey;
        await s?.regenerate();
        ctx.body = { old, id: ctx.session?.externalKey, keys: Object.keys(ctx.session ?? {}) };
        return;
      }
      case 'POST /save':
        data(ctx).saved = 'yes';
        await s?.save();
        ctx.body = { ok: true };
        return;
      case 'POST /manual':
        data(ctx).manual = String(ctx.query.commit);
        if (ctx.query.commit === 'yes') await s?.manuallyCommit();
        ctx.body = { ok: true };
        return;
      default:
        ctx.status = 404;
    }
  });
  return (await cleanup.serve(app)).url;
}

const idOf = (browser: TestBrowser) => Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();
const json = (res: { body: string }) => JSON.parse(res.body);

describe('ctx.session of @session/koa/compat', () => {
  it('attributes are properties; isNew, length, populated, toJSON and externalKey as koa-session has them', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    expect(json(await browser.send(`${url}/view`))).toMatchObject({
      isNew: true,
      length: 0,
      populated: false,
    });
    expect(json(await browser.send(`${url}/views`, { method: 'POST' }))).toEqual({ views: 1 });
    expect(json(await browser.send(`${url}/views`, { method: 'POST' }))).toEqual({ views: 2 });
    const view = json(await browser.send(`${url}/view`));
    expect(view).toMatchObject({
      isNew: false,
      length: 1,
      populated: true,
      json: { views: 2 },
      keys: ['views'],
      maxAge: 'session',
      externalKey: idOf(browser),
    });
    expect((await repository.findById(idOf(browser)))?.get('views')).toBe(2);
  });

  it('ctx.session = null removes the session when it is committed, and reads null afterwards', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/views`, { method: 'POST' });
    const id = idOf(browser);
    const res = await browser.send(`${url}/null`, { method: 'POST' });
    expect(json(res)).toEqual({ after: null });
    expect(browser.cookies.has('SESSION')).toBe(false);
    expect(await repository.findById(id)).toBeNull();
  });

  it('ctx.session = {…} replaces the data under the same id, leaving koa-session fields out', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/views`, { method: 'POST' });
    const id = idOf(browser);
    expect(json(await browser.send(`${url}/replace`, { method: 'POST' }))).toEqual({ keys: ['replaced'] });
    expect(idOf(browser)).toBe(id);
    expect((await repository.findById(id))?.names()).toEqual(['replaced']);
    expect((await browser.send(`${url}/bad-assignment`, { method: 'POST' })).status).toBe(500);
  });

  it('maxAge is per session: kept with it and written on every response; "session" makes a browser-session cookie', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository, { cookie: { cookieMaxAgeSeconds: 600 } });
    const browser = new TestBrowser();
    const cookieOf = (res: { setCookies: string[] }) => res.setCookies.find((c) => c.startsWith('SESSION='));
    await browser.send(`${url}/views`, { method: 'POST' });
    expect(json(await browser.send(`${url}/view`)).maxAge).toBe(600_000);
    const set = await browser.send(`${url}/max-age?value=86400000`, { method: 'POST' });
    expect(json(set)).toEqual({ maxAge: 86_400_000 });
    expect(cookieOf(set)).toMatch(/Max-Age=86400/);
    expect(cookieOf(await browser.send(`${url}/view`))).toMatch(/Max-Age=86400/);
    expect((await repository.findById(idOf(browser)))?.maxInactiveIntervalMs).toBe(86_400_000);
    const browserSession = await browser.send(`${url}/max-age?value=session`, { method: 'POST' });
    expect(cookieOf(browserSession)).not.toMatch(/Max-Age/);
    expect((await browser.send(`${url}/max-age?value=-1`, { method: 'POST' })).status).toBe(500);
  });

  it('regenerate() gives a new id and deletes the old session', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/views`, { method: 'POST' });
    const body = json(await browser.send(`${url}/regenerate`, { method: 'POST' }));
    expect(body.id).not.toBe(body.old);
    expect(body.keys).toEqual([]);
    expect(idOf(browser)).toBe(body.id);
    expect(await repository.findById(body.old)).toBeNull();
    expect(await repository.findById(body.id)).not.toBeNull();
  });

  it('save() rejects when the store fails, even with whenStoreUnavailable: continue', async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const url = await start(repository, { storeTimeoutMs: 100, whenStoreUnavailable: 'continue' });
    repository.mode = 'reject';
    const res = await new TestBrowser().send(`${url}/save`, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(json(res)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
  });
});

describe('autoCommit: false (koa-session manual commit)', () => {
  it('a route that does not commit writes nothing; one that calls manuallyCommit() saves and sends the cookie', async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const url = await start(repository, { autoCommit: false });
    const browser = new TestBrowser();
    const uncommitted = await browser.send(`${url}/manual?commit=no`, { method: 'POST' });
    expect(uncommitted.status).toBe(200);
    expect(uncommitted.setCookies).toEqual([]);
    expect(repository.calls.save).toBe(0);

    const committed = await browser.send(`${url}/manual?commit=yes`, { method: 'POST' });
    expect(committed.setCookies).toHaveLength(1);
    expect(repository.calls.save).toBe(1);
    expect((await repository.findById(idOf(browser)))?.get('manual')).toBe('yes');

    // On a stored session too: changes without a commit stay out of the store.
    await browser.send(`${url}/manual?commit=no`, { method: 'POST' });
    expect((await repository.findById(idOf(browser)))?.get('manual')).toBe('yes');
    expect(repository.calls.save).toBe(1);
  });

  it('ctx.session = null without a commit removes nothing', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository, { autoCommit: false });
    const browser = new TestBrowser();
    await browser.send(`${url}/manual?commit=yes`, { method: 'POST' });
    const id = idOf(browser);
    await browser.send(`${url}/null`, { method: 'POST' });
    expect(await repository.findById(id)).not.toBeNull();
  });
});
