import { fileURLToPath } from 'node:url';
import { generateSessionId, type Session, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { decodeBase64Id, findSetCookie, SpyRepository, send, useTestCleanup } from '@session/testkit/http';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const cleanup = useTestCleanup({ afterEach });

const thisFile = fileURLToPath(import.meta.url);

async function listen(app: ReturnType<typeof express>) {
  return (await cleanup.serve(app)).url;
}

describe.each([
  ['express 4', express4],
  ['express 5', express],
] as const)('%s: responses sent by sendFile, download and writeHead', (_name, factory) => {
  async function start() {
    const repository = new MemorySessionRepository();
    cleanup.later(() => repository.close());
    const spy = new SpyRepository<Session>(repository);
    const app = factory();
    app.use(session({ repository: spy, logger: silentLogger }));
    app.get('/file', (req, res) => {
      req.session.set('via', 'file');
      res.sendFile(thisFile);
    });
    app.get('/download', (req, res) => {
      req.session.set('via', 'download');
      res.download(thisFile, 'x.ts');
    });
    app.get('/cookie-and-writehead', (req, res) => {
      req.session.set('via', 'writeHead');
      res.cookie('theme', 'dark');
      res.writeHead(200, { 'Set-Cookie': 'lang=en', 'content-type': 'text/plain' });
      res.end('ok');
    });
    app.get('/read', (req, res) => {
      res.json({ id: req.session.id, via: req.session.get('via') ?? null, isNew: req.session.isNew });
    });
    return { url: await listen(app), spy };
  }

  it.each(['/file', '/download', '/cookie-and-writehead'])(
    '%s carries the new session cookie',
    async (path) => {
      const { url, spy } = await start();
      const res = await send(`${url}${path}`);
      expect(res.status).toBe(200);
      const cookie = findSetCookie(res.setCookies);
      expect(cookie).toBeDefined();
      expect(spy.calls.save).toBe(1);
      const after = await send(`${url}/read`, { cookie: `SESSION=${cookie?.value}` });
      expect(JSON.parse(after.body).via).toBe(path === '/cookie-and-writehead' ? 'writeHead' : path.slice(1));
      if (path === '/cookie-and-writehead') {
        expect(res.setCookies.filter((c) => !c.startsWith('SESSION=')).map((c) => c.split(';')[0])).toEqual([
          'theme=dark',
          'lang=en',
        ]);
      }
    },
  );

  it("guarding a response adds no methods to Express's response object (they live on its prototype)", async () => {
    const app = factory();
    const repository = new MemorySessionRepository();
    cleanup.later(() => repository.close());
    app.use(session({ repository, logger: silentLogger }));
    const ownMethods = (res: object) =>
      ['end', 'write', 'writeHead', 'flushHeaders', 'headersSent'].filter((name) => Object.hasOwn(res, name));
    app.get('/held', (req, res) => {
      const before = ownMethods(res);
      req.session.get('anything');
      const afterRead = ownMethods(res);
      req.session.set('x', 1);
      res.json({ before, afterRead, afterWrite: ownMethods(res) });
    });
    const url = await listen(app);
    const first = await send(`${url}/held`);
    expect(JSON.parse(first.body)).toEqual({ before: [], afterRead: [], afterWrite: [] });
    const cookie = findSetCookie(first.setCookies);
    expect(cookie).toBeDefined();
    const second = await send(`${url}/held`, { cookie: `SESSION=${cookie?.value}` });
    expect(JSON.parse(second.body)).toEqual({ before: [], afterRead: [], afterWrite: [] });
    expect(findSetCookie(second.setCookies)).toBeUndefined();
    expect((await repository.findById(decodeBase64Id(cookie?.value ?? '')))?.get('x')).toBe(1);
  });

  it.each(['before', 'after'] as const)(
    'a middleware that wraps res.end %s the session middleware still sends the saved session first',
    async (where) => {
      const app = factory();
      const repository = new MemorySessionRepository();
      cleanup.later(() => repository.close());
      const calls: string[] = [];
      const wrapEnd: express.RequestHandler = (_req, res, next) => {
        const end = res.end;
        res.end = function (this: typeof res, ...args: unknown[]) {
          calls.push(`wrapper saw stored=${repository.stats().sessions}`);
          return (end as (...a: unknown[]) => typeof res).apply(this, args);
        } as typeof res.end;
        next();
      };
      if (where === 'before') app.use(wrapEnd);
      app.use(session({ repository, logger: silentLogger }));
      if (where === 'after') app.use(wrapEnd);
      app.get('/set', (req, res) => {
        req.session.set('x', 1);
        res.end('ok');
        calls.push(`headersSent right after end: ${res.headersSent}`);
      });
      const url = await listen(app);
      const res = await send(`${url}/set`);
      expect(res.body).toBe('ok');
      const cookie = findSetCookie(res.setCookies);
      expect(cookie).toBeDefined();
      expect((await repository.findById(decodeBase64Id(cookie?.value ?? '')))?.get('x')).toBe(1);
      // Held until the save finished (the headers count as sent meanwhile); the wrapper still ran.
      expect(calls).toContain('headersSent right after end: true');
      expect(calls.filter((call) => call.startsWith('wrapper saw'))).toHaveLength(1);
    },
  );

  it('a route of a mounted sub-app gets its session saved and its cookie sent', async () => {
    const app = factory();
    const repository = new MemorySessionRepository();
    cleanup.later(() => repository.close());
    app.use(session({ repository, logger: silentLogger }));
    const shop = factory();
    shop.get('/add', (req, res) => {
      req.session.set('cart', ['book']);
      res.json({ ok: true });
    });
    app.use('/shop', shop);
    const url = await listen(app);
    const res = await send(`${url}/shop/add`);
    expect(res.status).toBe(200);
    const cookie = findSetCookie(res.setCookies);
    expect(cookie).toBeDefined();
    expect((await repository.findById(decodeBase64Id(cookie?.value ?? '')))?.get('cart')).toEqual(['book']);
  });

  it('session fixation: an attacker-chosen id that is not in the store is never adopted', async () => {
    const { url, spy } = await start();
    const planted = generateSessionId();
    const res = await send(`${url}/file`, { cookie: `SESSION=${Buffer.from(planted).toString('base64')}` });
    const issued = decodeBase64Id(findSetCookie(res.setCookies)?.value ?? '');
    expect(issued).not.toBe(planted);
    expect(await spy.inner.findById(planted)).toBeNull();
    expect(await spy.inner.findById(issued)).not.toBeNull();
  });
});
