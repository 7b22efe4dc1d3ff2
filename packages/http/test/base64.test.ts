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

  it('accepts exactly one text per id: variants of the last character before the padding are refused', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    // 31 and 32 characters: one and two padding characters.
    for (const id of ['B'.repeat(31), 'z9_-'.repeat(8), generateSessionId().slice(0, 31)]) {
      const canonical = encodeSessionIdBase64(id);
      const padding = canonical.endsWith('==') ? 2 : 1;
      const at = canonical.length - padding - 1;
      const textsById = new Map<string, string[]>();
      for (const c of alphabet) {
        const variant = canonical.slice(0, at) + c + canonical.slice(at + 1);
        const decoded = decodeSessionIdBase64(variant);
        if (decoded === undefined) continue;
        // Another text may decode to another valid id; never two texts to one id.
        expect(encodeSessionIdBase64(decoded)).toBe(variant);
        textsById.set(decoded, [...(textsById.get(decoded) ?? []), variant]);
      }
      expect(textsById.get(id), canonical).toEqual([canonical]);
      for (const texts of textsById.values()) expect(texts.length).toBe(1);
    }
  });
});
