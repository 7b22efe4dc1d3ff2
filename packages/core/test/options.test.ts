import { describe, expect, it } from 'vitest';
import {
  checkStoreTimeoutMs,
  consoleLogger,
  createDefaultSession,
  DEFAULT_MAX_INACTIVE_INTERVAL_MS,
  defaultSerializer,
  defaultSessionIdGenerator,
  InvalidArgumentError,
  jsonSerializer,
  PrincipalNameIndexResolver,
  resolveRepositoryOptions,
  type SessionRepositoryOptions,
  silentLogger,
} from '../src/index.js';

describe('resolveRepositoryOptions', () => {
  it('applies every default', () => {
    const resolved = resolveRepositoryOptions(undefined, { namespace: 'spring:session' });
    expect(resolved.namespace).toBe('spring:session');
    expect(resolved.defaultMaxInactiveIntervalMs).toBe(DEFAULT_MAX_INACTIVE_INTERVAL_MS);
    expect(resolved.flushMode).toBe('onSave');
    expect(resolved.saveMode).toBe('onSetAttribute');
    expect(resolved.idGenerator).toBe(defaultSessionIdGenerator);
    expect(resolved.serializer).toBe(defaultSerializer);
    expect(resolved.indexResolver).toBeInstanceOf(PrincipalNameIndexResolver);
    expect(resolved.logger).toBe(consoleLogger);
    expect(resolved.clock).toBe(Date.now);
  });

  it('keeps given values, including a negative (never expire) interval', () => {
    const options: SessionRepositoryOptions = {
      namespace: 'app',
      defaultMaxInactiveIntervalMs: -1,
      flushMode: 'immediate',
      saveMode: 'always',
      idGenerator: () => 'custom-session-id-123',
      serializer: jsonSerializer,
      indexResolver: { resolveIndexesFor: () => ({}) },
      logger: silentLogger,
      clock: () => 42,
    };
    expect(resolveRepositoryOptions(options, { namespace: 'default' })).toEqual(options);
  });

  it.each<[string, unknown, RegExp]>([
    ['namespace', 5, /namespace/],
    ['defaultMaxInactiveIntervalMs', Number.NaN, /defaultMaxInactiveIntervalMs/],
    ['defaultMaxInactiveIntervalMs', Number.POSITIVE_INFINITY, /defaultMaxInactiveIntervalMs/],
    ['defaultMaxInactiveIntervalMs', '1800000', /defaultMaxInactiveIntervalMs/],
    ['flushMode', 'sometimes', /flushMode/],
    ['saveMode', 'onRead', /saveMode/],
    ['idGenerator', 'uuid', /idGenerator/],
    ['clock', 123, /clock/],
    ['serializer', {}, /serializer/],
    ['serializer', { serialize: () => '' }, /serializer/],
    ['indexResolver', {}, /indexResolver/],
    ['indexResolver', () => ({}), /indexResolver/],
    ['logger', {}, /logger/],
    ['logger', { warn() {}, error() {} }, /logger/],
  ])('rejects %s = %s with an InvalidArgumentError naming it', (name, value, pattern) => {
    const options = { [name]: value } as SessionRepositoryOptions;
    expect(() => resolveRepositoryOptions(options, { namespace: 'x' })).toThrow(InvalidArgumentError);
    expect(() => resolveRepositoryOptions(options, { namespace: 'x' })).toThrow(pattern);
  });

  it('rejects options that are not an object', () => {
    expect(() =>
      resolveRepositoryOptions(null as unknown as SessionRepositoryOptions, { namespace: 'x' }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      resolveRepositoryOptions('redis' as unknown as SessionRepositoryOptions, { namespace: 'x' }),
    ).toThrow(InvalidArgumentError);
  });

  it('accepts console as a logger', () => {
    expect(resolveRepositoryOptions({ logger: console }, { namespace: 'x' }).logger).toBe(console);
  });
});

describe('createDefaultSession', () => {
  it('builds a new, unsaved session from resolved repository defaults', () => {
    const options = resolveRepositoryOptions(
      {
        defaultMaxInactiveIntervalMs: 5_000,
        saveMode: 'always',
        idGenerator: () => 'fixed-id-0123456789',
        clock: () => 1_234,
      },
      { namespace: 'ns' },
    );
    const session = createDefaultSession(options);
    expect(session.id).toBe('fixed-id-0123456789');
    expect(session.isNew).toBe(true);
    expect(session.maxInactiveIntervalMs).toBe(5_000);
    expect(session.saveMode).toBe('always');
    expect(session.creationTime).toBe(1_234);
    expect(session.lastAccessedTime).toBe(1_234);
    expect(session.names()).toEqual([]);
  });
});

describe('checkStoreTimeoutMs', () => {
  it('gives the fallback for undefined and accepts positive numbers and Infinity', () => {
    expect(checkStoreTimeoutMs(undefined, 2000)).toBe(2000);
    expect(checkStoreTimeoutMs(150, 2000)).toBe(150);
    expect(checkStoreTimeoutMs(Number.POSITIVE_INFINITY, 2000)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([0, -1, Number.NaN, '100', null])('rejects %s with an error naming the option', (value) => {
    expect(() => checkStoreTimeoutMs(value, 2000)).toThrow(InvalidArgumentError);
    expect(() => checkStoreTimeoutMs(value, 2000)).toThrow(/storeTimeoutMs must be a positive number/);
  });
});
