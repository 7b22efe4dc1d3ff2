import { createHmac } from 'node:crypto';
import { MapSession, type Session } from '@session/core';
import { describe, expect, it } from 'vitest';
import { expressSessionSource, koaSessionSource } from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

const SECRET = 'old-secret';
const expressCookie = (id: string, secret = SECRET) =>
  encodeURIComponent(
    `s:${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '')}`,
  );
const keygrip = (data: string, key: string) =>
  createHmac('sha1', key)
    .update(data)
    .digest('base64')
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
const request = (cookie: string) => ({ headers: { cookie } });

/** An old store as a repository that counts lookups. */
function oldRepository(sessions: Record<string, Record<string, unknown>> = {}) {
  const lookups: string[] = [];
  const deleted: string[] = [];
  return {
    lookups,
    deleted,
    repository: {
      async findById(id: string): Promise<Session | null> {
        lookups.push(id);
        const data = sessions[id];
        if (data === undefined) return null;
        const session = new MapSession({ id });
        for (const [name, value] of Object.entries(data)) session.set(name, value);
        return session as unknown as Session;
      },
      async deleteById(id: string) {
        deleted.push(id);
      },
    },
  };
}

describe('expressSessionSource', () => {
  const ID = 'Xn1wOZbJd5tRVOkP2hM3eFm8cLxqAaBb';

  it('finds the session a correctly signed connect.sid names, and removes it on request', async () => {
    const old = oldRepository({ [ID]: { passport: { user: 'alice' } } });
    const source = expressSessionSource({ repository: old.repository, secret: ['new', SECRET] });
    const found = await source.find(request(`connect.sid=${expressCookie(ID)}`));
    expect(found).toEqual({ key: ID, attributes: [['passport', { user: 'alice' }]] });
    await source.remove(found as never);
    expect(old.deleted).toEqual([ID]);
  });

  it('unsigned, badly signed and undecodable cookies never reach the store', async () => {
    const old = oldRepository({ [ID]: { a: 1 } });
    const source = expressSessionSource({ repository: old.repository, secret: SECRET });
    for (const value of [
      ID,
      `s:${ID}`,
      expressCookie(ID, 'other'),
      `${expressCookie(ID)}x`,
      '%E0%A4%A',
      '',
    ]) {
      expect(await source.find(request(`connect.sid=${value}`)), value).toBeNull();
    }
    expect(old.lookups).toEqual([]);
  });

  it('expires the old cookie with its path and domain', () => {
    const source = expressSessionSource({
      repository: oldRepository().repository,
      secret: SECRET,
      cookieName: 'app.sid',
      cookie: { path: '/app', domain: 'example.com' },
    });
    const { exchange, out } = fakeExchange();
    source.expireCookies(exchange);
    expect(String(out.get('set-cookie'))).toMatch(/^app\.sid=; Max-Age=0; .*Domain=example\.com; Path=\/app/);
  });

  it('refuses a setup without the old store or the secret', () => {
    expect(() => expressSessionSource({ secret: SECRET } as never)).toThrow(/fromExpressSessionStore/);
    expect(() => expressSessionSource({ repository: oldRepository().repository, secret: [] })).toThrow(
      /secret/,
    );
    expect(() =>
      expressSessionSource({
        repository: oldRepository().repository,
        secret: SECRET,
        cookieName: 'bad name',
      }),
    ).toThrow(/cookie name/);
  });
});

describe('koaSessionSource', () => {
  const KEYS = ['koa-key'];
  const cookieOnly = (data: unknown) => Buffer.from(JSON.stringify(data)).toString('base64');
  const signedCookies = (value: string, key = 'koa-key') =>
    `koa.sess=${value}; koa.sess.sig=${keygrip(`koa.sess=${value}`, key)}`;

  it('cookie-only mode: takes the data of a signed cookie, without koa-session fields', async () => {
    const source = koaSessionSource({ keys: KEYS });
    const value = cookieOnly({ user: 'alice', _expire: Date.now() + 60_000, _maxAge: 60_000 });
    expect(await source.find(request(signedCookies(value)))).toEqual({
      key: 'cookie',
      attributes: [['user', 'alice']],
    });
  });

  it('cookie-only mode: refuses expired, unsigned, badly signed and unreadable cookies', async () => {
    const source = koaSessionSource({ keys: KEYS, clock: () => 1_000 });
    const expired = cookieOnly({ user: 'alice', _expire: 999 });
    expect(await source.find(request(signedCookies(expired)))).toBeNull();
    const good = cookieOnly({ user: 'alice' });
    expect(await source.find(request(`koa.sess=${good}`))).toBeNull();
    expect(await source.find(request(signedCookies(good, 'other-key')))).toBeNull();
    expect(await source.find(request(signedCookies('not-json')))).toBeNull();
    expect(await source.find(request(signedCookies(cookieOnly([1, 2]))))).toBeNull();
  });

  it('never imports prototype keys', async () => {
    const source = koaSessionSource({ keys: KEYS });
    const value = Buffer.from('{"__proto__":{"admin":true},"user":"alice"}').toString('base64');
    expect(await source.find(request(signedCookies(value)))).toEqual({
      key: 'cookie',
      attributes: [['user', 'alice']],
    });
  });

  it('external store: reads the signed key from the store, destroys it on request; forged keys never reach it', async () => {
    const reads: string[] = [];
    const destroyed: string[] = [];
    const store = {
      get: async (key: string) => {
        reads.push(key);
        return key === 'abc-123' ? { passport: { user: 'bob' }, _expire: Date.now() + 60_000 } : undefined;
      },
      destroy: async (key: string) => {
        destroyed.push(key);
      },
    };
    const source = koaSessionSource({ keys: KEYS, store });
    const found = await source.find(request(signedCookies('abc-123')));
    expect(found).toEqual({ key: 'abc-123', attributes: [['passport', { user: 'bob' }]] });
    await source.remove(found as never);
    expect(destroyed).toEqual(['abc-123']);
    expect(await source.find(request(signedCookies('abc-124', 'other-key')))).toBeNull();
    expect(await source.find(request('koa.sess=abc-123'))).toBeNull();
    expect(reads).toEqual(['abc-123']);
  });

  it('expires both cookies', () => {
    const { exchange, out } = fakeExchange();
    koaSessionSource({ keys: KEYS }).expireCookies(exchange);
    expect((out.get('set-cookie') as string[]).map((c) => c.split(';')[0])).toEqual([
      'koa.sess=',
      'koa.sess.sig=',
    ]);
  });

  it('refuses unsigned cookie-only sessions (client-written data) and a setup without keys', () => {
    expect(() => koaSessionSource({ signed: false })).toThrow(/cannot be migrated/);
    expect(() => koaSessionSource({})).toThrow(/keys/);
    expect(() => koaSessionSource({ keys: KEYS, store: {} as never })).toThrow(/get and destroy/);
  });
});
