import { InvalidArgumentError } from '@session/core';
import {
  formatSetCookie,
  isValidCookieAttributeValue,
  isValidCookieName,
  putSetCookie,
} from '../cookie-header.js';
import type { SessionExchange } from '../exchange.js';

/** Where a legacy cookie was set, so the expiring `Set-Cookie` reaches the same cookie. */
export interface LegacyCookieScope {
  /** `Path` the legacy library wrote. Default `/` (both libraries' default). */
  path?: string;
  /** `Domain` the legacy library wrote, if any. */
  domain?: string;
}

/** Checks a legacy cookie name and scope; throws `InvalidArgumentError` naming the option. */
export function checkLegacyCookie(
  option: string,
  name: string,
  scope: LegacyCookieScope = {},
): LegacyCookieScope {
  if (typeof name !== 'string' || !isValidCookieName(name)) {
    throw new InvalidArgumentError(`${option} "${String(name)}" is not a valid cookie name`);
  }
  for (const field of ['path', 'domain'] as const) {
    const value = scope[field];
    if (value !== undefined && (typeof value !== 'string' || !isValidCookieAttributeValue(value))) {
      throw new InvalidArgumentError(`cookie.${field} of the legacy cookie is not a valid cookie attribute`);
    }
  }
  return { path: scope.path ?? '/', ...(scope.domain === undefined ? {} : { domain: scope.domain }) };
}

/** Adds a `Set-Cookie` that deletes cookie `name` (empty value, `Max-Age=0`, same path and domain). */
export function expireLegacyCookie(exchange: SessionExchange, name: string, scope: LegacyCookieScope): void {
  const cookie = formatSetCookie(name, '', {
    maxAgeSeconds: 0,
    path: scope.path,
    domain: scope.domain,
    httpOnly: true,
  });
  putSetCookie(exchange.response, name, cookie);
}

/** A legacy key that is safe to hand to a store: visible ASCII without separators, at most 256 characters. */
export function isPlausibleLegacyKey(key: string): boolean {
  return key.length > 0 && key.length <= 256 && /^[\x21-\x7e]+$/.test(key);
}

/** Own enumerable properties of a plain JSON object as attributes, without `skip` and prototype keys. */
export function jsonAttributes(
  data: Record<string, unknown>,
  skip: (name: string) => boolean,
): Array<readonly [string, unknown]> {
  const out: Array<readonly [string, unknown]> = [];
  for (const name of Object.keys(data)) {
    if (skip(name) || name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    const value = data[name];
    if (value !== undefined) out.push([name, value]);
  }
  return out;
}
