import { type Session, type SessionRepository, silentLogger } from '@session/core';
import { session } from '@session/express/compat';
import { MemorySessionRepository } from '@session/memory';
import { RedisIndexedSessionRepository } from '@session/redis';
import { SpyRepository, TestBrowser, useTestCleanup } from '@session/testkit/http';
import { useRedisServer } from '@session/testkit/redis';
import express, { type Express } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const redis = useRedisServer({ beforeAll, afterAll });
const cleanup = useTestCleanup({ afterEach });

type Attributes = Record<string, unknown>;
const attributes = (req: express.Request) => req.session as unknown as Attributes;

/** Requests parked by `GET /slow-read` until the test lets them go. */
const parked: Array<() => void> = [];

/** An app whose routes use req.session the way express-session apps do. */
function app(
  repository: SessionRepository<Session>,
  options: Partial<Parameters<typeof session>[0]> = {},
): Express {
  const app = express();
  app.use(express.json());
  app.use(session({ repository, logger: silentLogger, ...options }));
  app.post('/set', (req, res) => {
    Object.assign(attributes(req), req.body);
    res.json({ id: req.sessionID });
  });
  app.post('/delete/:name', (req, res) => {
    delete attributes(req)[req.params.name];
    res.json({ keys: Object.keys(req.session) });
  });
  app.get('/view', (req, res) => {
    res.json({
      id: req.session.id,
      sessionID: req.sessionID,
      keys: Object.keys(req.session),
      json: JSON.parse(JSON.stringify(req.session)),
      has: { cart: 'cart' in req.session, save: typeof req.session.save },
    });
  });
  app.post('/cart/:item', (req, res) => {
    const session = attributes(req);
    if (session.cart === undefined) session.cart = { items: [] };
    const cart = session.cart as { items: string[] };
    cart.items.push(req.params.item);
    res.json(cart);
  });
  app.get('/slow-read', (req, res) => {
    const cart = attributes(req).cart;
    parked.push(() => res.json({ cart }));
  });
  app.post('/save', (req, res) => {
    attributes(req).saved = 'yes';
    req.session.save((err) => res.json({ error: (err as { code?: string } | undefined)?.code ?? null }));
  });
  app.post('/regenerate', (req, res) => {
    const before = req.session;
    req.session.regenerate((err) => {
      if (err) {
        res.status(500).json({ error: (err as { code?: string }).code });
        return;
      }
      // The old object still shows what it held, and changing it does not reach the new session.
      (before as unknown as Attributes).late = 'ignored';
      attributes(req).fresh = 'yes';
      res.json({
        old: { ...before },
        sessionID: req.sessionID,
        id: req.session.id,
        keys: Object.keys(req.session),
      });
    });
  });
  app.post('/destroy', (req, res) => {
    req.session.destroy((err) =>
      res.json({ error: err ?? null, session: req.session === undefined ? 'gone' : 'here' }),
    );
  });
  app.post('/reload', (req, res) => {
    attributes(req).unsaved = 'dropped';
    req.session.reload((err) => {
      res.json({
        error: (err as { code?: string } | undefined)?.code ?? null,
        keys: Object.keys(req.session),
      });
    });
  });
  app.post('/max-age', (req, res) => {
    req.session.cookie.maxAge = req.body.maxAge;
    res.json({ maxAge: req.session.cookie.maxAge, expires: req.session.cookie.expires });
  });
  app.post('/method-name', (req, res) => {
    try {
      (req.session as unknown as Attributes).save = 'x';
      res.json({ thrown: false });
    } catch (err) {
      res.json({ thrown: (err as Error).name });
    }
  });
  return app;
}

async function start(
  repository: SessionRepository<Session>,
  options: Partial<Parameters<typeof session>[0]> = {},
) {
  return (await cleanup.serve(app(repository, options))).url;
}

/** A store whose deletes fail on demand (the rest works). */
class DeletesFail extends SpyRepository<Session> {
  failDeletes = false;

  override async deleteById(id: string): Promise<void> {
    if (this.failDeletes) throw new Error('connect ECONNREFUSED (simulated)');
    return super.deleteById(id);
  }
}

const idOf = (browser: TestBrowser) => Buffer.from(browser.cookies.get('SESSION') ?? '', 'base64').toString();

describe('req.session of @session/express/compat: attributes are properties', () => {
  it('assignments persist, delete removes, Object.keys and JSON list the attributes and the cookie', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    const set = await browser.sendJson(`${url}/set`, { user: 'alice', roles: ['admin'], when: 1 });
    expect(JSON.parse(set.body).id).toBe(idOf(browser));
    const stored = await repository.findById(idOf(browser));
    expect(stored?.get('user')).toBe('alice');
    expect(stored?.get('roles')).toEqual(['admin']);

    const view = JSON.parse((await browser.send(`${url}/view`)).body);
    expect(view.id).toBe(idOf(browser));
    expect(view.sessionID).toBe(idOf(browser));
    expect(view.keys).toEqual(['cookie', 'user', 'roles', 'when']);
    expect(view.json).toMatchObject({
      user: 'alice',
      roles: ['admin'],
      when: 1,
      cookie: { originalMaxAge: null },
    });
    expect(view.has).toEqual({ cart: false, save: 'function' });

    expect(JSON.parse((await browser.send(`${url}/delete/when`, { method: 'POST' })).body).keys).toEqual([
      'cookie',
      'user',
      'roles',
    ]);
    expect((await repository.findById(idOf(browser)))?.names()).not.toContain('when');
  });

  it('an assignment on a new session stores it and sends its cookie; a request that assigns nothing stores nothing', async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/view`);
    expect(browser.cookies.size).toBe(0);
    expect(repository.calls.save).toBe(0);
    await browser.sendJson(`${url}/set`, { a: 1 });
    expect(browser.cookies.has('SESSION')).toBe(true);
  });

  it('objects changed in place are saved (Passport, connect-flash and carts do this)', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/cart/apple`, { method: 'POST' });
    await browser.send(`${url}/cart/pear`, { method: 'POST' });
    expect((await repository.findById(idOf(browser)))?.get('cart')).toEqual({ items: ['apple', 'pear'] });
  });

  it("concurrent requests on one session keep each other's changes (Redis, delta saves)", async () => {
    const repository = new RedisIndexedSessionRepository({
      client: redis.client,
      namespace: 'compat-race',
      logger: silentLogger,
    });
    cleanup.later(() => repository.close());
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { seed: 1 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => browser.sendJson(`${url}/set`, { [`k${i}`]: i })));
    const stored = await repository.findById(idOf(browser));
    for (let i = 0; i < 30; i++) expect(stored?.get(`k${i}`)).toBe(i);
  });

  it('a request that only reads an object does not write it back over a concurrent change (Redis)', async () => {
    const repository = new RedisIndexedSessionRepository({
      client: redis.client,
      namespace: 'compat-read',
      logger: silentLogger,
    });
    cleanup.later(() => repository.close());
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.send(`${url}/cart/apple`, { method: 'POST' });
    const reading = browser.send(`${url}/slow-read`);
    while (parked.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await browser.send(`${url}/cart/pear`, { method: 'POST' });
    parked.splice(0).forEach((release) => {
      release();
    });
    expect(JSON.parse((await reading).body).cart).toEqual({ items: ['apple'] });
    expect((await repository.findById(idOf(browser)))?.get('cart')).toEqual({ items: ['apple', 'pear'] });
  });

  it('assigning to a method name is refused with a TypeError', async () => {
    const url = await start(new MemorySessionRepository());
    expect(JSON.parse((await new TestBrowser().send(`${url}/method-name`, { method: 'POST' })).body)).toEqual(
      {
        thrown: 'TypeError',
      },
    );
  });
});

describe('req.session methods of @session/express/compat', () => {
  it('save(cb) stores the session and calls back without an error', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    expect(JSON.parse((await browser.send(`${url}/save`, { method: 'POST' })).body)).toEqual({ error: null });
    expect((await repository.findById(idOf(browser)))?.get('saved')).toBe('yes');
  });

  it('save(cb) calls back with the error when the store fails, even with whenStoreUnavailable: continue', async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const url = await start(repository, { storeTimeoutMs: 100, whenStoreUnavailable: 'continue' });
    repository.mode = 'reject';
    const res = await new TestBrowser().send(`${url}/save`, { method: 'POST' });
    expect(JSON.parse(res.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
    expect(res.setCookies).toEqual([]);
  });

  it('regenerate(cb): a new empty session under a new id, the old one deleted; the old object keeps its attributes', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { user: 'alice' });
    const oldId = idOf(browser);
    const body = JSON.parse((await browser.send(`${url}/regenerate`, { method: 'POST' })).body);
    expect(body.old).toMatchObject({ user: 'alice' });
    expect(body.old.late).toBeUndefined();
    expect(body.sessionID).toBe(body.id);
    expect(body.id).not.toBe(oldId);
    expect(body.keys).toEqual(['cookie', 'fresh']);
    expect(idOf(browser)).toBe(body.id);
    expect(await repository.findById(oldId)).toBeNull();
    const stored = await repository.findById(body.id);
    expect(stored?.names()).toEqual(['fresh']);
  });

  it('regenerate(cb) calls back with the error when the old session cannot be deleted, and keeps the session', async () => {
    const repository = new DeletesFail(new MemorySessionRepository());
    const url = await start(repository, { storeTimeoutMs: 100 });
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { user: 'alice' });
    const id = idOf(browser);
    repository.failDeletes = true;
    const res = await browser.send(`${url}/regenerate`, { method: 'POST' });
    expect(JSON.parse(res.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
    expect((await repository.findById(id))?.get('user')).toBe('alice');
    expect(idOf(browser)).toBe(id);
  });

  it('destroy(cb): the session is deleted, req.session removed and the cookie expired', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { user: 'alice' });
    const id = idOf(browser);
    const res = await browser.send(`${url}/destroy`, { method: 'POST' });
    expect(JSON.parse(res.body)).toEqual({ error: null, session: 'gone' });
    expect(browser.cookies.has('SESSION')).toBe(false);
    expect(await repository.findById(id)).toBeNull();
  });

  it('reload(cb) drops unsaved changes; on a session deleted meanwhile it calls back with SESSION_INVALIDATED', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { user: 'alice' });
    const reloaded = JSON.parse((await browser.send(`${url}/reload`, { method: 'POST' })).body);
    expect(reloaded).toEqual({ error: null, keys: ['cookie', 'user'] });
    expect((await repository.findById(idOf(browser)))?.names()).toEqual(['user']);

    const fresh = JSON.parse((await new TestBrowser().send(`${url}/reload`, { method: 'POST' })).body);
    expect(fresh.error).toBe('SESSION_INVALIDATED');
  });

  it('cookie.maxAge is per session: kept with the session, written on every response, the idle timeout raised to match', async () => {
    const repository = new MemorySessionRepository();
    const url = await start(repository);
    const browser = new TestBrowser();
    await browser.sendJson(`${url}/set`, { user: 'alice' });
    const set = await browser.sendJson(`${url}/max-age`, { maxAge: 7_200_000 });
    expect(JSON.parse(set.body).maxAge).toBe(7_200_000);
    const cookieOf = (res: { setCookies: string[] }) => res.setCookies.find((c) => c.startsWith('SESSION='));
    expect(cookieOf(set)).toMatch(/Max-Age=7200/);
    expect((await repository.findById(idOf(browser)))?.maxInactiveIntervalMs).toBe(7_200_000);
    // Rolling: the next request that only reads writes it again, with the session's own max age.
    expect(cookieOf(await browser.send(`${url}/view`))).toMatch(/Max-Age=7200/);

    const session = await browser.sendJson(`${url}/max-age`, { maxAge: null });
    expect(cookieOf(session)).not.toMatch(/Max-Age/);
    expect((await browser.send(`${url}/view`)).setCookies).toEqual([]);
    expect((await browser.sendJson(`${url}/max-age`, { maxAge: -5 })).status).toBe(500);
  });
});

describe('@session/express/compat with the store down', () => {
  it("whenStoreUnavailable: 'continue' leaves req.session unset, as express-session does", async () => {
    const repository = new SpyRepository(new MemorySessionRepository());
    const app = express();
    app.use(
      session({ repository, logger: silentLogger, storeTimeoutMs: 100, whenStoreUnavailable: 'continue' }),
    );
    app.get('/', (req, res) => {
      res.json({ session: req.session === undefined ? 'none' : typeof req.session });
    });
    const listening = await cleanup.serve(app);
    const browser = new TestBrowser();
    browser.setCookie('SESSION', Buffer.from('x'.repeat(32)).toString('base64'));
    repository.mode = 'hang';
    const res = await browser.send(`${listening.url}/`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ session: 'none' });
  });
});
