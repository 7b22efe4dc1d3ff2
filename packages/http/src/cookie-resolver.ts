import { InvalidArgumentError, isValidSessionId } from '@session/core';
import { decodeSessionIdBase64, encodeSessionIdBase64 } from './base64.js';
import {
  type CookiePriority,
  formatSetCookie,
  isValidCookieAttributeValue,
  isValidCookieName,
  putSetCookie,
  readCookieValues,
} from './cookie-header.js';
import type { SessionExchange, SessionRequest } from './exchange.js';
import type { SessionIdResolver } from './resolver.js';
import { checkSecrets, signCookieValue, verifyCookieValue } from './signed-cookie.js';
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
  /**
   * Rolling expiry: a cookie with a `Max-Age` (from {@link cookieMaxAgeSeconds} or the session's
   * own `cookieMaxAgeSeconds`) is written again on every response of its session, so it expires
   * that long after the last request rather than after the one that created it. Default `true`.
   * `false`: the cookie is written only when the id changes or remember-me is set. Browser-session
   * cookies (no `Max-Age`) are never rewritten: there is nothing to refresh.
   */
  rolling?: boolean;
  /**
   * Signs the cookie value with HMAC-SHA256: `<value>.<signature>` (43 base64url characters), the
   * signature covering the cookie name and value. The first secret signs; every secret verifies,
   * so secrets rotate by putting a new one first and keeping the old ones until the cookies they
   * signed have expired (a cookie signed with an older secret is signed again with the newest on
   * its next response). Cookies that are unsigned or badly signed are ignored without a store
   * lookup. Default: unsigned (see the package README for what signing adds to 192-bit random
   * ids, and what it does not).
   */
  secrets?: string | readonly string[];
  /** `Priority` attribute (`Low`, `Medium`, `High`; Chromium browsers). Default: omitted. */
  priority?: CookiePriority;
  /** Clock for `Expires`, epoch ms. Default `Date.now`. */
  clock?: () => number;
}

/** The attributes a {@link CookieSessionIdResolver} writes that do not depend on the request. */
export interface CookieAttributesView {
  /** `Path` when fixed (`undefined` when it follows the mount path). */
  readonly path: string | undefined;
  /** `Domain` when fixed (`undefined` when none or when it follows the host name). */
  readonly domain: string | undefined;
  readonly httpOnly: boolean;
  /** `Secure` when fixed by the options; `undefined` when it follows the request. */
  readonly secure: boolean | undefined;
  readonly sameSite: SameSite | undefined;
  readonly partitioned: boolean;
  readonly priority: CookiePriority | undefined;
}

const PRIORITIES: readonly CookiePriority[] = ['Low', 'Medium', 'High'];

function normalizePriority(value: unknown): CookiePriority | undefined {
  if (value === undefined) return undefined;
  const match = PRIORITIES.find((p) => typeof value === 'string' && p.toLowerCase() === value.toLowerCase());
  if (match === undefined) {
    throw new InvalidArgumentError(`priority must be 'Low', 'Medium' or 'High', got ${String(value)}`);
  }
  return match;
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
  readonly #rolling: boolean;
  readonly #secrets: readonly string[];
  readonly #priority: CookiePriority | undefined;
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
    const rolling = options.rolling ?? true;
    if (typeof rolling !== 'boolean') throw new InvalidArgumentError('rolling must be a boolean');
    this.#rolling = rolling;
    this.#secrets = options.secrets === undefined ? [] : checkSecrets('secrets', options.secrets);
    this.#priority = normalizePriority(options.priority);
    this.#clock = options.clock ?? Date.now;
  }

  /** `Max-Age` in seconds written by default (`cookieMaxAgeSeconds`), or `undefined` for a browser-session cookie. */
  get maxAgeSeconds(): number | undefined {
    return this.#maxAge;
  }

  /** True when cookie values are signed (the `secrets` option). */
  get signed(): boolean {
    return this.#secrets.length > 0;
  }

  /** The attributes this resolver writes that do not depend on the request. */
  get attributes(): CookieAttributesView {
    return {
      path: this.#path ?? (this.#useContextPath ? undefined : '/'),
      domain: this.#domainName,
      httpOnly: this.#httpOnly,
      secure: this.#secure,
      sameSite: this.#sameSite ?? undefined,
      partitioned: this.#partitioned,
      priority: this.#priority,
    };
  }

  resolveSessionIds(request: SessionRequest): string[] {
    const ids: string[] = [];
    for (const value of readCookieValues(request.headers.cookie, this.cookieName)) {
      const id = this.#idOf(value)?.id;
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  /**
   * The id a cookie value carries, and the index of the secret that signed it (0 when unsigned),
   * or `undefined` for a value that is badly signed or does not carry a valid id.
   */
  #idOf(raw: string): { id: string; secretIndex: number } | undefined {
    let value = raw;
    let secretIndex = 0;
    if (this.#secrets.length > 0) {
      const verified = verifyCookieValue(this.cookieName, raw, this.#secrets);
      if (verified === undefined) return undefined;
      value = verified.value;
      secretIndex = verified.secretIndex;
    }
    const id = this.#base64 ? decodeSessionIdBase64(value) : value;
    return isValidSessionId(id) ? { id, secretIndex } : undefined;
  }

  setSessionId(exchange: SessionExchange, sessionId: string): void {
    const encoded = this.#base64 ? encodeSessionIdBase64(sessionId) : sessionId;
    const value =
      this.#secrets.length > 0
        ? signCookieValue(this.cookieName, encoded, this.#secrets[0] as string)
        : encoded;
    this.#write(exchange, value, this.#maxAgeFor(exchange.rememberMe, exchange.cookieMaxAgeSeconds));
  }

  /**
   * Rewrites the cookie of a stored session when it has a `Max-Age` and {@link
   * CookieSessionIdResolverOptions.rolling} is on, or when the presented cookie was signed with an
   * older secret.
   */
  refreshSessionId(
    request: SessionRequest,
    sessionId: string,
    cookieMaxAgeSeconds: number | null | undefined,
  ): boolean {
    const maxAge = this.#maxAgeFor(undefined, cookieMaxAgeSeconds);
    if (this.#rolling && maxAge !== undefined && maxAge > 0) return true;
    if (this.#secrets.length < 2) return false;
    for (const value of readCookieValues(request.headers.cookie, this.cookieName)) {
      const found = this.#idOf(value);
      if (found?.id === sessionId) return found.secretIndex > 0;
    }
    return false;
  }

  /** Remember-me wins, then the session's own lifetime, then the default. */
  #maxAgeFor(rememberMe: boolean | undefined, own: number | null | undefined): number | undefined {
    if (rememberMe === true) return this.#rememberMeMaxAge;
    if (rememberMe === false || own === null) return undefined;
    return own ?? this.#maxAge;
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
      priority: this.#priority,
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
