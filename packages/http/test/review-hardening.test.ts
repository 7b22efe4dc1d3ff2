import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, type Session } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CookieSessionIdResolver,
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
    const { url } = await serve({ repository: new MemorySessionRepository(), logger: quietLogger }, (_q, res, s) => {
      s.set('n', 1);
      res.writeHead(200, { 'Set-Cookie': 'theme=dark; Path=/', 'content-type': 'text/plain' });
      res.end('ok');
    });
    const res = await send(url);
    expect(res.setCookies.some((c) => c.startsWith('theme=dark'))).toBe(true);
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });

  it('the flat array form with a status message, and when nothing has to be saved first', async () => {
    const { url } = await serve({ repository: new MemorySessionRepository(), logger: quietLogger }, async (_q, res, s) => {
      s.set('n', 1);
      await s.save();
      res.writeHead(200, 'Fine', ['Set-Cookie', 'a=1', 'content-type', 'text/plain', 'set-cookie', ['b=2']]);
      res.end('ok');
    });
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
  override async save(session: Session): Promise<void> {
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
    for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
      const done = vi.fn();
      const { url } = await serve({ repository: new MemorySessionRepository(), logger: quietLogger }, (_q, res, s) => {
        s.set('n', 1);
        res.statusCode = status;
        res.end(done);
      });
      const res = await send(url, { method });
      expect(res.status).toBe(status);
      expect(findSetCookie(res.setCookies)).toBeDefined();
      await vi.waitFor(() => expect(done).toHaveBeenCalled());
    }
  });

  it('flushHeaders waits for the save and sends the cookie', async () => {
    const { url } = await serve({ repository: new MemorySessionRepository(), logger: quietLogger }, (_q, res, s) => {
      s.set('n', 1);
      res.flushHeaders();
      setTimeout(() => res.end('late'), 10);
    });
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
