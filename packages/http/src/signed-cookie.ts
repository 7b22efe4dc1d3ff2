import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '@session/core';

/*
 * Cookie signatures: our own format, and the two formats of the libraries apps migrate from
 * (express-session's cookie-signature, koa's cookies + keygrip), verified only.
 */

/**
 * Checks a list of signing secrets (newest first) and returns it as an array. A single string is
 * a list of one. Throws `InvalidArgumentError` naming `option` for an empty list or a secret that
 * is not a non-empty string.
 */
export function checkSecrets(option: string, value: string | readonly string[]): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError(`${option} must be a non-empty string or a non-empty array of them`);
  }
  for (const secret of list) {
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new InvalidArgumentError(`${option} must hold non-empty strings only`);
    }
  }
  return Object.freeze([...list]);
}

/** Compares two strings in time that depends only on their lengths. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function hmac(algorithm: string, secret: string, data: string): Buffer {
  return createHmac(algorithm, secret).update(data).digest();
}

/** Standard base64 to base64url, padding dropped. */
function urlSafe(base64: string): string {
  return base64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The signature of our signed cookies: base64url (no padding) of HMAC-SHA256 over
 * `<cookie name>=<value>`, so a value signed for one cookie is not accepted under another name.
 */
function ownSignature(secret: string, cookieName: string, value: string): string {
  return hmac('sha256', secret, `${cookieName}=${value}`).toString('base64url');
}

/** `value` signed with `secret` for cookie `cookieName`: `<value>.<signature>` (43 signature characters). */
export function signCookieValue(cookieName: string, value: string, secret: string): string {
  return `${value}.${ownSignature(secret, cookieName, value)}`;
}

/** A signed cookie value that verified: the value, and which secret of the list signed it (0: the newest). */
export interface VerifiedCookieValue {
  readonly value: string;
  readonly secretIndex: number;
}

/**
 * Checks a value written by {@link signCookieValue} against each secret in turn. Returns the
 * unsigned value and the index of the secret that signed it, or `undefined` when the value is not
 * signed or no secret matches.
 */
export function verifyCookieValue(
  cookieName: string,
  signed: string,
  secrets: readonly string[],
): VerifiedCookieValue | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  const signature = signed.slice(dot + 1);
  for (let index = 0; index < secrets.length; index++) {
    if (sameText(signature, ownSignature(secrets[index] as string, cookieName, value))) {
      return { value, secretIndex: index };
    }
  }
  return undefined;
}

/**
 * Reads an express-session cookie value (`connect.sid`), as its `Cookie` header carries it:
 * URI-encoded `s:<id>.<signature>`, the signature being base64 HMAC-SHA256 of the id without
 * `=` padding (the `cookie-signature` package). Returns the id when one of `secrets` signed it,
 * `undefined` for anything else (unsigned values, which express-session ignores too, bad
 * encodings, forged signatures).
 */
export function unsignExpressSessionCookie(raw: string, secrets: readonly string[]): string | undefined {
  let text: string;
  try {
    text = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return undefined;
  }
  if (!text.startsWith('s:')) return undefined;
  const dot = text.lastIndexOf('.');
  if (dot <= 2) return undefined;
  const id = text.slice(2, dot);
  const signature = text.slice(dot + 1);
  for (const secret of secrets) {
    const expected = hmac('sha256', secret, id).toString('base64').replace(/=+$/, '');
    if (sameText(signature, expected)) return id;
  }
  return undefined;
}

/**
 * Verifies a koa (`cookies` + `keygrip`) cookie signature: the `<name>.sig` cookie holds base64url
 * (no padding) HMAC of `<name>=<value>` with one of `keys` (`algorithm`, default `sha1`, keygrip's).
 * Returns the index of the matching key, or -1.
 */
export function verifyKeygripSignature(
  cookieName: string,
  value: string,
  signature: string,
  keys: readonly string[],
  algorithm = 'sha1',
): number {
  const data = `${cookieName}=${value}`;
  for (let index = 0; index < keys.length; index++) {
    const expected = urlSafe(hmac(algorithm, keys[index] as string, data).toString('base64'));
    if (sameText(signature, expected)) return index;
  }
  return -1;
}
