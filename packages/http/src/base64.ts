import { isValidSessionId, SESSION_ID_MAX_LENGTH } from '@session/core';

/** Longest standard base64 text that can decode to a valid id; longer input is rejected unread. */
const MAX_ENCODED_LENGTH = Math.ceil(SESSION_ID_MAX_LENGTH / 3) * 4;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Encodes an id as Spring Session's `DefaultCookieSerializer` does: standard base64 of its UTF-8 bytes, padded. */
export function encodeSessionIdBase64(sessionId: string): string {
  return Buffer.from(sessionId, 'utf8').toString('base64');
}

/**
 * Decodes a base64 cookie value to a session id, or `undefined` when the value is not canonical
 * padded standard base64 or does not decode to a valid id. Node's decoder skips bad characters
 * silently, so the input is checked first and the result re-encoded to catch forged variants.
 */
export function decodeSessionIdBase64(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_ENCODED_LENGTH || value.length % 4 !== 0) return undefined;
  if (!STANDARD_BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (!isValidSessionId(decoded)) return undefined;
  return encodeSessionIdBase64(decoded) === value ? decoded : undefined;
}
