import { InvalidArgumentError, isValidSessionId } from '@session/core';
import { decodeSessionIdBase64, encodeSessionIdBase64 } from './base64.js';
import {
  formatSetCookie,
  isValidCookieAttributeValue,
  isValidCookieName,
  putSetCookie,
  readCookieValues,
} from './cookie-header.js';
import type { SessionExchange, SessionRequest } from './exchange.js';
import type { SessionIdResolver } from './resolver.js';
import {
  compileTrustProxy,
  isSecureRequest,
  requestHostname,
  type TrustProxy,
  type TrustProxyFn,
} from './trust-proxy.js';

/** `SameSite` values; `null` omits the attribute. */
export type SameSite = 'Strict' | 'Lax' | 'None';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis); remember-me cookies default to that. */
export const DEFAULT_REMEMBER_ME_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Options of {@link CookieSessionIdResolver}: Spring Session's `DefaultCookieSerializer` settings. */
export interface CookieSessionIdResolverOptions {
  /**
   * Cookie name. Default `SESSION` (Spring Session's). The RFC 6265bis prefixes are honoured:
   * `__Secure-` and `__Host-` names always carry `Secure`, and `__Host-` refuses a Domain or a
   * Path other than `/`.
   */
  cookieName?: string;
  /**
   * The cookie value is the standard base64 of the id, as Spring Session writes it, so a Java
   * service sharing the store reads the same cookie. Default `true`. `false` writes the raw id.
   */
  useBase64Encoding?: boolean;
  /** Adds `HttpOnly`. Default `true`. */
  useHttpOnlyCookie?: boolean;
  /**
   * Adds `Secure`. Default: when the request is secure. That is decided by {@link trustProxy} when
   * it is set; otherwise by the framework's view when the adapter gives one (Express `req.secure`,
   * Koa `ctx.secure`, both following their own proxy settings); otherwise by the TLS connection.
   */
  useSecureCookie?: boolean;
  /** Which proxies' `X-Forwarded-Proto`/`X-Forwarded-Host` count. See {@link TrustProxy}. */
  trustProxy?: TrustProxy;
  /**
   * `SameSite` attribute. Default `'Lax'`; `null` omits it. Browsers reject `'None'` without
   * `Secure`, so `'None'` always writes `Secure` (and refuses `useSecureCookie: false`).
   */
  sameSite?: SameSite | null;
  /** Adds `Partitioned` (CHIPS). Browsers require `Secure` with it, so it always writes `Secure`. Default `false`. */
  partitioned?: boolean;
  /** `Path`. Default `/` (or the context path, see {@link useContextPath}). */
  cookiePath?: string;
  /**
   * Without {@link cookiePath}: use the mount path of the app holding the middleware plus `/`
   * (Spring's default of context path + `/`). Default `false`: `/`.
   */
  useContextPath?: boolean;
  /** Fixed `Domain`. Exclusive with {@link domainNamePattern}. */
  domainName?: string;
  /**
   * A pattern matched (whole and case-insensitive, for strings) against the request's host name;
   * its first group becomes `Domain`. No match: no `Domain`. Spring's example:
   * `^.+?\.(\w+\.[a-z]+)$` turns `www.example.com` into `example.com`.
   */
  domainNamePattern?: string | RegExp;
  /** `Max-Age` in seconds (Spring's `cookieMaxAge`). Default: a session cookie (no `Max-Age`). */
  cookieMaxAgeSeconds?: number;
  /**
   * `Max-Age` for requests flagged remember-me (`RequestSession.rememberMe()`). Default 400 days,
   * the browsers' cap: the store's idle timeout still decides when the session ends.
   */
  rememberMeMaxAgeSeconds?: number;
  /** Clock for `Expires`, epoch ms. Default `Date.now`. */
  clock?: () => number;
}

const never: TrustProxyFn = () => false;

function normalizeSameSite(value: unknown): SameSite | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'strict') return 'Strict';
    if (lower === 'lax') return 'Lax';
    if (lower === 'none') return 'None';
  }
  throw new InvalidArgumentError(`sameSite must be 'Strict', 'Lax', 'None' or null, got ${String(value)}`);
}

function checkMaxAge(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a finite number of seconds`);
  }
  return value < 0 ? undefined : Math.floor(value);
}

/** `__Secure-` and `__Host-` names (RFC 6265bis) are only accepted by browsers with `Secure`. */
function hasSecurePrefix(name: string): boolean {
  // Browsers match the prefixes case-insensitively.
  const lower = name.toLowerCase();
  return lower.startsWith('__secure-') || lower.startsWith('__host-');
}

/**
 * Browsers silently drop a prefixed cookie whose attributes break the prefix's rules; refuse such a
 * setup up front. `__Host-` also needs `Path=/` and no `Domain`.
 */
function checkNamePrefix(name: string, options: CookieSessionIdResolverOptions): void {
  if (!hasSecurePrefix(name)) return;
  if (options.useSecureCookie === false) {
    throw new InvalidArgumentError(`cookie "${name}" needs Secure; drop useSecureCookie: false`);
  }
  if (!name.toLowerCase().startsWith('__host-')) return;
  if (options.domainName !== undefined || options.domainNamePattern !== undefined) {
    throw new InvalidArgumentError(`cookie "${name}" must not have a Domain`);
  }
  if ((options.cookiePath !== undefined && options.cookiePath !== '/') || options.useContextPath === true) {
    throw new InvalidArgumentError(`cookie "${name}" must have Path=/`);
  }
}

function compilePattern(pattern: string | RegExp): RegExp {
  try {
    // Global and sticky flags would make `exec` stateful across requests.
    return typeof pattern === 'string'
      ? new RegExp(`^(?:${pattern})$`, 'i')
      : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  } catch (err) {
    throw new InvalidArgumentError(
      `domainNamePattern is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

/**
 * Reads and writes the session id in a cookie, with every option of Spring Session's
 * `DefaultCookieSerializer`. Defaults: `SESSION`, base64 value, `HttpOnly`, `SameSite=Lax`,
 * `Path=/`, `Secure` when the request is secure, a session cookie.
 *
 * ```ts
 * const resolver = new CookieSessionIdResolver({ cookieName: 'sid', sameSite: 'Strict' });
 * ```
 */
export class CookieSessionIdResolver implements SessionIdResolver {
  /** The cookie name in use. */
  readonly cookieName: string;
  /** Browsers send cookies by themselves, cross-site requests included. */
  readonly transport = 'cookie' as const;
  readonly #base64: boolean;
  readonly #httpOnly: boolean;
  readonly #secure: boolean | undefined;
  readonly #trust: TrustProxyFn | undefined;
  readonly #sameSite: SameSite | null;
  readonly #partitioned: boolean;
  readonly #path: string | undefined;
  readonly #useContextPath: boolean;
  readonly #domainName: string | undefined;
  readonly #domainPattern: RegExp | undefined;
  readonly #maxAge: number | undefined;
  readonly #rememberMeMaxAge: number;
  readonly #clock: () => number;

  constructor(options: CookieSessionIdResolverOptions = {}) {
    this.cookieName = options.cookieName ?? 'SESSION';
    if (typeof this.cookieName !== 'string' || !isValidCookieName(this.cookieName)) {
      throw new InvalidArgumentError(`cookieName "${String(this.cookieName)}" is not a valid cookie name`);
    }
    this.#base64 = options.useBase64Encoding ?? true;
    this.#httpOnly = options.useHttpOnlyCookie ?? true;
    this.#secure = options.useSecureCookie;
    this.#trust = options.trustProxy === undefined ? undefined : compileTrustProxy(options.trustProxy);
    this.#sameSite = options.sameSite === undefined ? 'Lax' : normalizeSameSite(options.sameSite);
    this.#partitioned = options.partitioned ?? false;
    // Browsers drop SameSite=None and Partitioned cookies that lack Secure: refuse a setup that can never work.
    if (this.#secure === false && (this.#sameSite === 'None' || this.#partitioned)) {
      throw new InvalidArgumentError(
        `${this.#sameSite === 'None' ? "sameSite 'None'" : 'partitioned'} needs Secure; drop useSecureCookie: false`,
      );
    }
    if (options.cookiePath !== undefined && !isValidCookieAttributeValue(options.cookiePath)) {
      throw new InvalidArgumentError('cookiePath contains characters not allowed in a cookie attribute');
    }
    this.#path = options.cookiePath;
    this.#useContextPath = options.useContextPath ?? false;
    if (options.domainName !== undefined && options.domainNamePattern !== undefined) {
      throw new InvalidArgumentError('Set domainName or domainNamePattern, not both');
    }
    if (options.domainName !== undefined && !isValidCookieAttributeValue(options.domainName)) {
      throw new InvalidArgumentError('domainName contains characters not allowed in a cookie attribute');
    }
    this.#domainName = options.domainName;
    this.#domainPattern =
      options.domainNamePattern === undefined ? undefined : compilePattern(options.domainNamePattern);
    checkNamePrefix(this.cookieName, options);
    this.#maxAge = checkMaxAge('cookieMaxAgeSeconds', options.cookieMaxAgeSeconds);
    this.#rememberMeMaxAge =
      checkMaxAge('rememberMeMaxAgeSeconds', options.rememberMeMaxAgeSeconds) ??
      DEFAULT_REMEMBER_ME_MAX_AGE_SECONDS;
    this.#clock = options.clock ?? Date.now;
  }

  resolveSessionIds(request: SessionRequest): string[] {
    const ids: string[] = [];
    for (const value of readCookieValues(request.headers.cookie, this.cookieName)) {
      const id = this.#base64 ? decodeSessionIdBase64(value) : value;
      if (isValidSessionId(id) && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  setSessionId(exchange: SessionExchange, sessionId: string): void {
    const value = this.#base64 ? encodeSessionIdBase64(sessionId) : sessionId;
    const maxAge =
      exchange.rememberMe === true
        ? this.#rememberMeMaxAge
        : exchange.rememberMe === false
          ? undefined
          : this.#maxAge;
    this.#write(exchange, value, maxAge);
  }

  expireSession(exchange: SessionExchange): void {
    this.#write(exchange, '', 0);
  }

  #write(exchange: SessionExchange, value: string, maxAgeSeconds: number | undefined): void {
    const cookie = formatSetCookie(this.cookieName, value, {
      maxAgeSeconds,
      now: this.#clock(),
      path: this.#cookiePath(exchange),
      domain: this.#domain(exchange),
      secure: this.#isSecure(exchange),
      httpOnly: this.#httpOnly,
      sameSite: this.#sameSite ?? undefined,
      partitioned: this.#partitioned,
    });
    putSetCookie(exchange.response, this.cookieName, cookie);
  }

  #cookiePath(exchange: SessionExchange): string {
    if (this.#path !== undefined) return this.#path;
    if (!this.#useContextPath) return '/';
    const path = `${(exchange.contextPath ?? '').replace(/\/+$/, '')}/`;
    return isValidCookieAttributeValue(path) ? path : '/';
  }

  #isSecure(exchange: SessionExchange): boolean {
    if (this.#secure !== undefined) return this.#secure;
    // Without Secure browsers reject these cookies outright, so they always carry it.
    if (this.#sameSite === 'None' || this.#partitioned || hasSecurePrefix(this.cookieName)) return true;
    if (this.#trust !== undefined) return isSecureRequest(exchange.request, this.#trust);
    return exchange.secure ?? isSecureRequest(exchange.request, never);
  }

  #domain(exchange: SessionExchange): string | undefined {
    if (this.#domainName !== undefined) return this.#domainName;
    if (this.#domainPattern === undefined) return undefined;
    const host =
      this.#trust !== undefined
        ? requestHostname(exchange.request, this.#trust)
        : (exchange.hostname ?? requestHostname(exchange.request, never));
    if (host === undefined) return undefined;
    const match = this.#domainPattern.exec(host);
    if (match === null || match[0] !== host) return undefined;
    const domain = match[1];
    return domain !== undefined && domain !== '' && isValidCookieAttributeValue(domain) ? domain : undefined;
  }
}
