import { InvalidArgumentError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { CookieSessionIdResolver } from '../src/index.js';
import { writtenCookie } from './support/fake-exchange.js';

describe('RFC 6265bis cookie name prefixes', () => {
  it('__Secure- and __Host- cookies always carry Secure; __Host- has Path=/ and no Domain', () => {
    expect(writtenCookie({ cookieName: '__Secure-SESSION' })).toMatch(/; Secure/);
    const host = writtenCookie({ cookieName: '__Host-SESSION' });
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
