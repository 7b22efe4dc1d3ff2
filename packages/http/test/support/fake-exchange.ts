import { CookieSessionIdResolver, type CookieSessionIdResolverOptions } from '../../src/index.js';

/** A plain-HTTP request and a response that records its headers, without a server. */
export function fakeExchange() {
  const out = new Map<string, unknown>();
  return {
    out,
    exchange: {
      request: { headers: {}, socket: { remoteAddress: '127.0.0.1' } },
      response: {
        getHeader: (name: string) => out.get(name) as string[] | undefined,
        setHeader: (name: string, value: unknown) => out.set(name, value),
      },
    },
  };
}

/** The `Set-Cookie` a resolver with `options` writes for a new id on a plain-HTTP request. */
export function writtenCookie(options: CookieSessionIdResolverOptions): string {
  const { exchange, out } = fakeExchange();
  new CookieSessionIdResolver(options).setSessionId(exchange, 'a'.repeat(32));
  return String(out.get('set-cookie'));
}
