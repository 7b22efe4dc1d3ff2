import { InvalidArgumentError, isValidSessionId } from '@session/core';
import type { SessionExchange, SessionRequest } from './exchange.js';
import type { SessionIdResolver } from './resolver.js';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Options of {@link HeaderSessionIdResolver}. */
export interface HeaderSessionIdResolverOptions {
  /** Request and response header carrying the id. Default `X-Auth-Token`. */
  headerName?: string;
}

/**
 * Reads the session id from a request header and returns new ids in the same response header, for
 * REST and mobile clients (Spring Session's `HeaderHttpSessionIdResolver`). On invalidation the
 * header is sent empty. Browsers calling cross-origin must be allowed to read it:
 * `Access-Control-Expose-Headers: X-Auth-Token`.
 */
export class HeaderSessionIdResolver implements SessionIdResolver {
  /** The header name as configured (matching is case-insensitive). */
  readonly headerName: string;
  /** Only code that holds the id sends it. */
  readonly transport = 'header' as const;
  readonly #key: string;

  /** The `X-Auth-Token` resolver. */
  static xAuthToken(): HeaderSessionIdResolver {
    return new HeaderSessionIdResolver({ headerName: 'X-Auth-Token' });
  }

  /** A resolver for the `Authentication-Info` header (RFC 7615), as Spring Session offers. */
  static authenticationInfo(): HeaderSessionIdResolver {
    return new HeaderSessionIdResolver({ headerName: 'Authentication-Info' });
  }

  constructor(options: HeaderSessionIdResolverOptions = {}) {
    const name = options.headerName ?? 'X-Auth-Token';
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      throw new InvalidArgumentError(`headerName "${String(name)}" is not a valid header name`);
    }
    this.headerName = name;
    this.#key = name.toLowerCase();
  }

  resolveSessionIds(request: SessionRequest): string[] {
    const raw = request.headers[this.#key];
    if (raw === undefined) return [];
    // Node joins repeated headers with ", "; ids never contain commas, so each part is a candidate.
    const text = Array.isArray(raw) ? raw.join(',') : raw;
    const ids: string[] = [];
    for (const part of text.split(',')) {
      const id = part.trim();
      if (isValidSessionId(id) && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  setSessionId(exchange: SessionExchange, sessionId: string): void {
    exchange.response.setHeader(this.headerName, sessionId);
  }

  expireSession(exchange: SessionExchange): void {
    exchange.response.setHeader(this.headerName, '');
  }
}
