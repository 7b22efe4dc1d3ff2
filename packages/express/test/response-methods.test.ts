import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateSessionId, type Session, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { decodeBase64Id, findSetCookie, SpyRepository, send } from '@session/testkit/http';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const thisFile = fileURLToPath(import.meta.url);

async function listen(app: ReturnType<typeof express>) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each([
  ['express 4', express4],
  ['express 5', express],
] as const)('%s: responses sent by sendFile, download and writeHead', (_name, factory) => {
  async function start() {
    const repository = new MemorySessionRepository();
    closers.push(() => void repository.close());
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

  it('a request that only reads its session is sent without holding the response; the first change holds it', async () => {
    const app = factory();
    const repository = new MemorySessionRepository();
    closers.push(() => void repository.close());
    app.use(session({ repository, logger: silentLogger }));
    app.get('/held', (req, res) => {
      const before = Object.hasOwn(res, 'end');
      req.session.get('anything');
      const afterRead = Object.hasOwn(res, 'end');
      req.session.set('x', 1);
      res.json({ before, afterRead, afterWrite: Object.hasOwn(res, 'end') });
    });
    const url = await listen(app);
    const first = await send(`${url}/held`);
    expect(JSON.parse(first.body)).toEqual({ before: false, afterRead: false, afterWrite: true });
    const cookie = findSetCookie(first.setCookies);
    const second = await send(`${url}/held`, { cookie: `SESSION=${cookie?.value}` });
    expect(JSON.parse(second.body)).toEqual({ before: false, afterRead: false, afterWrite: true });
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
