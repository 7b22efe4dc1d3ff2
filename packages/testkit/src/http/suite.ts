import { randomBytes } from 'node:crypto';
import {
  generateSessionId,
  isIndexedRepository,
  PRINCIPAL_NAME_INDEX_NAME,
  type Session,
  type SessionRepository,
  silentLogger,
} from '@session/core';
import { decodeBase64Id, findSetCookie, send, sendRaw } from './client.js';
import { LatencyRepository } from './latency-repository.js';
import { createMemoryRepository, loadHttpLayer } from './peers.js';
import { SpyRepository } from './spy-repository.js';
import { memoryStore } from './stores.js';
import type {
  AdapterAppOptions,
  AdapterCookieOptions,
  AdapterSessionOptions,
  AdapterSuiteOptions,
  ReadableSession,
  ReadBody,
  RunningApp,
} from './types.js';

/** Chunks the `GET /stream` route streams: `chunk-0\n` … `chunk-19\n`. */
export const STREAM_CHUNKS = 20;

/** Rounds of each concurrency race, run {@link RACE_PARALLELISM} at a time. */
export const RACE_ROUNDS = 100;
const RACE_PARALLELISM = 10;

/** Runs `round(0 … RACE_ROUNDS - 1)`, a few at a time. */
async function inRounds(round: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < RACE_ROUNDS; start += RACE_PARALLELISM) {
    const batch = Array.from(
      { length: Math.min(RACE_PARALLELISM, RACE_ROUNDS - start) },
      (_, i) => start + i,
    );
    await Promise.all(batch.map(round));
  }
}

/** Keeps expected warnings (store outages) out of the test output. */
export const quietLogger = silentLogger;

/**
 * Registers the adapter behaviour suite with the caller's test framework: every case runs over
 * real HTTP (`fetch` and `http.request`) against an app the harness starts on a loopback port.
 *
 * ```ts
 * import { afterAll, afterEach, describe, expect, it } from 'vitest';
 * import { memoryStore, runAdapterSuite } from '@session/testkit/http';
 *
 * runAdapterSuite({
 *   harness: { name: 'my framework', start: (options) => startMyApp(options) },
 *   test: { describe, it, expect, afterEach, afterAll },
 *   stores: [memoryStore],
 * });
 * ```
 *
 * The harness app mounts the adapter with `options.session` (under `options.mountPath` when set)
 * and serves these routes with the framework's own idioms:
 *
 * | route | does |
 * | --- | --- |
 * | GET /anon | answers `anon`, never touches the session |
 * | GET /read | JSON {@link ReadBody} of the session (see {@link readBody}) |
 * | POST /set?name&value | sets one attribute, JSON `{ id }` |
 * | POST /login?user | `setPrincipal(user)`, JSON `{ id }` |
 * | POST /login-keep-id?user | `setPrincipal(user, { rotateId: false })`, JSON `{ id }` |
 * | POST /rotate | `changeSessionId()`, JSON `{ id }` (the new id) |
 * | POST /logout | `await invalidate()`, answers `bye` |
 * | POST /logout-flash | `await invalidate()`, then sets `flash` = `logged out`, answers `bye` |
 * | POST /remember | sets `remember` = `yes`, `rememberMe()`, answers `ok` |
 * | POST /save-early | sets `early` = `1`, `await save()`, answers `ok` |
 * | GET /redirect | sets `via` = `redirect`, 302 to `/read` |
 * | GET /stream | sets `via` = `stream`, streams {@link STREAM_CHUNKS} chunks `chunk-<i>\n` |
 * | GET /raw | sets `via` = `raw`, writes `a`, `b`, `c` at the framework's lowest level (the Node response, a raw Web `Response`) |
 * | GET /json | sets `via` = `json`, JSON `{ "ok": true }` |
 * | GET /late | sets `before` = `1`, sends `x`, sets `after` = `2` on a later tick, ends with `y` |
 * | GET /error | sets `via` = `error`, throws; the app's error handler answers |
 * | GET /error-unhandled | sets `via` = `error-unhandled`, throws to the framework's default handler |
 *
 * The app's error handler answers the error's `status` (default 500) with JSON
 * `{ "error": code ?? "internal" }`, except for `/error-unhandled` (and every route when
 * `defaultErrorHandler` is set), which the framework's default handling answers.
 *
 * Cases: the cookie flow (nothing stored or looked up for anonymous requests, Spring-style base64
 * cookies, several cookies), login/rotation/logout (fixation), response kinds (the session is
 * saved before the headers leave: redirects, JSON, raw writes, streams, errors), the header flow
 * and composite resolvers, every cookie option asserted on `Set-Cookie` (rolling expiry of a
 * `Max-Age` cookie on reading requests, signed values and secret rotation, `Priority`,
 * `saveUninitialized`), malformed ids with zero store lookups, a store that fails or hangs (503
 * and recovery; with `whenStoreUnavailable: 'continue'` the request runs without a session and
 * nothing is written), and per store: 50 concurrent
 * writes with no lost update, races of a login with a write, a login and a logout
 * ({@link RACE_ROUNDS} rounds each; they need a store with save outcomes and `movedRecently`),
 * round trips per request, and a real backend outage.
 */
export function runAdapterSuite(options: AdapterSuiteOptions): void {
  const { harness, test } = options;
  if (typeof harness?.start !== 'function')
    throw new TypeError('runAdapterSuite needs a harness with start()');
  if (typeof test?.it !== 'function' || typeof test.describe !== 'function') {
    throw new TypeError(
      'runAdapterSuite needs the test functions (describe, it, expect, afterEach, afterAll)',
    );
  }
  const stores = options.stores ?? [memoryStore];
  const createRepository = options.createRepository ?? createMemoryRepository;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { describe, expect, afterEach, afterAll } = test;
  const it = (name: string, fn: () => Promise<void>) => test.it(name, fn, timeoutMs);

  describe(`${harness.name} adapter`, () => {
    const running: RunningApp[] = [];
    const repositories: SessionRepository<Session>[] = [];

    afterEach(async () => {
      await Promise.all(running.splice(0).map((app) => app.close()));
      await Promise.all(repositories.splice(0).map((repository) => repository.close?.()));
    });

    async function start(
      options: Omit<AdapterAppOptions, 'session'> & { session?: Partial<AdapterSessionOptions> } = {},
    ) {
      const memory = await createRepository();
      repositories.push(memory);
      const spy = new SpyRepository<Session>(memory);
      const app = await harness.start({
        ...options,
        session: { repository: spy, logger: quietLogger, ...options.session },
      });
      running.push(app);
      return { url: app.url, spy, memory };
    }

    /** Creates a stored session with one attribute and returns its cookie header and id. */
    async function createSession(url: string, cookieName = 'SESSION') {
      const res = await send(`${url}/set?name=seed&value=1`, { method: 'POST' });
      expect(res.status).toBe(200);
      const cookie = findSetCookie(res.setCookies, cookieName);
      expect(cookie).toBeDefined();
      const value = cookie?.value ?? '';
      return {
        cookie: `${cookieName}=${value}`,
        value,
        id: decodeBase64Id(value),
        body: JSON.parse(res.body),
      };
    }

    async function read(url: string, cookie?: string, headers?: Record<string, string>) {
      const res = await send(`${url}/read`, { cookie, headers });
      expect(res.status).toBe(200);
      return { res, body: JSON.parse(res.body) as ReadBody };
    }

    describe('cookie flow', () => {
      it('an anonymous request stores nothing, looks nothing up and sets no cookie', async () => {
        const { url, spy, memory } = await start();
        const anon = await send(`${url}/anon`);
        expect(anon.status).toBe(200);
        expect(anon.body).toBe('anon');
        expect(anon.setCookies).toEqual([]);
        // A repository that makes sessions synchronously is not even asked for one until the app
        // uses its session (this route never does).
        if (typeof memory.createSessionNow === 'function') expect(spy.calls.createSession).toBe(0);
        const { res, body } = await read(url);
        expect(body.isNew).toBe(true);
        expect(res.setCookies).toEqual([]);
        expect(spy.calls.findById).toBe(0);
        expect(spy.calls.save).toBe(0);
      });

      it('the first set stores the session and sends its id as a Spring-style base64 cookie', async () => {
        const { url, spy, memory } = await start();
        const { id, body } = await createSession(url);
        expect(body.id).toBe(id);
        expect(spy.calls.save).toBe(1);
        expect(await memory.findById(id)).not.toBeNull();
        const again = await read(url, `SESSION=${Buffer.from(id).toString('base64')}`);
        expect(again.body.id).toBe(id);
        expect(again.body.isNew).toBe(false);
        expect(again.body.requestedSessionId).toBe(id);
        expect(again.body.attributes.seed).toBe('1');
        // The id did not change, so no cookie is sent again.
        expect(again.res.setCookies).toEqual([]);
      });

      it('a presented id that does not exist is a new session, and its cookie is left alone', async () => {
        const { url, spy } = await start();
        const unknown = Buffer.from(generateSessionId()).toString('base64');
        const { res, body } = await read(url, `SESSION=${unknown}`);
        expect(body.isNew).toBe(true);
        expect(spy.calls.findById).toBe(1);
        expect(res.setCookies).toEqual([]);
      });

      it('tries every SESSION cookie in order and uses the first one the store has', async () => {
        const { url, spy } = await start();
        const { value, id } = await createSession(url);
        spy.resetCounts();
        const stale = Buffer.from(generateSessionId()).toString('base64');
        const { body } = await read(url, `SESSION=${stale}; other=1; SESSION=${value}`);
        expect(body.id).toBe(id);
        expect(spy.findByIdArgs).toEqual([decodeBase64Id(stale), id]);
      });

      it('saves exactly once per changing request, and not at all for a read that changes nothing', async () => {
        const { url, spy } = await start();
        const { cookie } = await createSession(url);
        spy.resetCounts();
        await send(`${url}/set?name=a&value=1`, { method: 'POST', cookie });
        expect(spy.calls.save).toBe(1);
        spy.resetCounts();
        // The memory store touches on read, so a pure read has nothing left to write.
        await read(url, cookie);
        expect(spy.calls.save).toBe(0);
        spy.resetCounts();
        const early = await send(`${url}/save-early`, { method: 'POST', cookie });
        expect(early.status).toBe(200);
        expect(spy.calls.save).toBe(1);
      });
    });

    describe('login, rotation and logout', () => {
      it('login rotates the id; the old id no longer works', async () => {
        const { url, memory } = await start();
        const before = await createSession(url);
        const login = await send(`${url}/login?user=alice`, { method: 'POST', cookie: before.cookie });
        expect(login.status).toBe(200);
        const cookie = findSetCookie(login.setCookies);
        expect(cookie).toBeDefined();
        const newId = decodeBase64Id(cookie?.value ?? '');
        expect(newId).not.toBe(before.id);
        expect(JSON.parse(login.body).id).toBe(newId);

        const after = await read(url, `SESSION=${cookie?.value}`);
        expect(after.body.id).toBe(newId);
        expect(after.body.principal).toBe('alice');
        expect(after.body.attributes.seed).toBe('1');
        expect(after.body.attributes[PRINCIPAL_NAME_INDEX_NAME]).toBe('alice');

        const old = await read(url, before.cookie);
        expect(old.body.isNew).toBe(true);
        expect(old.body.attributes).toEqual({});
        if (isIndexedRepository(memory)) {
          expect([...(await memory.findByPrincipalName('alice')).keys()]).toEqual([newId]);
        }
      });

      it('login without rotation keeps the id and sends no cookie', async () => {
        const { url } = await start();
        const before = await createSession(url);
        const login = await send(`${url}/login-keep-id?user=bob`, { method: 'POST', cookie: before.cookie });
        expect(JSON.parse(login.body).id).toBe(before.id);
        expect(login.setCookies).toEqual([]);
        expect((await read(url, before.cookie)).body.principal).toBe('bob');
      });

      it('a login that creates the session sends a fresh id', async () => {
        const { url } = await start();
        const login = await send(`${url}/login?user=carol`, { method: 'POST' });
        const cookie = findSetCookie(login.setCookies);
        expect(cookie).toBeDefined();
        const after = await read(url, `SESSION=${cookie?.value}`);
        expect(after.body.principal).toBe('carol');
      });

      it('changeSessionId sends the new id and retires the old one', async () => {
        const { url } = await start();
        const before = await createSession(url);
        const rotated = await send(`${url}/rotate`, { method: 'POST', cookie: before.cookie });
        const cookie = findSetCookie(rotated.setCookies);
        expect(decodeBase64Id(cookie?.value ?? '')).toBe(JSON.parse(rotated.body).id);
        expect((await read(url, `SESSION=${cookie?.value}`)).body.attributes.seed).toBe('1');
        expect((await read(url, before.cookie)).body.isNew).toBe(true);
      });

      it('invalidate deletes the session and expires the cookie', async () => {
        const { url, memory } = await start();
        const before = await createSession(url);
        const logout = await send(`${url}/logout`, { method: 'POST', cookie: before.cookie });
        expect(logout.status).toBe(200);
        const cookie = findSetCookie(logout.setCookies);
        expect(cookie?.value).toBe('');
        expect(cookie?.attributes.get('max-age')).toBe('0');
        expect(cookie?.attributes.get('expires')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
        expect(cookie?.attributes.get('path')).toBe('/');
        expect(await memory.findById(before.id)).toBeNull();
        expect((await read(url, before.cookie)).body.isNew).toBe(true);
      });

      it('a value set after invalidate lives in a new session with a new id', async () => {
        const { url } = await start();
        const before = await createSession(url);
        const logout = await send(`${url}/logout-flash`, { method: 'POST', cookie: before.cookie });
        const cookie = findSetCookie(logout.setCookies);
        const newId = decodeBase64Id(cookie?.value ?? '');
        expect(newId).not.toBe(before.id);
        const after = await read(url, `SESSION=${cookie?.value}`);
        expect(after.body.attributes).toEqual({ flash: 'logged out' });
      });
    });

    describe('response kinds carry a new session cookie', () => {
      const kinds: Array<{ path: string; via: string; status: number; body?: string }> = [
        { path: '/redirect', via: 'redirect', status: 302 },
        { path: '/json', via: 'json', status: 200, body: '{"ok":true}' },
        { path: '/raw', via: 'raw', status: 200, body: 'abc' },
        {
          path: '/stream',
          via: 'stream',
          status: 200,
          body: Array.from({ length: STREAM_CHUNKS }, (_, i) => `chunk-${i}\n`).join(''),
        },
        { path: '/error', via: 'error', status: 500, body: '{"error":"internal"}' },
        { path: '/error-unhandled', via: 'error-unhandled', status: 500 },
      ];
      for (const kind of kinds) {
        it(`${kind.path}`, async () => {
          const { url, spy } = await start();
          const res = await send(`${url}${kind.path}`);
          expect(res.status).toBe(kind.status);
          if (kind.body !== undefined) expect(res.body).toBe(kind.body);
          if (kind.status === 302) expect(res.headers.get('location')).toMatch(/\/read$/);
          const cookie = findSetCookie(res.setCookies);
          expect(cookie).toBeDefined();
          expect(spy.calls.save).toBe(1);
          const after = await read(url, `SESSION=${cookie?.value}`);
          expect(after.body.attributes.via).toBe(kind.via);
        });
      }

      it('changes made while a body is still being written are saved once it has finished', async () => {
        const { url, spy } = await start();
        const res = await send(`${url}/late`);
        expect(res.body).toBe('xy');
        const cookie = findSetCookie(res.setCookies);
        await waitFor(() => spy.calls.save === 2);
        const after = await read(url, `SESSION=${cookie?.value}`);
        expect(after.body.attributes).toMatchObject({ before: '1', after: '2' });
      });
    });

    describe('header flow', () => {
      const header = async () => ({ resolver: new (await loadHttpLayer()).HeaderSessionIdResolver() });

      it('sends a new id in X-Auth-Token, reads it back, never sets a cookie', async () => {
        const { url } = await start({ session: await header() });
        const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        const token = created.headers.get('x-auth-token');
        expect(token).toBe(JSON.parse(created.body).id);
        expect(created.setCookies).toEqual([]);
        const again = await read(url, undefined, { 'X-Auth-Token': token ?? '' });
        expect(again.body.attributes.a).toBe('1');
        expect(again.res.headers.get('x-auth-token')).toBeNull();
      });

      it('login rotates the token and logout answers with an empty header', async () => {
        const { url } = await start({ session: await header() });
        const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        const token = created.headers.get('x-auth-token') ?? '';
        const login = await send(`${url}/login?user=dave`, {
          method: 'POST',
          headers: { 'X-Auth-Token': token },
        });
        const rotated = login.headers.get('x-auth-token') ?? '';
        expect(rotated).not.toBe(token);
        expect((await read(url, undefined, { 'X-Auth-Token': token })).body.isNew).toBe(true);
        const logout = await send(`${url}/logout`, { method: 'POST', headers: { 'X-Auth-Token': rotated } });
        expect(logout.headers.get('x-auth-token')).toBe('');
        expect((await read(url, undefined, { 'X-Auth-Token': rotated })).body.isNew).toBe(true);
      });

      it('a custom header name', async () => {
        const { url } = await start({
          session: {
            resolver: new (await loadHttpLayer()).HeaderSessionIdResolver({ headerName: 'X-Session' }),
          },
        });
        const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        expect(created.headers.get('x-session')).toBe(JSON.parse(created.body).id);
      });

      it('composite: header clients get headers, cookie clients get cookies, new sessions get both', async () => {
        const { CompositeSessionIdResolver, CookieSessionIdResolver, HeaderSessionIdResolver } =
          await loadHttpLayer();
        const resolver = new CompositeSessionIdResolver([
          new HeaderSessionIdResolver(),
          new CookieSessionIdResolver(),
        ]);
        const { url } = await start({ session: { resolver } });
        const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
        const token = created.headers.get('x-auth-token') ?? '';
        const cookie = findSetCookie(created.setCookies);
        expect(decodeBase64Id(cookie?.value ?? '')).toBe(token);

        const viaHeader = await send(`${url}/login?user=erin`, {
          method: 'POST',
          headers: { 'X-Auth-Token': token },
        });
        expect(viaHeader.headers.get('x-auth-token')).toBe(JSON.parse(viaHeader.body).id);
        expect(viaHeader.setCookies).toEqual([]);

        const second = await send(`${url}/set?name=b&value=2`, { method: 'POST' });
        const secondCookie = findSetCookie(second.setCookies);
        const viaCookie = await send(`${url}/rotate`, {
          method: 'POST',
          cookie: `SESSION=${secondCookie?.value}`,
        });
        expect(viaCookie.headers.get('x-auth-token')).toBeNull();
        expect(decodeBase64Id(findSetCookie(viaCookie.setCookies)?.value ?? '')).toBe(
          JSON.parse(viaCookie.body).id,
        );
      });
    });

    describe('cookie options, asserted on Set-Cookie', () => {
      async function cookieFor(
        cookie: AdapterCookieOptions | undefined,
        extra: { headers?: Record<string, string>; frameworkTrustsProxy?: boolean; mountPath?: string } = {},
      ) {
        const { url } = await start({
          session: cookie === undefined ? {} : { cookie },
          frameworkTrustsProxy: extra.frameworkTrustsProxy,
          mountPath: extra.mountPath,
        });
        const base = `${url}${extra.mountPath ?? ''}`;
        const res = await send(`${base}/set?name=a&value=1`, { method: 'POST', headers: extra.headers });
        expect(res.status).toBe(200);
        const name = cookie?.cookieName ?? 'SESSION';
        const parsed = findSetCookie(res.setCookies, name);
        if (parsed === undefined) throw new Error(`no ${name} cookie in ${res.setCookies.join(' | ')}`);
        return { parsed, id: JSON.parse(res.body).id as string, base };
      }

      it('defaults: SESSION, base64 value, Path=/, HttpOnly, SameSite=Lax, not Secure, a session cookie', async () => {
        const { parsed, id } = await cookieFor(undefined);
        expect(parsed.value).toBe(Buffer.from(id).toString('base64'));
        expect([...parsed.attributes.keys()].sort()).toEqual(['httponly', 'path', 'samesite']);
        expect(parsed.attributes.get('path')).toBe('/');
        expect(parsed.attributes.get('samesite')).toBe('Lax');
      });

      it('cookieName', async () => {
        const { url } = await start({ session: { cookie: { cookieName: 'sid' } } });
        const { cookie, id } = await createSession(url, 'sid');
        expect((await read(url, cookie)).body.id).toBe(id);
        expect((await read(url, `SESSION=${Buffer.from(id).toString('base64')}`)).body.isNew).toBe(true);
      });

      it('useBase64Encoding: false writes and reads the raw id', async () => {
        const { parsed, id, base } = await cookieFor({ useBase64Encoding: false });
        expect(parsed.value).toBe(id);
        expect((await read(base, `SESSION=${id}`)).body.id).toBe(id);
      });

      it('useHttpOnlyCookie: false', async () => {
        const { parsed } = await cookieFor({ useHttpOnlyCookie: false });
        expect(parsed.attributes.has('httponly')).toBe(false);
      });

      it('useSecureCookie: true and false override the request', async () => {
        expect((await cookieFor({ useSecureCookie: true })).parsed.attributes.has('secure')).toBe(true);
        const forwarded = { 'X-Forwarded-Proto': 'https' };
        const off = await cookieFor({ useSecureCookie: false, trustProxy: true }, { headers: forwarded });
        expect(off.parsed.attributes.has('secure')).toBe(false);
      });

      it('Secure follows X-Forwarded-Proto only from a trusted proxy (trustProxy option)', async () => {
        const forwarded = { 'X-Forwarded-Proto': 'https' };
        expect(
          (await cookieFor({ trustProxy: 'loopback' }, { headers: forwarded })).parsed.attributes.has(
            'secure',
          ),
        ).toBe(true);
        expect(
          (await cookieFor({ trustProxy: '10.0.0.0/8' }, { headers: forwarded })).parsed.attributes.has(
            'secure',
          ),
        ).toBe(false);
        expect(
          (await cookieFor({ trustProxy: false }, { headers: forwarded })).parsed.attributes.has('secure'),
        ).toBe(false);
        expect(
          (await cookieFor({ trustProxy: 1 }, { headers: forwarded })).parsed.attributes.has('secure'),
        ).toBe(true);
        expect((await cookieFor({ trustProxy: true })).parsed.attributes.has('secure')).toBe(false);
      });

      it("Secure follows the framework's own proxy setting when trustProxy is not set", async () => {
        const forwarded = { 'X-Forwarded-Proto': 'https' };
        const trusted = await cookieFor(undefined, { headers: forwarded, frameworkTrustsProxy: true });
        expect(trusted.parsed.attributes.has('secure')).toBe(true);
        const untrusted = await cookieFor(undefined, { headers: forwarded, frameworkTrustsProxy: false });
        expect(untrusted.parsed.attributes.has('secure')).toBe(false);
      });

      it('sameSite: Strict, None, null', async () => {
        expect((await cookieFor({ sameSite: 'Strict' })).parsed.attributes.get('samesite')).toBe('Strict');
        expect(
          (await cookieFor({ sameSite: 'None', useSecureCookie: true })).parsed.attributes.get('samesite'),
        ).toBe('None');
        expect((await cookieFor({ sameSite: null })).parsed.attributes.has('samesite')).toBe(false);
      });

      it('partitioned', async () => {
        const { parsed } = await cookieFor({ partitioned: true, useSecureCookie: true });
        expect(parsed.attributes.has('partitioned')).toBe(true);
        expect((await cookieFor(undefined)).parsed.attributes.has('partitioned')).toBe(false);
      });

      it('cookiePath', async () => {
        expect((await cookieFor({ cookiePath: '/app' })).parsed.attributes.get('path')).toBe('/app');
      });

      it('useContextPath uses the mount path', async () => {
        const mounted = await cookieFor({ useContextPath: true }, { mountPath: '/shop' });
        expect(mounted.parsed.attributes.get('path')).toBe('/shop/');
        const root = await cookieFor({ useContextPath: true });
        expect(root.parsed.attributes.get('path')).toBe('/');
      });

      it('domainName', async () => {
        expect((await cookieFor({ domainName: 'example.com' })).parsed.attributes.get('domain')).toBe(
          'example.com',
        );
      });

      it('domainNamePattern takes the first group of a whole-host match', async () => {
        const { url } = await start({
          session: { cookie: { domainNamePattern: '^.+?\\.(\\w+\\.[a-z]+)$' } },
        });
        const www = await sendRaw(`${url}/set?name=a&value=1`, {
          method: 'POST',
          headers: { Host: 'www.example.com' },
        });
        expect(findSetCookie(www.setCookies)?.attributes.get('domain')).toBe('example.com');
        const local = await sendRaw(`${url}/set?name=a&value=1`, {
          method: 'POST',
          headers: { Host: 'localhost:1234' },
        });
        expect(findSetCookie(local.setCookies)?.attributes.has('domain')).toBe(false);
      });

      it('domainNamePattern reads X-Forwarded-Host from a trusted proxy', async () => {
        const { parsed } = await cookieFor(
          { domainNamePattern: /^.+?\.(\w+\.[a-z]+)$/i, trustProxy: 'loopback' },
          { headers: { 'X-Forwarded-Host': 'shop.example.org' } },
        );
        expect(parsed.attributes.get('domain')).toBe('example.org');
      });

      it('cookieMaxAgeSeconds writes Max-Age and Expires', async () => {
        const before = Date.now();
        const { parsed } = await cookieFor({ cookieMaxAgeSeconds: 3600 });
        expect(parsed.attributes.get('max-age')).toBe('3600');
        const expires = Date.parse(parsed.attributes.get('expires') ?? '');
        expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
        expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
      });

      it('rolling: a request that only reads writes a Max-Age cookie again, so it expires that long after the last request', async () => {
        const { url } = await start({ session: { cookie: { cookieMaxAgeSeconds: 3600 } } });
        const { cookie, value } = await createSession(url);
        const before = Date.now();
        const res = await send(`${url}/read`, { cookie });
        const refreshed = findSetCookie(res.setCookies);
        expect(refreshed?.value).toBe(value);
        expect(refreshed?.attributes.get('max-age')).toBe('3600');
        expect(Date.parse(refreshed?.attributes.get('expires') ?? '')).toBeGreaterThanOrEqual(
          Math.floor(before / 1000) * 1000 + 3600_000,
        );
        // Requests without a session still get no cookie.
        expect((await send(`${url}/anon`)).setCookies).toEqual([]);
      });

      it('rolling: false writes a Max-Age cookie only when the id changes', async () => {
        const { url } = await start({ session: { cookie: { cookieMaxAgeSeconds: 3600, rolling: false } } });
        const { cookie } = await createSession(url);
        expect((await send(`${url}/read`, { cookie })).setCookies).toEqual([]);
        const login = await send(`${url}/login?user=u`, { method: 'POST', cookie });
        expect(findSetCookie(login.setCookies)?.attributes.get('max-age')).toBe('3600');
      });

      it('a browser-session cookie is not rewritten by reading requests', async () => {
        const { url } = await start();
        const { cookie } = await createSession(url);
        expect((await send(`${url}/read`, { cookie })).setCookies).toEqual([]);
      });

      it('priority', async () => {
        expect((await cookieFor({ priority: 'High' })).parsed.attributes.get('priority')).toBe('High');
        expect((await cookieFor(undefined)).parsed.attributes.has('priority')).toBe(false);
      });

      it('secrets: the value is signed; unsigned and forged values never reach the store', async () => {
        const { url, spy } = await start({ session: { cookie: { secrets: ['a-secret-of-the-app'] } } });
        const res = await send(`${url}/set?name=seed&value=1`, { method: 'POST' });
        const signed = findSetCookie(res.setCookies)?.value ?? '';
        const dot = signed.lastIndexOf('.');
        const encoded = signed.slice(0, dot);
        const signature = signed.slice(dot + 1);
        expect(decodeBase64Id(encoded)).toBe(JSON.parse(res.body).id);
        expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect((await read(url, `SESSION=${signed}`)).body.attributes.seed).toBe('1');
        spy.resetCounts();
        const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
        for (const forged of [
          encoded,
          `${encoded}.${'A'.repeat(43)}`,
          `${encoded}.${flipped}`,
          `${signed}x`,
        ]) {
          expect((await read(url, `SESSION=${forged}`)).body.isNew, forged).toBe(true);
        }
        expect(spy.calls.findById).toBe(0);
      });

      it('secrets: a cookie signed with an older secret still works and comes back signed with the newest', async () => {
        const before = await start({ session: { cookie: { secrets: 'old-secret' } } });
        const { value } = await createSession(before.url);
        const rotated = await start({
          session: { repository: before.spy, cookie: { secrets: ['new-secret', 'old-secret'] } },
        });
        const res = await send(`${rotated.url}/read`, { cookie: `SESSION=${value}` });
        expect(JSON.parse(res.body).attributes.seed).toBe('1');
        const resigned = findSetCookie(res.setCookies)?.value;
        expect(resigned).toBeDefined();
        expect(resigned).not.toBe(value);
        const newOnly = await start({
          session: { repository: before.spy, cookie: { secrets: 'new-secret' } },
        });
        expect((await read(newOnly.url, `SESSION=${resigned}`)).body.attributes.seed).toBe('1');
        expect((await read(newOnly.url, `SESSION=${value}`)).body.isNew).toBe(true);
      });

      it('saveUninitialized: a new session is stored and its cookie sent even when nothing was set', async () => {
        const { url, memory } = await start({ session: { saveUninitialized: true } });
        const res = await send(`${url}/read`);
        expect(findSetCookie(res.setCookies)).toBeDefined();
        expect(await memory.findById(JSON.parse(res.body).id)).not.toBeNull();
      });

      it('remember-me makes the cookie persistent for this response', async () => {
        const { url } = await start({ session: { cookie: { rememberMeMaxAgeSeconds: 86_400 } } });
        const { cookie } = await createSession(url);
        const res = await send(`${url}/remember`, { method: 'POST', cookie });
        expect(findSetCookie(res.setCookies)?.attributes.get('max-age')).toBe('86400');
        const fresh = await send(`${url}/remember`, { method: 'POST' });
        expect(findSetCookie(fresh.setCookies)?.attributes.get('max-age')).toBe('86400');
      });

      it('remember-me defaults to 400 days', async () => {
        const { url } = await start();
        const res = await send(`${url}/remember`, { method: 'POST' });
        expect(findSetCookie(res.setCookies)?.attributes.get('max-age')).toBe(String(400 * 24 * 3600));
      });

      it('the expiring cookie of a logout carries the same path, domain and flags', async () => {
        const { url } = await start({
          session: {
            cookie: { cookiePath: '/', domainName: 'example.com', sameSite: 'Strict', useSecureCookie: true },
          },
        });
        const { cookie } = await createSession(url);
        const res = await send(`${url}/logout`, { method: 'POST', cookie });
        const parsed = findSetCookie(res.setCookies);
        expect(parsed?.attributes.get('domain')).toBe('example.com');
        expect(parsed?.attributes.get('samesite')).toBe('Strict');
        expect(parsed?.attributes.has('secure')).toBe(true);
        expect(parsed?.attributes.get('max-age')).toBe('0');
      });
    });

    describe('malformed ids never reach the store', () => {
      const validId = generateSessionId();
      const randomLatin1 = (length: number): string => {
        // Bytes a header may carry (no controls, no separators), at least one above 0x7F.
        const allowed = [...randomBytes(length)].map((byte) => {
          const code = 0x80 + (byte % 0x80);
          return String.fromCharCode(code);
        });
        return `x${allowed.join('')}`;
      };
      const paddedId = 'A'.repeat(32); // 32 bytes: its base64 ends in one '='
      const canonical = Buffer.from(paddedId).toString('base64');
      const forgedVariants = {
        'base64 of a too-long id': Buffer.from('a'.repeat(200)).toString('base64'),
        'base64 of a path traversal': Buffer.from('../../../../etc/passwd').toString('base64'),
        'base64 of an id in the wrong alphabet': Buffer.from('$'.repeat(32)).toString('base64'),
        'base64url instead of base64': Buffer.from(`${'?'.repeat(30)}>>`).toString('base64url'),
        'non-canonical base64 (changed padding bits)': `${canonical.slice(0, 42)}${String.fromCharCode(canonical.charCodeAt(42) + 1)}=`,
        'base64 without padding': canonical.slice(0, -1),
      };
      const cookieCases: Record<string, string> = {
        '10 kB long': 'A'.repeat(10_240),
        'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
        'raw id where base64 is expected (with =)': `${validId}==`,
        ...forgedVariants,
      };
      const headerCases: Record<string, string> = {
        '10 kB long': 'A'.repeat(10_240),
        'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
        'too short': 'abc123',
        'forged base64 of a valid id (padded)': Buffer.from(validId).toString('base64'),
        'forged base64 with + and /': '+/+/'.repeat(8),
        'base64 of a path traversal': forgedVariants['base64 of a path traversal'],
        'base64 of a too-long id': forgedVariants['base64 of a too-long id'],
      };

      it('in a cookie: random bytes', async () => {
        const { url, spy } = await start();
        for (let i = 0; i < 5; i++) {
          const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${randomLatin1(64)}` } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
          expect(res.setCookies).toEqual([]);
        }
        expect(spy.calls.findById).toBe(0);
      });

      for (const [label, value] of Object.entries(cookieCases)) {
        it(`in a cookie: ${label}`, async () => {
          const { url, spy } = await start();
          const res = await send(`${url}/read`, { cookie: `SESSION=${value}` });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
          expect(res.setCookies).toEqual([]);
          expect(spy.calls.findById).toBe(0);
          // Writing still works and replaces the bad cookie.
          const write = await send(`${url}/set?name=a&value=1`, {
            method: 'POST',
            cookie: `SESSION=${value}`,
          });
          expect(write.status).toBe(200);
          expect(findSetCookie(write.setCookies)).toBeDefined();
          expect(spy.calls.findById).toBe(0);
        });
      }

      const rawCookieCases: Record<string, string> = {
        '10 kB long': 'A'.repeat(10_240),
        'wrong alphabet': '$%^&*()!@#[]{}<>'.repeat(3),
        'too short': 'abc123',
        'base64 with padding': Buffer.from(validId).toString('base64'),
        // UTF-8 bytes of full-width letters, as a browser would send them.
        'unicode look-alikes': Buffer.from('ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ', 'utf8').toString('latin1'),
      };

      it('in a raw (not base64) cookie: random bytes', async () => {
        const { url, spy } = await start({ session: { cookie: { useBase64Encoding: false } } });
        for (let i = 0; i < 5; i++) {
          const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${randomLatin1(64)}` } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
        }
        expect(spy.calls.findById).toBe(0);
      });

      for (const [label, value] of Object.entries(rawCookieCases)) {
        it(`in a raw (not base64) cookie: ${label}`, async () => {
          const { url, spy } = await start({ session: { cookie: { useBase64Encoding: false } } });
          const res = await sendRaw(`${url}/read`, { headers: { Cookie: `SESSION=${value}` } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
          expect(res.setCookies).toEqual([]);
          expect(spy.calls.findById).toBe(0);
        });
      }

      it('in a header: random bytes', async () => {
        const { url, spy } = await start({
          session: { resolver: new (await loadHttpLayer()).HeaderSessionIdResolver() },
        });
        for (let i = 0; i < 5; i++) {
          const res = await sendRaw(`${url}/read`, { headers: { 'X-Auth-Token': randomLatin1(64) } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
        }
        expect(spy.calls.findById).toBe(0);
      });

      for (const [label, value] of Object.entries(headerCases)) {
        it(`in a header: ${label}`, async () => {
          const { url, spy } = await start({
            session: { resolver: new (await loadHttpLayer()).HeaderSessionIdResolver() },
          });
          const res = await send(`${url}/read`, { headers: { 'X-Auth-Token': value } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body).isNew).toBe(true);
          expect(res.headers.get('x-auth-token')).toBeNull();
          expect(spy.calls.findById).toBe(0);
        });
      }
    });

    describe('a store that is down', () => {
      const timeouts = { storeTimeoutMs: 100 };

      for (const mode of ['reject', 'hang'] as const) {
        it(`answers 503 while the store ${mode === 'reject' ? 'fails' : 'hangs'}, and recovers`, async () => {
          const { url, spy } = await start({ session: timeouts });
          const { cookie } = await createSession(url);
          spy.mode = mode;

          const load = await send(`${url}/read`, { cookie });
          expect(load.status).toBe(503);
          expect(JSON.parse(load.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
          expect(load.setCookies).toEqual([]);

          for (const path of ['/set?name=a&value=1', '/redirect', '/stream', '/raw']) {
            const write = await send(`${url}${path}`, { method: path.startsWith('/set') ? 'POST' : 'GET' });
            expect(write.status, path).toBe(503);
            expect(JSON.parse(write.body)).toEqual({ error: 'SESSION_STORE_UNAVAILABLE' });
            expect(write.setCookies, path).toEqual([]);
            // What the route had set is dropped with its response.
            expect(write.headers.get('location'), path).toBeNull();
          }

          const logout = await send(`${url}/logout`, { method: 'POST', cookie });
          expect(logout.status).toBe(503);

          // Requests that never touch the store are unaffected.
          const anon = await send(`${url}/anon`);
          expect(anon.status).toBe(200);

          spy.mode = 'ok';
          const back = await read(url, cookie);
          expect(back.body.attributes.seed).toBe('1');
          const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
          expect(created.status).toBe(200);
          expect(findSetCookie(created.setCookies)).toBeDefined();
        });
      }

      for (const mode of ['reject', 'hang'] as const) {
        it(`with whenStoreUnavailable: 'continue', requests run without a session while the store ${mode === 'reject' ? 'fails' : 'hangs'}, and nothing is written`, async () => {
          const { url, spy } = await start({ session: { ...timeouts, whenStoreUnavailable: 'continue' } });
          const { cookie } = await createSession(url);
          spy.mode = mode;
          // Loading fails: the request runs without a session.
          const anon = await send(`${url}/anon`, { cookie });
          expect(anon.status).toBe(200);
          expect(anon.body).toBe('anon');
          expect(anon.setCookies).toEqual([]);
          // Saving fails: the response goes out, without an id for a session the store does not have.
          const write = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
          expect(write.status).toBe(200);
          expect(write.setCookies).toEqual([]);
          spy.mode = 'ok';
          const back = await read(url, cookie);
          expect(back.body.attributes).toEqual({ seed: '1' });
        });
      }

      it("reaches the framework's default error handling with status 503", async () => {
        const { url, spy } = await start({ session: timeouts, defaultErrorHandler: true });
        const { cookie } = await createSession(url);
        spy.mode = 'hang';
        expect((await send(`${url}/read`, { cookie })).status).toBe(503);
        expect((await send(`${url}/set?name=a&value=1`, { method: 'POST' })).status).toBe(503);
        spy.mode = 'ok';
        expect((await send(`${url}/read`, { cookie })).status).toBe(200);
      });
    });

    for (const store of stores) {
      describe(`with the ${store.name} store`, () => {
        const contexts: Array<{ close(): Promise<void> }> = [];
        afterAll(async () => {
          await Promise.all(contexts.splice(0).map((context) => context.close()));
        });

        it('keeps all 50 attributes set by 50 concurrent requests on one session (no lost update)', async () => {
          const context = await store.create();
          contexts.push(context);
          const app = await harness.start({
            session: { repository: context.repository, logger: quietLogger },
          });
          running.push(app);
          const { cookie, id } = await createSession(app.url);
          const responses = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              send(`${app.url}/set?name=k${i}&value=${i}`, { method: 'POST', cookie }),
            ),
          );
          for (const res of responses) {
            expect(res.status).toBe(200);
            expect(res.setCookies).toEqual([]);
          }
          const { body } = await read(app.url, cookie);
          expect(body.id).toBe(id);
          for (let i = 0; i < 50; i++) expect(body.attributes[`k${i}`]).toBe(String(i));
          expect(body.attributes.seed).toBe('1');
        });

        describe(`races with a login that rotates the id (${RACE_ROUNDS} rounds each)`, () => {
          async function raceApp() {
            const context = await store.create();
            contexts.push(context);
            // Network-like latency on every call, so the two requests interleave in every order.
            const app = await harness.start({
              session: { repository: new LatencyRepository(context.repository), logger: quietLogger },
            });
            running.push(app);
            const exists = async (id: string) => (await context.repository.findById(id)) !== null;
            return { url: app.url, repository: context.repository, exists };
          }

          /** Every non-empty session cookie a response sets, as ids. */
          const cookieIds = (res: { setCookies: string[] }) =>
            res.setCookies
              .map((header) => findSetCookie([header]))
              .filter((cookie) => cookie !== undefined && cookie.value !== '')
              .map((cookie) => decodeBase64Id(cookie?.value ?? ''));

          it('login vs write: no cookie for a missing id, no acknowledged write lost, the user stays signed in', async () => {
            const { url, repository, exists } = await raceApp();
            const stats = { acknowledged: 0, conflicts: 0, lostAcknowledged: 0, deadCookies: 0 };
            await inRounds(async (round) => {
              const { cookie } = await createSession(url);
              const [login, write] = await Promise.all([
                send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
                send(`${url}/set?name=w&value=${round}`, { method: 'POST', cookie }),
              ]);
              expect(login.status).toBe(200);
              expect([200, 409]).toContain(write.status);
              for (const id of [...cookieIds(login), ...cookieIds(write)]) {
                if (!(await exists(id))) stats.deadCookies++;
              }
              const [loginId] = cookieIds(login);
              const after = loginId === undefined ? null : await repository.findById(loginId);
              expect(after?.get(PRINCIPAL_NAME_INDEX_NAME)).toBe(`u${round}`);
              if (write.status === 200) {
                stats.acknowledged++;
                if (after?.get('w') !== String(round)) stats.lostAcknowledged++;
              } else {
                stats.conflicts++;
                expect(JSON.parse(write.body)).toEqual({ error: 'SESSION_SAVE_CONFLICT' });
              }
            });
            expect({ deadCookies: stats.deadCookies, lostAcknowledged: stats.lostAcknowledged }).toEqual({
              deadCookies: 0,
              lostAcknowledged: 0,
            });
            expect(stats.acknowledged + stats.conflicts).toBe(RACE_ROUNDS);
          });

          it('login vs login (a double-submitted form): both sign in, no cookie for a missing id', async () => {
            const { url, repository } = await raceApp();
            let deadCookies = 0;
            await inRounds(async (round) => {
              const { cookie } = await createSession(url);
              const responses = await Promise.all([
                send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
                send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
              ]);
              for (const res of responses) {
                expect(res.status).toBe(200);
                const ids = cookieIds(res);
                expect(ids).toHaveLength(1);
                const found = await repository.findById(ids[0] as string);
                if (found === null) deadCookies++;
                else expect(found.get(PRINCIPAL_NAME_INDEX_NAME)).toBe(`u${round}`);
              }
            });
            expect(deadCookies).toBe(0);
          });

          it('logout vs login: the logout is never undone', async () => {
            const { url, repository, exists } = await raceApp();
            let undone = 0;
            await inRounds(async (round) => {
              const { cookie, id } = await createSession(url);
              const [logout, login] = await Promise.all([
                send(`${url}/logout`, { method: 'POST', cookie }),
                send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
              ]);
              expect(logout.status).toBe(200);
              expect(login.status).toBe(200);
              if (await exists(id)) undone++;
              // A login that lost the race may sign in afresh, but never keeps the logged-out session.
              for (const loginId of cookieIds(login)) {
                const survivor = await repository.findById(loginId);
                if (survivor !== null && survivor.get('seed') !== undefined) undone++;
              }
            });
            expect(undone).toBe(0);
          });
        });

        it('a read-only request costs one lookup and no save; a changing one exactly one save', async () => {
          const context = await store.create();
          contexts.push(context);
          const spy = new SpyRepository(context.repository);
          const app = await harness.start({ session: { repository: spy, logger: quietLogger } });
          running.push(app);
          const { cookie } = await createSession(app.url);
          spy.resetCounts();
          await read(app.url, cookie);
          expect(spy.calls).toMatchObject({ findById: 1, save: 0 });
          spy.resetCounts();
          await send(`${app.url}/set?name=a&value=1`, { method: 'POST', cookie });
          expect(spy.calls).toMatchObject({ findById: 1, save: 1 });
        });

        if (store.canStop) {
          it('answers 503 within the store timeout while the backend is stopped, and recovers', async () => {
            const context = await store.create();
            contexts.push(context);
            const { outage } = context;
            if (outage === undefined) throw new Error(`${store.name} has no outage switch`);
            const app = await harness.start({
              session: { repository: context.repository, logger: quietLogger, storeTimeoutMs: 300 },
            });
            running.push(app);
            const { cookie } = await createSession(app.url);
            await outage.begin();
            try {
              const load = await send(`${app.url}/read`, { cookie });
              expect(load.status).toBe(503);
              const write = await send(`${app.url}/set?name=a&value=1`, { method: 'POST' });
              expect(write.status).toBe(503);
              expect(write.setCookies).toEqual([]);
              expect((await send(`${app.url}/anon`)).status).toBe(200);
            } finally {
              await outage.end();
            }
            const back = await read(app.url, cookie);
            expect(back.body.attributes.seed).toBe('1');
            expect((await send(`${app.url}/set?name=b&value=2`, { method: 'POST', cookie })).status).toBe(
              200,
            );

            // Gone for good: still a quick 503, never a hang or a crash.
            await outage.kill();
            expect((await send(`${app.url}/read`, { cookie })).status).toBe(503);
            expect((await send(`${app.url}/set?name=a&value=1`, { method: 'POST' })).status).toBe(503);
            expect((await send(`${app.url}/anon`)).status).toBe(200);
          });
        }
      });
    }
  });
}

/** The JSON body of `GET /read` for a request's session. */
export function readBody(session: ReadableSession): ReadBody {
  const attributes: Record<string, unknown> = {};
  for (const name of session.names()) attributes[name] = session.get(name as never);
  return {
    id: session.id,
    isNew: session.isNew,
    requestedSessionId: session.requestedSessionId ?? null,
    principal: session.principal ?? null,
    attributes,
  };
}

/** Polls until `condition` holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
