import { InvalidArgumentError } from '@session/core';
import { readCookieValues } from '../cookie-header.js';
import type { SessionExchange, SessionRequest } from '../exchange.js';
import { checkSecrets, verifyKeygripSignature } from '../signed-cookie.js';
import {
  checkLegacyCookie,
  expireLegacyCookie,
  isPlausibleLegacyKey,
  jsonAttributes,
  type LegacyCookieScope,
} from './legacy-cookie.js';
import type { LegacySession, LegacySessionSource } from './source.js';

/** The parts of a koa-session external store (koa-redis and the like) the migration uses. */
export interface KoaSessionStore {
  get(key: string, maxAge: number | 'session' | undefined, options: { rolling: boolean }): unknown;
  destroy(key: string, options: Record<string, never>): unknown;
}

/** Options of {@link koaSessionSource}: the koa-session settings the app ran with. */
export interface KoaSessionSourceOptions {
  /**
   * The keys koa-session's cookies were signed with: the app's `app.keys`, newest first (every one
   * is tried). Required unless {@link signed} is `false`.
   */
  keys?: string | readonly string[];
  /** koa-session's `key`, the cookie name. Default `koa.sess` (its signature: `koa.sess.sig`). */
  cookieName?: string;
  /** koa-session's `signed`. Default `true`. */
  signed?: boolean;
  /**
   * koa-session's external `store` (`get` and `destroy` are used). Absent: cookie-only mode, where
   * the session data itself is in the (signed) cookie; it is moved into the new store the same
   * way, and only when the cookie is signed.
   */
  store?: KoaSessionStore;
  /** koa-session's `maxAge`, handed to the store's `get` as koa-session did. */
  maxAge?: number | 'session';
  /** koa-session's cookie `path` and `domain`, so the old cookies can be deleted. Default path `/`. */
  cookie?: LegacyCookieScope;
  /** The HMAC of the signature cookie (keygrip's default `sha1`). */
  algorithm?: string;
  /** Epoch ms clock for koa-session's `_expire`. Default `Date.now`. */
  clock?: () => number;
}

/** A cookie-only session is a cookie: browsers keep at most about 4 KB of one. */
const MAX_COOKIE_SESSION_LENGTH = 8192;

/** koa-session's own fields (`_expire`, `_maxAge`, `_session`) and other private ones, which it never saved for the app. */
const isKoaField = (name: string): boolean => name.startsWith('_');

/**
 * The data of a koa-session session (`_expire` checked), or `null` when absent, expired or not a
 * plain object.
 */
function sessionData(value: unknown, now: number): Record<string, unknown> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const data = value as Record<string, unknown>;
  if (typeof data._expire === 'number' && data._expire < now) return null;
  return data;
}

function decodeCookieSession(value: string): unknown {
  if (value.length === 0 || value.length > MAX_COOKIE_SESSION_LENGTH) return null;
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return null;
  }
}

/**
 * Moves koa-session sessions over (`HttpSessionOptions.migrateFrom`). Reads the `koa.sess`
 * cookie, checks its `koa.sess.sig` signature against the old keys (keygrip's format), and:
 * - with an external `store`: loads the session under that key, and once the new session is
 *   stored destroys it there;
 * - in cookie-only mode: takes the data from the cookie itself (only when signed: unsigned
 *   cookie-only data is whatever the client wrote, and is refused at setup).
 * Both cookies are expired once the new session is stored. Sessions past their `_expire` are not
 * moved. A cookie with a bad signature never reaches the store.
 */
export function koaSessionSource(options: KoaSessionSourceOptions): LegacySessionSource {
  const signed = options?.signed ?? true;
  if (typeof signed !== 'boolean') throw new InvalidArgumentError('signed must be a boolean');
  const keys = signed ? checkSecrets('keys', options.keys as string | readonly string[]) : [];
  const store = options.store;
  if (store !== undefined && (typeof store?.get !== 'function' || typeof store.destroy !== 'function')) {
    throw new InvalidArgumentError('store must be a koa-session store with get and destroy');
  }
  if (store === undefined && !signed) {
    throw new InvalidArgumentError(
      'an unsigned cookie-only koa-session holds whatever the client wrote; it cannot be migrated',
    );
  }
  const cookieName = options.cookieName ?? 'koa.sess';
  const scope = checkLegacyCookie('cookieName', cookieName, options.cookie);
  const algorithm = options.algorithm ?? 'sha1';
  const clock = options.clock ?? Date.now;
  const signatureName = `${cookieName}.sig`;

  /** The cookie value, verified when signed; `undefined` when absent or forged. */
  const cookieValue = (request: SessionRequest): string | undefined => {
    const value = readCookieValues(request.headers.cookie, cookieName)[0];
    if (value === undefined || value.length === 0) return undefined;
    if (!signed) return value;
    const signature = readCookieValues(request.headers.cookie, signatureName)[0];
    if (signature === undefined) return undefined;
    return verifyKeygripSignature(cookieName, value, signature, keys, algorithm) >= 0 ? value : undefined;
  };

  return {
    name: 'koa-session',
    async find(request: SessionRequest): Promise<LegacySession | null> {
      const value = cookieValue(request);
      if (value === undefined) return null;
      if (store === undefined) {
        const data = sessionData(decodeCookieSession(value), clock());
        return data === null ? null : { key: 'cookie', attributes: jsonAttributes(data, isKoaField) };
      }
      if (!isPlausibleLegacyKey(value)) return null;
      const stored = await store.get(value, options.maxAge, { rolling: false });
      const data = sessionData(stored, clock());
      return data === null ? null : { key: value, attributes: jsonAttributes(data, isKoaField) };
    },
    async remove(session: LegacySession): Promise<void> {
      if (store !== undefined) await store.destroy(session.key, {});
    },
    expireCookies(exchange: SessionExchange): void {
      expireLegacyCookie(exchange, cookieName, scope);
      if (signed) expireLegacyCookie(exchange, signatureName, scope);
    },
  };
}
