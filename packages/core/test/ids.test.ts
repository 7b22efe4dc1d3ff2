import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertValidSessionId,
  DEFAULT_SESSION_ID_BYTES,
  defaultSessionIdGenerator,
  generateSessionId,
  InvalidArgumentError,
  InvalidSessionIdError,
  isValidSessionId,
  randomSessionIdGenerator,
  SESSION_ID_MAX_LENGTH,
  SESSION_ID_MIN_LENGTH,
} from '../src/index.js';

const URL_SAFE = /^[A-Za-z0-9_-]+$/;

describe('default session ids', () => {
  it('carry at least 128 random bits in the URL-safe alphabet', () => {
    const id = defaultSessionIdGenerator();
    expect(id).toMatch(URL_SAFE);
    expect(Buffer.from(id, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(Buffer.from(id, 'base64url').length).toBe(DEFAULT_SESSION_ID_BYTES);
    expect(encodeURIComponent(id)).toBe(id);
    expect(isValidSessionId(id)).toBe(true);
  });

  it('are unique across many draws and use the whole alphabet', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(generateSessionId());
    expect(ids.size).toBe(10_000);
    // A weak generator (hex, digits only, a constant prefix) would miss characters.
    const chars = new Set([...ids].join(''));
    expect(chars.size).toBe(64);
    const firstChars = new Set([...ids].map((id) => id[0]));
    expect(firstChars.size).toBe(64);
  });
});

describe('isValidSessionId', () => {
  it("accepts ours and Spring Session's UUIDs", () => {
    expect(isValidSessionId(randomUUID())).toBe(true);
    expect(isValidSessionId('3f1e8b9a-1c2d-4e5f-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(isValidSessionId(defaultSessionIdGenerator())).toBe(true);
  });

  it('accepts exactly the length bounds', () => {
    expect(isValidSessionId('a'.repeat(SESSION_ID_MIN_LENGTH))).toBe(true);
    expect(isValidSessionId('a'.repeat(SESSION_ID_MIN_LENGTH - 1))).toBe(false);
    expect(isValidSessionId('a'.repeat(SESSION_ID_MAX_LENGTH))).toBe(true);
    expect(isValidSessionId('a'.repeat(SESSION_ID_MAX_LENGTH + 1))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(4096)],
    ['standard base64 plus', 'abcdefghijklmnop+q'],
    ['standard base64 slash', 'abcdefghijklmnop/q'],
    ['padding', 'abcdefghijklmnopq='],
    ['space', 'abcdefgh ijklmnopq'],
    ['trailing newline', 'abcdefghijklmnopq\n'],
    ['leading newline', '\nabcdefghijklmnopq'],
    ['dot', 'abcdefghijklmnop.q'],
    ['key separator', 'abcdefghijklmnop:q'],
    ['hash tag braces', 'abcdefgh{ijklmnop}'],
    ['percent-encoding', 'abcdefghijklmnop%20'],
    ['non-ASCII letter', 'abcdefghijklmnopé'],
    ['NUL', 'abcdefghijklmnop\0'],
  ])('rejects %s', (_label, id) => {
    expect(isValidSessionId(id)).toBe(false);
    expect(() => assertValidSessionId(id)).toThrow(InvalidSessionIdError);
  });

  it.each([
    ['a number', 1234567890123456],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => 'abcdefghijklmnopqrstuvwxyz' }],
    ['an array', ['abcdefghijklmnopqrstuvwxyz']],
    ['a String object', new String('abcdefghijklmnopqrstuvwxyz')],
  ])('rejects %s', (_label, id) => {
    expect(isValidSessionId(id)).toBe(false);
  });

  it('assertValidSessionId passes valid ids', () => {
    expect(() => assertValidSessionId(randomUUID())).not.toThrow();
  });
});

describe('generateSessionId', () => {
  it('passes through a valid custom id', () => {
    expect(generateSessionId(() => 'custom_session-id-0001')).toBe('custom_session-id-0001');
  });

  it.each([
    ['too short', () => 'short'],
    ['empty', () => ''],
    ['bad alphabet', () => 'has/slash+plus=equals'],
    ['not a string', () => 1234567890123456 as unknown as string],
    ['undefined', () => undefined as unknown as string],
  ])('rejects a broken generator (%s)', (_label, generator) => {
    expect(() => generateSessionId(generator)).toThrow(InvalidSessionIdError);
  });
});

describe('randomSessionIdGenerator', () => {
  it('produces ids with the requested randomness that pass the syntax check', () => {
    for (const bytes of [16, 32, 96]) {
      const id = randomSessionIdGenerator(bytes)();
      expect(Buffer.from(id, 'base64url').length).toBe(bytes);
      expect(isValidSessionId(id)).toBe(true);
    }
    expect(randomSessionIdGenerator(96)()).toHaveLength(SESSION_ID_MAX_LENGTH);
    expect(randomSessionIdGenerator()()).toHaveLength(32);
  });

  it.each([15, 0, -1, 97, 16.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s bytes', (bytes) => {
    expect(() => randomSessionIdGenerator(bytes)).toThrow(InvalidArgumentError);
  });
});
