import type { SessionResponse } from './exchange.js';

/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 cookie-value octets (no quotes, commas, semicolons, backslashes, spaces or controls). */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
/** Path and Domain attribute values: any visible character except `;`. */
const ATTRIBUTE_VALUE = /^[\x20-\x3A\x3C-\x7E]*$/;

/** True when `name` can be used as a cookie name. */
export function isValidCookieName(name: string): boolean {
  return COOKIE_NAME.test(name);
}

/** True when `value` can be a Path or Domain cookie attribute value. */
export function isValidCookieAttributeValue(value: string): boolean {
  return ATTRIBUTE_VALUE.test(value);
}

/**
 * Every value of cookie `name` in a `Cookie` header, in the order the client sent them. Browsers
 * send several cookies of one name when paths or domains differ, most specific path first.
 * Values are returned raw (only surrounding double quotes are removed); callers validate them.
 */
export function readCookieValues(header: string | readonly string[] | undefined, name: string): string[] {
  if (header === undefined) return [];
  const text = typeof header === 'string' ? header : header.join('; ');
  const values: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    // Search within this pair only: scanning the rest of the header for every pair is quadratic.
    const pair = text.slice(start, end);
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) {
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      values.push(value);
    }
    start = end + 1;
  }
  return values;
}

/** The longest cookie lifetime browsers keep (RFC 6265bis), in seconds. */
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Attributes of a `Set-Cookie` header. */
export interface SetCookieAttributes {
  /** `Path` attribute. */
  path?: string;
  /** `Domain` attribute. */
  domain?: string;
  /** Seconds, capped at 400 days as browsers do. Absent: a session cookie. `0`: delete the cookie. */
  maxAgeSeconds?: number;
  /** Epoch ms used for the `Expires` attribute written next to `Max-Age`. */
  now?: number;
  /** Adds `Secure`. */
  secure?: boolean;
  /** Adds `HttpOnly`. */
  httpOnly?: boolean;
  /** `SameSite` attribute; absent: omitted. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Adds `Partitioned`. */
  partitioned?: boolean;
  /** `Priority` attribute (a Chromium extension honoured by Chrome and Edge); absent: omitted. */
  priority?: CookiePriority;
}

/** Values of the `Priority` cookie attribute: which cookies a browser evicts last when over its per-domain limit. */
export type CookiePriority = 'Low' | 'Medium' | 'High';

/**
 * Formats one `Set-Cookie` header value. `Expires` accompanies `Max-Age` for old clients, as Spring
 * Session does; a zero max age expires at the epoch.
 */
export function formatSetCookie(name: string, value: string, attributes: SetCookieAttributes = {}): string {
  if (!isValidCookieName(name)) throw new TypeError(`Invalid cookie name "${name}"`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`Invalid value for cookie "${name}"`);
  const parts = [`${name}=${value}`];
  const maxAge = attributes.maxAgeSeconds;
  if (maxAge !== undefined && maxAge >= 0) {
    // Browsers cap lifetimes at 400 days (RFC 6265bis); capping here also keeps `Expires` a real date.
    const seconds = Math.min(Math.floor(maxAge), MAX_COOKIE_AGE_SECONDS);
    parts.push(`Max-Age=${seconds}`);
    const expires = seconds === 0 ? 0 : (attributes.now ?? Date.now()) + seconds * 1000;
    parts.push(`Expires=${new Date(expires).toUTCString()}`);
  }
  if (attributes.domain !== undefined) parts.push(`Domain=${attributes.domain}`);
  if (attributes.path !== undefined) parts.push(`Path=${attributes.path}`);
  if (attributes.secure) parts.push('Secure');
  if (attributes.httpOnly) parts.push('HttpOnly');
  if (attributes.sameSite !== undefined) parts.push(`SameSite=${attributes.sameSite}`);
  if (attributes.partitioned) parts.push('Partitioned');
  if (attributes.priority !== undefined) parts.push(`Priority=${attributes.priority}`);
  return parts.join('; ');
}

/**
 * Adds a `Set-Cookie` header for cookie `name`, keeping other cookies the response sets and
 * replacing an earlier header for the same name (so the last decision of a request wins).
 */
export function putSetCookie(response: SessionResponse, name: string, cookie: string): void {
  const current = response.getHeader('set-cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  const prefix = `${name}=`;
  const kept = list.filter((entry) => !entry.startsWith(prefix));
  kept.push(cookie);
  response.setHeader('set-cookie', kept);
}
