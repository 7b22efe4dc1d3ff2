import { isValidSessionId, SESSION_ID_MAX_LENGTH } from '@session/core';

/** Longest standard base64 text that can decode to a valid id; longer input is rejected unread. */
const MAX_ENCODED_LENGTH = Math.ceil(SESSION_ID_MAX_LENGTH / 3) * 4;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Encodes an id as Spring Session's `DefaultCookieSerializer` does: standard base64 of its UTF-8 bytes, padded. */
export function encodeSessionIdBase64(sessionId: string): string {
  return Buffer.from(sessionId, 'utf8').toString('base64');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * True when the bits after the last full byte are zero, as an encoder writes them: `QQ==` and
 * `QR==` decode alike, and only the first is canonical. Padding `==` leaves 4 unused bits in the
 * last data character, `=` leaves 2.
 */
function unusedBitsAreZero(value: string): boolean {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  if (padding === 0) return true;
  const last = ALPHABET.indexOf(value.charAt(value.length - padding - 1));
  return (last & (padding === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * Decodes a base64 cookie value to a session id, or `undefined` when the value is not canonical
 * padded standard base64 or does not decode to a valid id. Node's decoder skips bad characters
 * silently, so the input is checked first: alphabet and padding, then the unused bits, so that no
 * two cookie values decode to the same id.
 */
export function decodeSessionIdBase64(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_ENCODED_LENGTH || value.length % 4 !== 0) return undefined;
  if (!STANDARD_BASE64.test(value) || !unusedBitsAreZero(value)) return undefined;
  // Valid ids are ASCII: any other byte decodes to a character the id check rejects.
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return isValidSessionId(decoded) ? decoded : undefined;
}
