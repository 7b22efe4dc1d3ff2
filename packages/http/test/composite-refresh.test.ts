import { describe, expect, it } from 'vitest';
import {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
} from '../src/index.js';

const ID = 'b'.repeat(32);
const cookie = `SESSION=${Buffer.from(ID).toString('base64')}`;

describe('CompositeSessionIdResolver and rolling cookies', () => {
  const resolvers = () => [
    new HeaderSessionIdResolver(),
    new CookieSessionIdResolver({ cookieMaxAgeSeconds: 60 }),
  ];

  it('refreshes the cookie of a session found through the cookie, not of one found through the header', () => {
    const composite = new CompositeSessionIdResolver(resolvers());
    expect(composite.refreshSessionId({ headers: { cookie } }, ID, undefined)).toBe(true);
    expect(composite.refreshSessionId({ headers: { 'x-auth-token': ID } }, ID, undefined)).toBe(false);
  });

  it("with writeTo: 'all' every resolver that would refresh counts", () => {
    const composite = new CompositeSessionIdResolver(resolvers(), { writeTo: 'all' });
    expect(composite.refreshSessionId({ headers: { 'x-auth-token': ID } }, ID, undefined)).toBe(true);
  });

  it('nothing to refresh without a Max-Age', () => {
    const composite = new CompositeSessionIdResolver([
      new HeaderSessionIdResolver(),
      new CookieSessionIdResolver(),
    ]);
    expect(composite.refreshSessionId({ headers: { cookie } }, ID, undefined)).toBe(false);
    expect(composite.refreshSessionId({ headers: { cookie } }, ID, 120)).toBe(true);
  });
});
