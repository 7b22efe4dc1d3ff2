import { generateSessionId, InvalidArgumentError } from '@session/core';
import { describe, expect, it } from 'vitest';
import {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  type SessionExchange,
} from '../src/index.js';

function exchange(
  headers: Record<string, string> = {},
  extra: Partial<Omit<SessionExchange, 'request' | 'response'>> = {},
) {
  const out = new Map<string, number | string | readonly string[]>();
  const value: SessionExchange = {
    request: { headers, socket: { remoteAddress: '127.0.0.1' } },
    response: {
      getHeader: (name) => out.get(name.toLowerCase()) as string | string[] | undefined,
      setHeader: (name, v) => out.set(name.toLowerCase(), v),
    },
    ...extra,
  };
  return { exchange: value, out, setCookies: () => (out.get('set-cookie') ?? []) as string[] };
}

const b64 = (id: string) => Buffer.from(id).toString('base64');

describe('CookieSessionIdResolver', () => {
  it('returns valid ids only, deduplicated, in cookie order', () => {
    const [a, b] = [generateSessionId(), generateSessionId()];
    const resolver = new CookieSessionIdResolver();
    const { exchange: ex } = exchange({
      cookie: `SESSION=${b64(a)}; SESSION=garbage; SESSION=${b64(b)}; SESSION=${b64(a)}`,
    });
    expect(resolver.resolveSessionIds(ex.request)).toEqual([a, b]);
  });

  it('remember-me false rewrites a session cookie even with cookieMaxAgeSeconds', () => {
    const resolver = new CookieSessionIdResolver({ cookieMaxAgeSeconds: 60 });
    const id = generateSessionId();
    const persistent = exchange();
    resolver.setSessionId(persistent.exchange, id);
    expect(persistent.setCookies()[0]).toContain('Max-Age=60');
    const sessionOnly = exchange({}, { rememberMe: false });
    resolver.setSessionId(sessionOnly.exchange, id);
    expect(sessionOnly.setCookies()[0]).not.toContain('Max-Age');
    const negative = exchange();
    new CookieSessionIdResolver({ cookieMaxAgeSeconds: -1 }).setSessionId(negative.exchange, id);
    expect(negative.setCookies()[0]).not.toContain('Max-Age');
  });

  it('context path: trailing slashes collapse, and an explicit cookiePath wins', () => {
    const id = generateSessionId();
    const mounted = exchange({}, { contextPath: '/shop/' });
    new CookieSessionIdResolver({ useContextPath: true }).setSessionId(mounted.exchange, id);
    expect(mounted.setCookies()[0]).toContain('Path=/shop/;');
    const explicit = exchange({}, { contextPath: '/shop' });
    new CookieSessionIdResolver({ useContextPath: true, cookiePath: '/x' }).setSessionId(
      explicit.exchange,
      id,
    );
    expect(explicit.setCookies()[0]).toContain('Path=/x;');
  });

  it('a RegExp domain pattern with the global flag gives the same answer on every request', () => {
    const resolver = new CookieSessionIdResolver({ domainNamePattern: /^.+?\.(\w+\.[a-z]+)$/g });
    for (let i = 0; i < 3; i++) {
      const { exchange: ex, setCookies } = exchange({}, { hostname: 'www.example.com' });
      resolver.setSessionId(ex, generateSessionId());
      expect(setCookies()[0]).toContain('Domain=example.com');
    }
  });

  it('the framework hint decides Secure unless trustProxy is set', () => {
    const id = generateSessionId();
    const hinted = exchange({}, { secure: true });
    new CookieSessionIdResolver().setSessionId(hinted.exchange, id);
    expect(hinted.setCookies()[0]).toContain('Secure');
    const overridden = exchange({}, { secure: true });
    new CookieSessionIdResolver({ trustProxy: false }).setSessionId(overridden.exchange, id);
    expect(overridden.setCookies()[0]).not.toContain('Secure');
  });

  it('rejects unusable options with InvalidArgumentError', () => {
    expect(() => new CookieSessionIdResolver({ cookieName: 'a b' })).toThrow(InvalidArgumentError);
    expect(() => new CookieSessionIdResolver({ domainName: 'a.com', domainNamePattern: 'x' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CookieSessionIdResolver({ sameSite: 'sometimes' as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CookieSessionIdResolver({ cookiePath: '/a;b' })).toThrow(InvalidArgumentError);
    expect(() => new CookieSessionIdResolver({ domainNamePattern: '(' })).toThrow(InvalidArgumentError);
    expect(() => new CookieSessionIdResolver({ cookieMaxAgeSeconds: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(new CookieSessionIdResolver({ sameSite: 'strict' as never })).toBeInstanceOf(
      CookieSessionIdResolver,
    );
  });
});

describe('HeaderSessionIdResolver', () => {
  it('splits repeated headers and ignores invalid parts', () => {
    const [a, b] = [generateSessionId(), generateSessionId()];
    const { exchange: ex } = exchange({ 'x-auth-token': `${a}, nonsense!, ${b}` });
    expect(new HeaderSessionIdResolver().resolveSessionIds(ex.request)).toEqual([a, b]);
  });

  it('writes the id, and an empty value on expiry', () => {
    const resolver = HeaderSessionIdResolver.authenticationInfo();
    const { exchange: ex, out } = exchange();
    resolver.setSessionId(ex, 'x'.repeat(20));
    expect(out.get('authentication-info')).toBe('x'.repeat(20));
    resolver.expireSession(ex);
    expect(out.get('authentication-info')).toBe('');
    expect(() => new HeaderSessionIdResolver({ headerName: 'bad header' })).toThrow(InvalidArgumentError);
  });
});

describe('CompositeSessionIdResolver', () => {
  const header = new HeaderSessionIdResolver();
  const cookie = new CookieSessionIdResolver();
  const [fromHeader, fromCookie] = [generateSessionId(), generateSessionId()];
  const both = { 'x-auth-token': fromHeader, cookie: `SESSION=${b64(fromCookie)}` };

  it('orders candidates by resolver', () => {
    const { exchange: ex } = exchange(both);
    expect(new CompositeSessionIdResolver([header, cookie]).resolveSessionIds(ex.request)).toEqual([
      fromHeader,
      fromCookie,
    ]);
    expect(new CompositeSessionIdResolver([cookie, header]).resolveSessionIds(ex.request)).toEqual([
      fromCookie,
      fromHeader,
    ]);
  });

  it("'matched' answers through the resolver whose id was found; 'all' through every one", () => {
    const newId = generateSessionId();
    const matched = exchange(both, { requestedSessionId: fromCookie });
    new CompositeSessionIdResolver([header, cookie]).setSessionId(matched.exchange, newId);
    expect(matched.out.has('x-auth-token')).toBe(false);
    expect(matched.setCookies()).toHaveLength(1);

    const fresh = exchange();
    new CompositeSessionIdResolver([header, cookie]).setSessionId(fresh.exchange, newId);
    expect(fresh.out.get('x-auth-token')).toBe(newId);
    expect(fresh.setCookies()).toHaveLength(1);

    const all = exchange(both, { requestedSessionId: fromCookie });
    new CompositeSessionIdResolver([header, cookie], { writeTo: 'all' }).setSessionId(all.exchange, newId);
    expect(all.out.get('x-auth-token')).toBe(newId);
  });

  it('expiry clears every resolver that presented an id', () => {
    const onlyCookie = exchange({ cookie: `SESSION=${b64(fromCookie)}` });
    new CompositeSessionIdResolver([header, cookie]).expireSession(onlyCookie.exchange);
    expect(onlyCookie.out.has('x-auth-token')).toBe(false);
    expect(onlyCookie.setCookies()[0]).toContain('Max-Age=0');
    expect(() => new CompositeSessionIdResolver([])).toThrow(InvalidArgumentError);
  });
});
