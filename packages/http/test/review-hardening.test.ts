import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, type MapSession, type SaveOutcome, type Session } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CookieSessionIdResolver,
  formatSetCookie,
  HttpSessionManager,
  type HttpSessionOptions,
  holdResponseUntilCommitted,
  type RequestSession,
  readCookieValues,
} from '../src/index.js';
import { quietLogger } from './support/adapter-suite.js';
import { findSetCookie, send } from './support/http-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, session: RequestSession) => unknown;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(options: HttpSessionOptions<Session>, handler: Handler) {
  const manager = new HttpSessionManager(options);
  const server = http.createServer(async (req, res) => {
    const controller = await manager.open({ request: req, response: res });
    holdResponseUntilCommitted(res, controller, { logger: options.logger });
    res.once('finish', () => void controller.commitAfterResponse());
    await handler(req, res, controller.session);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('writeHead with its own Set-Cookie headers', () => {
  it('an object of headers keeps the session cookie next to the app cookie', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      (_q, res, s) => {
        s.set('n', 1);
        res.writeHead(200, { 'Set-Cookie': 'theme=dark; Path=/', 'content-type': 'text/plain' });
        res.end('ok');
      },
    );
    const res = await send(url);
    expect(res.setCookies.some((c) => c.startsWith('theme=dark'))).toBe(true);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });

  it('the flat array form with a status message, and when nothing has to be saved first', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      async (_q, res, s) => {
        s.set('n', 1);
        await s.save();
        res.writeHead(200, 'Fine', [
          'Set-Cookie',
          'a=1',
          'content-type',
          'text/plain',
          'set-cookie',
          ['b=2'],
        ]);
        res.end('ok');
      },
    );
    const res = await send(url);
    expect(res.body).toBe('ok');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.setCookies.filter((c) => /^[ab]=/.test(c))).toEqual(['a=1', 'b=2']);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });
});

class SlowRepository extends MemorySessionRepository {
  saveDelayMs = 0;
  saves = 0;
  override async save(session: MapSession): Promise<SaveOutcome> {
    this.saves++;
    if (this.saveDelayMs > 0) await new Promise((r) => setTimeout(r, this.saveDelayMs));
    return super.save(session);
  }
}

describe('response edge cases', () => {
  it('a client that hangs up while the save runs causes no error and no write after the end', async () => {
    const repository = new SlowRepository();
    repository.saveDelayMs = 80;
    const errors: unknown[] = [];
    const onUnhandled = (err: unknown) => errors.push(err);
    process.on('unhandledRejection', onUnhandled);
    const ended = vi.fn();
    const { url } = await serve({ repository, logger: quietLogger }, (_q, res, s) => {
      res.on('error', (err) => errors.push(err));
      s.set('n', 1);
      res.write('partial');
      res.end('rest', ended);
    });
    const controller = new AbortController();
    const pending = fetch(url, { signal: controller.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(await pending).toBe('aborted');
    await new Promise((r) => setTimeout(r, 150));
    process.off('unhandledRejection', onUnhandled);
    expect(errors).toEqual([]);
    expect(repository.saves).toBe(1);
  });

  it('HEAD, 204 and 304 responses carry the new session cookie; end(callback) is called', async () => {
    for (const [method, status] of [
      ['HEAD', 200],
      ['GET', 204],
      ['GET', 304],
    ] as const) {
      const done = vi.fn();
      const { url } = await serve(
        { repository: new MemorySessionRepository(), logger: quietLogger },
        (_q, res, s) => {
          s.set('n', 1);
          res.statusCode = status;
          res.end(done);
        },
      );
      const res = await send(url, { method });
      expect(res.status).toBe(status);
      expect(findSetCookie(res.setCookies)).toBeDefined();
      await vi.waitFor(() => expect(done).toHaveBeenCalled());
    }
  });

  it('flushHeaders waits for the save and sends the cookie', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      (_q, res, s) => {
        s.set('n', 1);
        res.flushHeaders();
        setTimeout(() => res.end('late'), 10);
      },
    );
    const res = await send(url);
    expect(res.body).toBe('late');
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });
});

describe('cookie options that would break or inject a Set-Cookie', () => {
  const plainExchange = () => {
    const out = new Map<string, unknown>();
    return {
      out,
      exchange: {
        request: { headers: {}, socket: { remoteAddress: '127.0.0.1' } },
        response: {
          getHeader: (name: string) => out.get(name) as string[] | undefined,
          setHeader: (name: string, value: unknown) => out.set(name, value),
        },
      },
    };
  };

  it('SameSite=None and Partitioned always carry Secure, even on a plain-HTTP request', () => {
    for (const options of [{ sameSite: 'None' as const }, { partitioned: true }]) {
      const { exchange, out } = plainExchange();
      new CookieSessionIdResolver(options).setSessionId(exchange, 'a'.repeat(32));
      expect(String(out.get('set-cookie'))).toMatch(/; Secure(;|$)/);
    }
  });

  it('SameSite=None or Partitioned with useSecureCookie: false is refused at construction', () => {
    expect(() => new CookieSessionIdResolver({ sameSite: 'None', useSecureCookie: false })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CookieSessionIdResolver({ partitioned: true, useSecureCookie: false })).toThrow(
      InvalidArgumentError,
    );
  });

  it('Domain and Path with ;, CR, LF or non-ASCII are refused with a typed error', () => {
    for (const bad of ['a.com; Secure', 'a.com\r\nX-Evil: 1', 'a.com\nb', 'exämple.com', 'a.com\0']) {
      expect(() => new CookieSessionIdResolver({ domainName: bad })).toThrow(InvalidArgumentError);
      expect(() => new CookieSessionIdResolver({ cookiePath: `/${bad}` })).toThrow(InvalidArgumentError);
    }
  });
});

describe('a failed save', () => {
  it('calls the callbacks of the writes it dropped, so awaiting writers do not hang', async () => {
    const repository = new SlowRepository();
    repository.save = async () => {
      throw new Error('connect ECONNREFUSED (simulated)');
    };
    const results: unknown[] = [];
    const { url } = await serve({ repository, logger: quietLogger }, async (_q, res, s) => {
      s.set('n', 1);
      const written = new Promise((resolve) => res.write('a', (err?: unknown) => resolve(err)));
      const ended = new Promise((resolve) => res.end('b', (err?: unknown) => resolve(err)));
      results.push(...(await Promise.all([written, ended])));
    });
    const res = await send(url);
    expect(res.status).toBe(503);
    expect(res.body).toBe('Service Unavailable');
    await vi.waitFor(() => expect(results).toHaveLength(2));
    for (const result of results) expect(result).toBeInstanceOf(Error);
  });
});

describe('Cookie header parsing edge cases', () => {
  it('quoted values, = inside values, duplicates, bare words and an unrelated name that ends like ours', () => {
    const header = 'xSESSION=1; SESSION="YWJj"; ;; bare; SESSION=a=b==; SESSION ; session=low; SESSION=';
    expect(readCookieValues(header, 'SESSION')).toEqual(['YWJj', 'a=b==', '']);
  });

  it('a header made of thousands of pairs without = still finds the one that matters', () => {
    const header = `${'junk;'.repeat(20_000)} SESSION=abc`;
    expect(readCookieValues(header, 'SESSION')).toEqual(['abc']);
  });
});

describe('RFC 6265bis cookie name prefixes', () => {
  const write = (options: ConstructorParameters<typeof CookieSessionIdResolver>[0]) => {
    const out = new Map<string, unknown>();
    const exchange = {
      request: { headers: {}, socket: { remoteAddress: '127.0.0.1' } },
      response: {
        getHeader: (name: string) => out.get(name) as string[] | undefined,
        setHeader: (name: string, value: unknown) => out.set(name, value),
      },
    };
    new CookieSessionIdResolver(options).setSessionId(exchange, 'a'.repeat(32));
    return String(out.get('set-cookie'));
  };

  it('__Secure- and __Host- cookies always carry Secure; __Host- has Path=/ and no Domain', () => {
    expect(write({ cookieName: '__Secure-SESSION' })).toMatch(/; Secure/);
    const host = write({ cookieName: '__Host-SESSION' });
    expect(host).toMatch(/; Path=\/;.*Secure/);
    expect(host).not.toMatch(/Domain=/);
  });

  it('settings browsers would reject for a prefixed name are refused at construction', () => {
    for (const options of [
      { cookieName: '__Secure-SESSION', useSecureCookie: false },
      { cookieName: '__Host-SESSION', useSecureCookie: false },
      { cookieName: '__Host-SESSION', domainName: 'example.com' },
      { cookieName: '__Host-SESSION', domainNamePattern: '^.+?\\.(\\w+\\.[a-z]+)$' },
      { cookieName: '__Host-SESSION', cookiePath: '/app' },
      { cookieName: '__Host-SESSION', useContextPath: true },
      { cookieName: '__HOST-sid', cookiePath: '/app' },
    ]) {
      expect(() => new CookieSessionIdResolver(options)).toThrow(InvalidArgumentError);
    }
    expect(
      () => new CookieSessionIdResolver({ cookieName: '__Host-SESSION', cookiePath: '/' }),
    ).not.toThrow();
  });
});

describe('formatSetCookie lifetimes', () => {
  it('caps Max-Age at the 400 days browsers keep, so Expires stays a real date', () => {
    const now = Date.UTC(2026, 0, 1);
    const cookie = formatSetCookie('SESSION', 'x', { maxAgeSeconds: 1e15, now });
    expect(cookie).toContain(`Max-Age=${400 * 86_400}`);
    expect(cookie).toContain(`Expires=${new Date(now + 400 * 86_400_000).toUTCString()}`);
    expect(cookie).not.toContain('Invalid Date');
  });
});
