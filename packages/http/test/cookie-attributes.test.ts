import { InvalidArgumentError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { CookieSessionIdResolver, formatSetCookie } from '../src/index.js';
import { writtenCookie } from './support/fake-exchange.js';

describe('cookie attributes browsers require together', () => {
  it('SameSite=None and Partitioned always carry Secure, even on a plain-HTTP request', () => {
    for (const options of [{ sameSite: 'None' as const }, { partitioned: true }]) {
      expect(writtenCookie(options)).toMatch(/; Secure(;|$)/);
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
});

describe('cookie attributes that would break or inject a Set-Cookie', () => {
  it('Domain and Path with ;, CR, LF or non-ASCII are refused with a typed error', () => {
    for (const bad of ['a.com; Secure', 'a.com\r\nX-Evil: 1', 'a.com\nb', 'exämple.com', 'a.com\0']) {
      expect(() => new CookieSessionIdResolver({ domainName: bad })).toThrow(InvalidArgumentError);
      expect(() => new CookieSessionIdResolver({ cookiePath: `/${bad}` })).toThrow(InvalidArgumentError);
    }
  });
});

describe('cookie lifetimes', () => {
  it('caps Max-Age at the 400 days browsers keep, so Expires stays a real date', () => {
    const now = Date.UTC(2026, 0, 1);
    const cookie = formatSetCookie('SESSION', 'x', { maxAgeSeconds: 1e15, now });
    expect(cookie).toContain(`Max-Age=${400 * 86_400}`);
    expect(cookie).toContain(`Expires=${new Date(now + 400 * 86_400_000).toUTCString()}`);
    expect(cookie).not.toContain('Invalid Date');
  });
});
