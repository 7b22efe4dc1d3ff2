import type { IncomingHttpHeaders } from 'node:http';
import type { SessionRequest } from './exchange.js';

/**
 * The parts of a Web-standard `Headers` object (Fetch API) the session layer reads. The global
 * `Headers` of Node 20+, Bun, Deno, browsers and edge runtimes fits it.
 */
export interface WebHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  forEach(callback: (value: string, name: string) => void): void;
  /** `Set-Cookie` values one by one (Fetch's `Headers.getSetCookie()`). */
  getSetCookie?(): string[];
}

/** A Web-standard `Request`, or anything with its `headers` (and `url`). */
export interface WebRequestLike {
  readonly headers: WebHeaders;
  /** Absolute URL of the request; an `https:` URL counts as a TLS connection. */
  readonly url?: string;
}

/**
 * What a Web `Request` does not say about its connection, for hosts that know it (Node's
 * `IncomingMessage` behind `@hono/node-server`, Bun's `server.requestIP`, Deno's `info.remoteAddr`).
 */
export interface WebConnectionInfo {
  /**
   * Address of the peer that connected to this server. `trustProxy` settings count proxy hops
   * from it; without it no `X-Forwarded-*` header is believed.
   */
  remoteAddress?: string;
  /** The connection itself is TLS. Default: the request URL starts with `https:`. */
  encrypted?: boolean;
}

/**
 * Several `Cookie` header fields (HTTP/2 sends one per cookie) are combined by `Headers` with
 * `", "`, while cookie pairs are separated by `"; "`. Cookie values never contain a comma
 * (RFC 6265 `cookie-octet`), so a comma before the next `name=` is a field boundary.
 */
function cookieHeader(value: string | null): string | undefined {
  if (value === null) return undefined;
  return value.includes(',') ? value.replace(/,\s*(?=[^\s;,=]+=)/g, '; ') : value;
}

function readHeader(headers: WebHeaders, name: string): string | string[] | undefined {
  const key = name.toLowerCase();
  if (key === 'cookie') return cookieHeader(headers.get(key));
  if (key === 'set-cookie') {
    const cookies = headers.getSetCookie?.() ?? [];
    return cookies.length === 0 ? undefined : cookies;
  }
  return headers.get(key) ?? undefined;
}

/**
 * `IncomingHttpHeaders` read through a Web `Headers` object: lower-case names, `undefined` for an
 * absent header, `set-cookie` as a list. Nothing is copied; every read asks the `Headers`.
 */
export function webHeadersView(headers: WebHeaders): IncomingHttpHeaders {
  return new Proxy(Object.create(null) as IncomingHttpHeaders, {
    get: (_target, name) => (typeof name === 'string' ? readHeader(headers, name) : undefined),
    has: (_target, name) => typeof name === 'string' && headers.has(name),
    ownKeys: () => {
      const names: string[] = [];
      headers.forEach((_value, name) => {
        if (!names.includes(name)) names.push(name);
      });
      return names;
    },
    getOwnPropertyDescriptor: (_target, name) => {
      const value = typeof name === 'string' ? readHeader(headers, name) : undefined;
      return value === undefined
        ? undefined
        : { value, enumerable: true, configurable: true, writable: false };
    },
  });
}

/**
 * A {@link SessionRequest} over a Web-standard `Request`, so every `SessionIdResolver` (cookie,
 * header, composite, your own) and the `trustProxy` logic read it unchanged: headers through
 * {@link webHeadersView}, the connection from `connection` and the URL.
 *
 * ```ts
 * const ids = resolver.resolveSessionIds(webSessionRequest(request));
 * ```
 */
export function webSessionRequest(
  request: WebRequestLike,
  connection: WebConnectionInfo = {},
): SessionRequest {
  const encrypted = connection.encrypted ?? request.url?.startsWith('https:') === true;
  return {
    headers: webHeadersView(request.headers),
    socket: { remoteAddress: connection.remoteAddress, encrypted },
  };
}
