import { decodeBase64Id, findSetCookie, send, sendRaw } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';
import type { AdapterCookieOptions } from '../types.js';

/** Every cookie option, asserted on the Set-Cookie header it produces. */
export function cookieOptionCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, createSession, read } = ctx;

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
        (await cookieFor({ trustProxy: 'loopback' }, { headers: forwarded })).parsed.attributes.has('secure'),
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
      for (const forged of [encoded, `${encoded}.${'A'.repeat(43)}`, `${encoded}.${flipped}`, `${signed}x`]) {
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
}
