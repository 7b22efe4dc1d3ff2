import { InvalidArgumentError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { WebSocketSessions } from '../src/index.js';
import { memoryRepository } from './support/fixtures.js';

describe('options', () => {
  it('rejects bad options with InvalidArgumentError naming the option', () => {
    const repository = memoryRepository();
    expect(() => new WebSocketSessions({ repository: {} as never })).toThrow(InvalidArgumentError);
    expect(() => new WebSocketSessions({ repository, touchIntervalMs: -1 })).toThrow(/touchIntervalMs/);
    expect(() => new WebSocketSessions({ repository, closeCode: 1006 })).toThrow(/closeCode/);
    expect(() => new WebSocketSessions({ repository, protocolPrefix: 'has space' })).toThrow(
      /protocolPrefix/,
    );
    for (const storeTimeoutMs of [0, -5, Number.NaN]) {
      expect(() => new WebSocketSessions({ repository, storeTimeoutMs })).toThrow(/storeTimeoutMs/);
    }
    expect(
      () => new WebSocketSessions({ repository, storeTimeoutMs: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });
});
