import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { generateSessionId, type Session, SessionStoreUnavailableError, shortSessionId } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import {
  decodeBase64Id,
  findSetCookie,
  PlainRepository,
  quietLogger,
  SpyRepository,
  send,
} from '@session/testkit/http';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  findRequestedSession,
  MAX_SESSION_ID_CANDIDATES,
  type RequestSession,
  resolveRequestedSessionIds,
} from '../src/index.js';
import { closeAfterTest, type Handler, serve } from './support/serve.js';

const setThenEnd: Handler = (_req, res, session) => {
  session.set('n', 1);
  res.end(session.id);
};

describe('per-request session on plain node:http', () => {
  it('refreshes lastAccessedTime on load so a store that does not touch on read persists the access', async () => {
    let now = 1_000_000;
    const repository = new PlainRepository(() => now);
    const { url } = await serve({ repository, clock: () => now }, (req, res, session) => {
      if (req.url === '/set') session.set('n', 1);
      res.end(String(session.lastAccessedTime));
    });
    const created = await send(`${url}/set`);
    const cookie = findSetCookie(created.setCookies);
    const id = decodeBase64Id(cookie?.value ?? '');
    expect(repository.stored.get(id)?.lastAccessedTime).toBe(1_000_000);
    now += 60_000;
    const read = await send(`${url}/read`, { cookie: `SESSION=${cookie?.value}` });
    expect(read.body).toBe(String(now));
    expect(repository.stored.get(id)?.lastAccessedTime).toBe(now);
  });

  it('leaves the access to a store that records it on read (capabilities.touchesOnRead), so a read costs no write', async () => {
    let now = 1_000_000;
    // The same non-touching store, but declaring that it touches (as a throttled store does when
    // it decides a touch is not due yet): the layer must not force a save to record the access.
    const repository = new PlainRepository(() => now);
    Object.defineProperty(repository, 'capabilities', {
      value: { indexed: false, events: false, touchesOnRead: true },
    });
    const saves = vi.spyOn(repository, 'save');
    const { url } = await serve({ repository, clock: () => now }, (req, res, session) => {
      if (req.url === '/set') session.set('n', 1);
      res.end(String(session.lastAccessedTime));
    });
    const created = await send(`${url}/set`);
    const cookie = findSetCookie(created.setCookies);
    const id = decodeBase64Id(cookie?.value ?? '');
    expect(saves).toHaveBeenCalledTimes(1);
    now += 60_000;
    const read = await send(`${url}/read`, { cookie: `SESSION=${cookie?.value}` });
    expect(read.body).toBe('1000000');
    expect(saves).toHaveBeenCalledTimes(1);
    expect(repository.stored.get(id)?.lastAccessedTime).toBe(1_000_000);
  });

  it('without a framework, a failed save answers a plain 503 and nothing of the handler', async () => {
    const spy = new SpyRepository<Session>(new MemorySessionRepository());
    spy.mode = 'hang';
    const { url } = await serve({ repository: spy, storeTimeoutMs: 50 }, (_req, res, session) => {
      session.set('n', 1);
      res.setHeader('location', '/elsewhere');
      res.statusCode = 302;
      res.end('moved');
    });
    const res = await send(url);
    expect(res.status).toBe(503);
    expect(res.body).toBe('Service Unavailable');
    expect(res.headers.get('location')).toBeNull();
    expect(res.setCookies).toEqual([]);
  });

  it('holds writes in order while saving, reports headersSent, and streams large bodies with backpressure', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const seen: boolean[] = [];
    const { url } = await serve({ repository: new MemorySessionRepository() }, (_req, res, session) => {
      session.set('n', 1);
      seen.push(res.headersSent);
      res.writeHead(200, { 'content-type': 'text/plain' });
      seen.push(res.headersSent);
      Readable.from(Array.from({ length: 64 }, () => chunk)).pipe(res);
    });
    const res = await send(url);
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(64 * chunk.length);
    expect(seen).toEqual([false, true]);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });

  it('never logs a full session id, and shortens it as the stores do', async () => {
    const warn = vi.fn();
    const logger = { ...quietLogger, warn };
    let fullId = '';
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger },
      (_req, res, session) => {
        session.set('n', 1);
        res.write('a');
        setTimeout(() => {
          fullId = session.changeSessionId();
          res.end('b');
        }, 5);
      },
    );
    await send(url);
    await vi.waitFor(() => expect(warn).toHaveBeenCalled());
    const logged = warn.mock.calls.flat().map(String).join(' ');
    // The same short form as the store kernel's log lines, so both can be matched up.
    expect(logged).toContain(shortSessionId(fullId));
    expect(logged).not.toContain(fullId);
  });

  it('invalidate that fails at the store leaves the session stored and raises a 503-class error', async () => {
    const spy = new SpyRepository<Session>(new MemorySessionRepository());
    let caught: unknown;
    const { url } = await serve({ repository: spy, storeTimeoutMs: 50 }, async (req, res, session) => {
      if (req.url === '/logout') {
        spy.mode = 'reject';
        caught = await session.invalidate().catch((err: unknown) => err);
        spy.mode = 'ok';
      } else session.set('n', 1);
      res.end();
    });
    const created = await send(url);
    const value = findSetCookie(created.setCookies)?.value ?? '';
    const logout = await send(`${url}/logout`, { cookie: `SESSION=${value}` });
    expect(caught).toBeInstanceOf(SessionStoreUnavailableError);
    expect(logout.setCookies).toEqual([]);
    expect(spy.calls.deleteById).toBe(1);
    expect(await spy.inner.findById(decodeBase64Id(value))).not.toBeNull();
  });

  it('types attributes through the generic', async () => {
    const { url } = await serve({ repository: new MemorySessionRepository() }, setThenEnd);
    expect((await send(url)).status).toBe(200);
    // Checked by tsc, never run.
    const typeChecks = (typed: RequestSession<{ count: number; tags: string[] }>) => {
      expectTypeOf(typed.get('count')).toEqualTypeOf<number | undefined>();
      expectTypeOf(typed.set<'tags'>)
        .parameter(1)
        .toEqualTypeOf<string[] | undefined>();
      // @ts-expect-error unknown attribute names are rejected
      typed.get('nope');
      // @ts-expect-error values must match the attribute's type
      typed.set('count', 'three');
    };
    expect(typeof typeChecks).toBe('function');
  });
});

describe('session lookup for WebSocket upgrades', () => {
  async function upgradeServer(options: Parameters<typeof findRequestedSession>[1]) {
    const server = http.createServer();
    closeAfterTest(server);
    server.on('upgrade', async (req: IncomingMessage, socket) => {
      try {
        const found = await findRequestedSession(req, options);
        socket.end(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\nX-Session: ${found?.sessionId ?? 'none'}\r\n\r\n`,
        );
      } catch (err) {
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nX-Error: ${(err as Error).name}\r\nContent-Length: 0\r\n\r\n`,
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function upgrade(url: string, cookie: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { headers: { Connection: 'Upgrade', Upgrade: 'test', Cookie: cookie } });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(String(res.headers['x-session']));
      });
      req.on('response', (res) => {
        res.resume();
        resolve(`status ${res.statusCode} ${res.headers['x-error']}`);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('finds the session of the upgrade request; malformed or unknown ids find nothing without a store call for the malformed', async () => {
    const memory = new MemorySessionRepository();
    const spy = new SpyRepository<Session>(memory);
    const session = await memory.createSession();
    session.set('user', 'alice');
    await memory.save(session);
    const url = await upgradeServer({ repository: spy });
    const b64 = (id: string) => Buffer.from(id).toString('base64');

    expect(await upgrade(url, `SESSION=${b64(session.id)}`)).toBe(session.id);
    expect(await upgrade(url, `SESSION=${'A'.repeat(10_000)}; SESSION=%%%`)).toBe('none');
    expect(spy.calls.findById).toBe(1);
    expect(await upgrade(url, `SESSION=${b64(generateSessionId())}`)).toBe('none');
    expect(spy.calls.findById).toBe(2);
    await memory.close();
  });

  it('looks up at most MAX_SESSION_ID_CANDIDATES ids, and reports a down store as SessionStoreUnavailableError', async () => {
    const spy = new SpyRepository<Session>(new MemorySessionRepository());
    const cookie = Array.from(
      { length: 10 },
      () => `SESSION=${Buffer.from(generateSessionId()).toString('base64')}`,
    ).join('; ');
    expect(resolveRequestedSessionIds({ headers: { cookie } })).toHaveLength(MAX_SESSION_ID_CANDIDATES);
    const url = await upgradeServer({ repository: spy, storeTimeoutMs: 50 });
    expect(await upgrade(url, cookie)).toBe('none');
    expect(spy.calls.findById).toBe(MAX_SESSION_ID_CANDIDATES);
    spy.mode = 'hang';
    expect(await upgrade(url, cookie)).toBe('status 503 SessionStoreUnavailableError');
  });
});
