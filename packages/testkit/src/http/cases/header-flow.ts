import { decodeBase64Id, findSetCookie, send } from '../client.js';
import type { AdapterSuiteContext } from '../suite-context.js';

/** Ids in a header (X-Auth-Token), custom header names and the composite header-or-cookie resolver. */
export function headerFlowCases(ctx: AdapterSuiteContext): void {
  const { describe, it, expect, start, read } = ctx;

  describe('header flow', () => {
    const header = () => ({ resolver: new ctx.http.HeaderSessionIdResolver() });

    it('sends a new id in X-Auth-Token, reads it back, never sets a cookie', async () => {
      const { url } = await start({ session: header() });
      const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
      const token = created.headers.get('x-auth-token');
      expect(token).toBe(JSON.parse(created.body).id);
      expect(created.setCookies).toEqual([]);
      const again = await read(url, undefined, { 'X-Auth-Token': token ?? '' });
      expect(again.body.attributes.a).toBe('1');
      expect(again.res.headers.get('x-auth-token')).toBeNull();
    });

    it('login rotates the token and logout answers with an empty header', async () => {
      const { url } = await start({ session: header() });
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
          resolver: new ctx.http.HeaderSessionIdResolver({ headerName: 'X-Session' }),
        },
      });
      const created = await send(`${url}/set?name=a&value=1`, { method: 'POST' });
      expect(created.headers.get('x-session')).toBe(JSON.parse(created.body).id);
    });

    it('composite: header clients get headers, cookie clients get cookies, new sessions get both', async () => {
      const { CompositeSessionIdResolver, CookieSessionIdResolver, HeaderSessionIdResolver } = ctx.http;
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
}
