import { describe, expect, it } from 'vitest';
import {
  CorruptSessionDataError,
  InvalidArgumentError,
  InvalidSessionIdError,
  InvalidStoreConfigError,
  isSessionError,
  SessionError,
  type SessionErrorCode,
  SessionInvalidatedError,
  SessionSerializationError,
  SessionStoreUnavailableError,
  StoreNotInstalledError,
} from '../src/index.js';

const cause = new Error('root cause');

const cases: [string, SessionError, SessionErrorCode][] = [
  ['InvalidSessionIdError', new InvalidSessionIdError(), 'SESSION_INVALID_ID'],
  [
    'SessionSerializationError',
    new SessionSerializationError('cart', 'bad', { cause }),
    'SESSION_SERIALIZATION',
  ],
  [
    'SessionStoreUnavailableError',
    new SessionStoreUnavailableError('down', { cause }),
    'SESSION_STORE_UNAVAILABLE',
  ],
  [
    'StoreNotInstalledError',
    new StoreNotInstalledError('@session/redis', { cause }),
    'SESSION_STORE_NOT_INSTALLED',
  ],
  ['InvalidStoreConfigError', new InvalidStoreConfigError('bad config', { cause }), 'SESSION_INVALID_CONFIG'],
  ['InvalidArgumentError', new InvalidArgumentError('bad option'), 'SESSION_INVALID_ARGUMENT'],
  ['SessionInvalidatedError', new SessionInvalidatedError('some-session-id-0001'), 'SESSION_INVALIDATED'],
  [
    'CorruptSessionDataError',
    new CorruptSessionDataError('some-session-id-0001', 'no creationTime', { cause }),
    'SESSION_CORRUPT_DATA',
  ],
];

describe('errors', () => {
  it.each(cases)('%s has its name, code and class chain', (name, err, code) => {
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err).toBeInstanceOf(SessionError);
    expect(err).toBeInstanceOf(Error);
    expect(isSessionError(err)).toBe(true);
    expect(isSessionError(err, code)).toBe(true);
    expect(
      isSessionError(err, code === 'SESSION_INVALID_ID' ? 'SESSION_CORRUPT_DATA' : 'SESSION_INVALID_ID'),
    ).toBe(false);
    expect(err.stack).toContain(name);
  });

  it('codes are distinct', () => {
    expect(new Set(cases.map(([, , code]) => code)).size).toBe(cases.length);
  });

  it('keeps the cause', () => {
    for (const [, err] of cases) {
      if (
        err instanceof InvalidSessionIdError ||
        err instanceof InvalidArgumentError ||
        err instanceof SessionInvalidatedError
      ) {
        continue;
      }
      expect(err.cause).toBe(cause);
    }
  });

  it('isSessionError rejects everything else', () => {
    expect(isSessionError(new Error('x'))).toBe(false);
    expect(isSessionError({ code: 'SESSION_INVALID_ID', name: 'SessionError' })).toBe(false);
    expect(isSessionError(null)).toBe(false);
    expect(isSessionError(undefined)).toBe(false);
    expect(isSessionError('SESSION_INVALID_ID')).toBe(false);
  });

  it('SessionSerializationError names the attribute', () => {
    const err = new SessionSerializationError('cart', 'cannot store a function');
    expect(err.attributeName).toBe('cart');
    expect(err.message).toBe('Session attribute "cart": cannot store a function');
    const anonymous = new SessionSerializationError(undefined, 'plain message');
    expect(anonymous.attributeName).toBeUndefined();
    expect(anonymous.message).toBe('plain message');
  });

  it('StoreNotInstalledError tells how to install the package', () => {
    const err = new StoreNotInstalledError('@session/redis');
    expect(err.packageName).toBe('@session/redis');
    expect(err.message).toContain('npm install @session/redis');
  });

  it('SessionStoreUnavailableError maps to 503 and is retryable unless told otherwise', () => {
    const err = new SessionStoreUnavailableError('down');
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(new SessionStoreUnavailableError('auth failed', { retryable: false }).retryable).toBe(false);
  });

  it('carries the session id where one is involved', () => {
    expect(new SessionInvalidatedError('sid-0000000000000001').sessionId).toBe('sid-0000000000000001');
    expect(new CorruptSessionDataError('sid-0000000000000002', 'x').sessionId).toBe('sid-0000000000000002');
    expect(new InvalidSessionIdError().message).toMatch(/malformed/i);
  });
});
