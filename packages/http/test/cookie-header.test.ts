import { describe, expect, it } from 'vitest';
import { formatSetCookie, putSetCookie, readCookieValues } from '../src/index.js';

function fakeResponse(initial?: string[]) {
  const headers = new Map<string, number | string | readonly string[]>();
  if (initial) headers.set('set-cookie', initial);
  return {
    headers,
    getHeader: (name: string) => headers.get(name.toLowerCase()) as string | string[] | undefined,
    setHeader: (name: string, value: number | string | readonly string[]) =>
      headers.set(name.toLowerCase(), value),
  };
}

describe('readCookieValues', () => {
  it('returns every value of the name, in order, and nothing else', () => {
    expect(readCookieValues('a=1; SESSION=x; b=2; SESSION=y;SESSION=z', 'SESSION')).toEqual(['x', 'y', 'z']);
    expect(readCookieValues('SESSIONX=1; XSESSION=2', 'SESSION')).toEqual([]);
    expect(readCookieValues(undefined, 'SESSION')).toEqual([]);
  });

  it('trims, unquotes, keeps = inside values and survives junk', () => {
    expect(readCookieValues(' SESSION = "abc=" ;junk; =; SESSION=', 'SESSION')).toEqual(['abc=', '']);
    expect(readCookieValues(['a=1', 'SESSION=2'], 'SESSION')).toEqual(['2']);
  });

  it('quoted values, = inside values, duplicates, bare words and an unrelated name that ends like ours', () => {
    const header = 'xSESSION=1; SESSION="YWJj"; ;; bare; SESSION=a=b==; SESSION ; session=low; SESSION=';
    expect(readCookieValues(header, 'SESSION')).toEqual(['YWJj', 'a=b==', '']);
  });

  it('a header made of thousands of pairs without = still finds the one that matters', () => {
    const header = `${'junk;'.repeat(20_000)} SESSION=abc`;
    expect(readCookieValues(header, 'SESSION')).toEqual(['abc']);
  });
});

describe('formatSetCookie', () => {
  it('writes attributes in a fixed order with Expires next to Max-Age', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(
      formatSetCookie('SESSION', 'abc', {
        maxAgeSeconds: 60,
        now,
        domain: 'example.com',
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
        partitioned: true,
      }),
    ).toBe(
      'SESSION=abc; Max-Age=60; Expires=Tue, 01 Jan 2030 00:01:00 GMT; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned',
    );
    expect(formatSetCookie('SESSION', '', { maxAgeSeconds: 0 })).toBe(
      'SESSION=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
  });

  it('refuses names and values a cookie cannot carry', () => {
    expect(() => formatSetCookie('bad name', 'x')).toThrow(TypeError);
    expect(() => formatSetCookie('ok', 'a;b')).toThrow(TypeError);
  });
});

describe('putSetCookie', () => {
  it('keeps other cookies and replaces an earlier one of the same name', () => {
    const res = fakeResponse(['other=1; Path=/', 'SESSION=old; Path=/']);
    putSetCookie(res, 'SESSION', 'SESSION=new; Path=/');
    expect(res.headers.get('set-cookie')).toEqual(['other=1; Path=/', 'SESSION=new; Path=/']);
  });
});
