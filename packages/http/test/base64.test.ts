import { generateSessionId } from '@session/core';
import { describe, expect, it } from 'vitest';
import { decodeSessionIdBase64, encodeSessionIdBase64 } from '../src/index.js';

describe('Spring-compatible base64 cookie values', () => {
  it('round-trips our ids and decodes the UUID ids Spring Session writes', () => {
    const id = generateSessionId();
    expect(decodeSessionIdBase64(encodeSessionIdBase64(id))).toBe(id);
    // What Spring's DefaultCookieSerializer puts in the cookie for a UUID session id.
    const springCookie = 'ZmY3NGQ4ZjktNzJiZC00N2RkLWE1NmEtNjAxYTljMTljZTE2';
    expect(decodeSessionIdBase64(springCookie)).toBe('ff74d8f9-72bd-47dd-a56a-601a9c19ce16');
  });

  it('rejects forged, lenient and oversized variants', () => {
    const canonical = encodeSessionIdBase64('A'.repeat(32));
    expect(canonical.endsWith('=')).toBe(true);
    const bumped = `${canonical.slice(0, -2)}${String.fromCharCode(canonical.charCodeAt(canonical.length - 2) + 1)}=`;
    // Node decodes both to the same bytes; only the canonical text is accepted.
    expect(Buffer.from(bumped, 'base64').toString()).toBe('A'.repeat(32));
    for (const forged of [
      bumped,
      canonical.slice(0, -1),
      canonical.replace(/=$/, '%3D'),
      ` ${canonical}`,
      encodeSessionIdBase64('short'),
      encodeSessionIdBase64('../../etc/passwd/abc'),
      encodeSessionIdBase64('x'.repeat(129)),
      'A'.repeat(10_000),
      '',
    ]) {
      expect(decodeSessionIdBase64(forged), forged.slice(0, 40)).toBeUndefined();
    }
  });
});
