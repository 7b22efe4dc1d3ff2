import { describe, expect, it } from 'vitest';
import {
  CookieSessionIdResolver,
  signCookieValue,
  unsignExpressSessionCookie,
  verifyCookieValue,
  verifyKeygripSignature,
} from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

const ID = 'a'.repeat(32);

describe('signed cookie values', () => {
  it('verify with the secret that signed them, and say which of the list it was', () => {
    const signed = signCookieValue('SESSION', 'value', 'older');
    expect(signed).toMatch(/^value\.[A-Za-z0-9_-]{43}$/);
    expect(verifyCookieValue('SESSION', signed, ['newer', 'older'])).toEqual({
      value: 'value',
      secretIndex: 1,
    });
    expect(verifyCookieValue('SESSION', signed, ['newer'])).toBeUndefined();
  });

  it('a value signed for one cookie name is refused under another', () => {
    expect(verifyCookieValue('other', signCookieValue('SESSION', 'value', 's'), ['s'])).toBeUndefined();
  });

  it('unsigned, truncated and tampered values are refused', () => {
    const signed = signCookieValue('SESSION', 'value', 's');
    for (const bad of [
      'value',
      `${signed}x`,
      signed.slice(0, -1),
      `other.${signed.split('.')[1]}`,
      '.',
      '',
    ]) {
      expect(verifyCookieValue('SESSION', bad, ['s']), bad).toBeUndefined();
    }
  });
});

describe("express-session's connect.sid (cookie-signature)", () => {
  // cookie-signature's own test vector: sign('hello', 'tobiiscool').
  const vector = 's:hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI';

  it('reads s:<id>.<signature>, URI-encoded as browsers send it, with any of the secrets', () => {
    expect(unsignExpressSessionCookie(vector, ['tobiiscool'])).toBe('hello');
    expect(unsignExpressSessionCookie(encodeURIComponent(vector), ['new', 'tobiiscool'])).toBe('hello');
  });

  it('refuses unsigned values, other secrets, forged signatures and broken encodings', () => {
    for (const bad of [
      'hello',
      'hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI',
      `${vector}x`,
      's:hello.AAAA',
      '%E0%A4%A',
      's:.x',
    ]) {
      expect(unsignExpressSessionCookie(bad, ['tobiiscool']), bad).toBeUndefined();
    }
    expect(unsignExpressSessionCookie(vector, ['another'])).toBeUndefined();
  });
});

describe("koa's signature cookie (keygrip)", () => {
  // keygrip(['k1']).sign('koa.sess=abc') and keygrip(['k2']).sign(...), computed with keygrip 1.1.
  it('verifies koa.sess.sig against each key and returns its index', () => {
    expect(verifyKeygripSignature('koa.sess', 'abc', 'RqW9vLsEAcQn8a7vgrkDHq1ykiE', ['k1', 'k2'])).toBe(0);
    expect(verifyKeygripSignature('koa.sess', 'abc', 'yStd04f2caJjHSvIC4wqavAJT-c', ['k1', 'k2'])).toBe(1);
    expect(verifyKeygripSignature('koa.sess', 'abd', 'RqW9vLsEAcQn8a7vgrkDHq1ykiE', ['k1'])).toBe(-1);
    expect(verifyKeygripSignature('koa.sess', 'abc', 'RqW9vLsEAcQn8a7vgrkDHq1ykiE', ['k2'])).toBe(-1);
  });
});

describe('CookieSessionIdResolver with secrets', () => {
  const request = (cookie: string) => ({ headers: { cookie } });

  it('writes signed values and reads back only values it signed', () => {
    const resolver = new CookieSessionIdResolver({ secrets: 'app-secret' });
    const { exchange, out } = fakeExchange();
    resolver.setSessionId(exchange, ID);
    const value = String(out.get('set-cookie')).split(';')[0]?.slice('SESSION='.length) ?? '';
    expect(resolver.resolveSessionIds(request(`SESSION=${value}`))).toEqual([ID]);
    expect(resolver.resolveSessionIds(request(`SESSION=${Buffer.from(ID).toString('base64')}`))).toEqual([]);
    expect(resolver.signed).toBe(true);
  });

  it('asks for a refresh when the presented cookie was signed with an older secret', () => {
    const old = new CookieSessionIdResolver({ secrets: 'old' });
    const { exchange, out } = fakeExchange();
    old.setSessionId(exchange, ID);
    const cookie = String(out.get('set-cookie')).split(';')[0] ?? '';
    const rotated = new CookieSessionIdResolver({ secrets: ['new', 'old'] });
    expect(rotated.resolveSessionIds(request(cookie))).toEqual([ID]);
    expect(rotated.refreshSessionId(request(cookie), ID, undefined)).toBe(true);
    const current = new CookieSessionIdResolver({ secrets: ['old', 'older'] });
    expect(current.refreshSessionId(request(cookie), ID, undefined)).toBe(false);
  });

  it('refuses secrets that are empty or not strings', () => {
    for (const secrets of ['', [], [''], [42]] as never[]) {
      expect(() => new CookieSessionIdResolver({ secrets })).toThrow(/secrets must/);
    }
  });
});
