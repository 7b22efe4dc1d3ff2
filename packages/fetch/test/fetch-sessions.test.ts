import { type Session, SessionSaveConflictError, SessionStoreUnavailableError } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { decodeBase64Id, findSetCookie, quietLogger, SpyRepository, send } from '@session/testkit/http';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchSessions, HeaderSessionIdResolver } from '../src/index.js';
import { listen } from './support/hono-harness.js';

const repositories: MemorySessionRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.splice(0).map((repository) => repository.close()));
});

function setup(options: Partial<ConstructorParameters<typeof FetchSessions>[0]> = {}) {
  const memory = new MemorySessionRepository();
  repositories.push(memory);
  const spy = new SpyRepository<Session>(memory);
  const sessions = new FetchSessions({
    repository: spy,
    logger: quietLogger,
    storeTimeoutMs: 100,
    ...options,
  });
  return { sessions, spy, memory };
}

const request = (path: string, init: RequestInit & { cookie?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.cookie !== undefined) headers.set('cookie', init.cookie);
  return new Request(`http://localhost${path}`, { ...init, headers });
};

const cookieOf = (response: Response) => findSetCookie(response.headers.getSetCookie());

describe('FetchSessions: a session for a Request, committed onto a Response', () => {
  it('an anonymous request looks nothing up, stores nothing and gets the response back untouched', async () => {
    const { sessions, spy } = setup();
    const session = await sessions.load(request('/'));
    expect(session.isNew).toBe(true);
    const response = new Response('hello');
    expect(await sessions.commit(session, response)).toBe(response);
    expect(spy.calls).toMatchObject({ findById: 0, save: 0 });
  });

  it('the first set stores the session; the committed response carries its cookie; the next request finds it', async () => {
    const { sessions } = setup();
    const first = await sessions.load(request('/'));
    first.set('cart', ['sku-1']);
    const response = await sessions.commit(first, Response.json({ ok: true }));
    expect(await response.json()).toEqual({ ok: true });
    const cookie = cookieOf(response);
    expect(decodeBase64Id(cookie?.value ?? '')).toBe(first.id);
    expect(cookie?.attributes.get('samesite')).toBe('Lax');

    const again = await sessions.load(request('/', { cookie: `SESSION=${cookie?.value}` }));
    expect(again.id).toBe(first.id);
    expect(again.get('cart')).toEqual(['sku-1']);
    expect(cookieOf(await sessions.commit(again, new Response('ok')))).toBeUndefined();
  });

  it('loading the same Request twice gives the same session', async () => {
    const { sessions } = setup();
    const req = request('/');
    const session = await sessions.load(req);
    expect(await sessions.load(req)).toBe(session);
    expect(sessions.sessionOf(req)).toBe(session);
  });

  it('immutable responses (Response.redirect) are copied with the cookie; app cookies are kept', async () => {
    const { sessions } = setup();
    const session = await sessions.load(request('/'));
    session.setPrincipal('alice');
    const redirect = Response.redirect('http://localhost/home', 303);
    const committed = await sessions.commit(session, redirect);
    expect(committed.status).toBe(303);
    expect(committed.headers.get('location')).toBe('http://localhost/home');
    expect(cookieOf(committed)).toBeDefined();

    const withAppCookie = new Response('ok', { headers: [['set-cookie', 'theme=dark; Path=/']] });
    const other = await sessions.load(request('/x'));
    other.set('a', 1);
    const both = await sessions.commit(other, withAppCookie);
    expect(both.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['theme', 'SESSION']);
  });

  it('ids in X-Auth-Token: read from the request, answered in the response header', async () => {
    const { sessions } = setup({ resolver: new HeaderSessionIdResolver() });
    const created = await sessions.load(request('/'));
    created.set('a', 1);
    const token = (await sessions.commit(created, new Response('ok'))).headers.get('x-auth-token');
    expect(token).toBe(created.id);
    const again = await sessions.load(request('/', { headers: { 'X-Auth-Token': token ?? '' } }));
    expect(again.get('a')).toBe(1);
  });

  it('several Cookie fields (HTTP/2 sends one per cookie) are read as one header', async () => {
    const { sessions } = setup();
    const first = await sessions.load(request('/'));
    first.set('a', 1);
    const value = cookieOf(await sessions.commit(first, new Response('ok')))?.value;
    const headers = new Headers();
    headers.append('cookie', 'theme=dark');
    headers.append('cookie', `SESSION=${value}`);
    const again = await sessions.load(new Request('http://localhost/', { headers }));
    expect(again.id).toBe(first.id);
  });

  it('malformed ids never reach the store', async () => {
    const { sessions, spy } = setup();
    for (const value of ['A'.repeat(10_000), '$%^&', Buffer.from('../../etc/passwd').toString('base64')]) {
      const session = await sessions.load(request('/', { cookie: `SESSION=${value}` }));
      expect(session.isNew).toBe(true);
    }
    expect(spy.calls.findById).toBe(0);
  });

  it('Secure follows the request URL, or X-Forwarded-Proto from a trusted proxy', async () => {
    const plain = setup();
    const overTls = await plain.sessions.load(new Request('https://example.com/'));
    overTls.set('a', 1);
    expect(cookieOf(await plain.sessions.commit(overTls, new Response('ok')))?.attributes.has('secure')).toBe(
      true,
    );
    const proxied = setup({ trustProxy: 'loopback' });
    const forwarded = new Request('http://example.com/', { headers: { 'x-forwarded-proto': 'https' } });
    const behindProxy = await proxied.sessions.load(forwarded, {
      connection: { remoteAddress: '127.0.0.1' },
    });
    behindProxy.set('a', 1);
    const cookie = cookieOf(await proxied.sessions.commit(behindProxy, new Response('ok')));
    expect(cookie?.attributes.has('secure')).toBe(true);
    const untrusted = await proxied.sessions.load(
      new Request('http://example.com/', { headers: { 'x-forwarded-proto': 'https' } }),
      { connection: { remoteAddress: '203.0.113.9' } },
    );
    untrusted.set('a', 1);
    expect(
      cookieOf(await proxied.sessions.commit(untrusted, new Response('ok')))?.attributes.has('secure'),
    ).toBe(false);
  });

  it('a store that is down: load and commit throw SessionStoreUnavailableError (503)', async () => {
    const { sessions, spy } = setup();
    const first = await sessions.load(request('/'));
    first.set('a', 1);
    const cookie = `SESSION=${cookieOf(await sessions.commit(first, new Response('ok')))?.value}`;
    spy.mode = 'hang';
    await expect(sessions.load(request('/', { cookie }))).rejects.toBeInstanceOf(
      SessionStoreUnavailableError,
    );
    const fresh = await sessions.load(request('/'));
    fresh.set('a', 1);
    await expect(sessions.commit(fresh, new Response('ok'))).rejects.toMatchObject({ status: 503 });
  });

  it('a write that did not land (the session was deleted meanwhile) is SessionSaveConflictError (409)', async () => {
    const { sessions, memory } = setup();
    const first = await sessions.load(request('/'));
    first.set('a', 1);
    const cookie = `SESSION=${cookieOf(await sessions.commit(first, new Response('ok')))?.value}`;
    const second = await sessions.load(request('/', { cookie }));
    await memory.deleteById(second.id);
    second.set('b', 2);
    await expect(sessions.commit(second, new Response('ok'))).rejects.toBeInstanceOf(
      SessionSaveConflictError,
    );
  });

  it('changes made while a streamed body is produced are saved once it has been sent', async () => {
    const { sessions, memory } = setup();
    const session = await sessions.load(request('/'));
    session.set('before', 1);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('x'));
        setTimeout(() => {
          session.set('after', 2);
          controller.enqueue(encoder.encode('y'));
          controller.close();
        }, 5);
      },
    });
    const response = await sessions.commit(session, new Response(body));
    expect(await response.text()).toBe('xy');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await memory.findById(session.id))?.get('after')).toBe(2);
  });
});

describe('FetchSessions.handle and handler: the whole cycle of a fetch(request) handler', () => {
  it('a Bun/Deno-style `fetch(request)` handler, served on Node, keeps a counter per client', async () => {
    const { sessions } = setup();
    const app = {
      fetch: sessions.handler(async (session) => {
        const visits = ((session.get('visits') as number | undefined) ?? 0) + 1;
        session.set('visits', visits);
        return Response.json({ visits });
      }),
    };
    const server = await listen(app);
    try {
      const first = await send(`${server.url}/`);
      const cookie = `SESSION=${findSetCookie(first.setCookies)?.value}`;
      expect(JSON.parse(first.body)).toEqual({ visits: 1 });
      expect(JSON.parse((await send(`${server.url}/`, { cookie })).body)).toEqual({ visits: 2 });
    } finally {
      await server.close();
    }
  });

  it('store failures and handler errors become responses (503, and the handler’s status or 500)', async () => {
    const { sessions, spy } = setup();
    const ok = await sessions.handle(request('/'), (session) => {
      session.set('a', 1);
      return new Response('ok');
    });
    const cookie = `SESSION=${cookieOf(ok)?.value}`;
    spy.mode = 'hang';
    expect((await sessions.handle(request('/', { cookie }), () => new Response('never'))).status).toBe(503);
    spy.mode = 'ok';
    const failed = await sessions.handle(request('/'), (session) => {
      session.set('via', 'error');
      throw Object.assign(new Error('nope'), { status: 418 });
    });
    expect(failed.status).toBe(418);
    // The handler's change is saved and its id sent with the error response.
    expect(cookieOf(failed)).toBeDefined();
  });

  it('onError builds the error responses', async () => {
    const { sessions, spy } = setup({
      onError: (error) => Response.json({ error: (error as { code?: string }).code }, { status: 503 }),
    });
    spy.mode = 'reject';
    const response = await sessions.handle(request('/'), (session) => {
      session.set('a', 1);
      return new Response('ok');
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
