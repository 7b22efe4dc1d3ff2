import { InvalidArgumentError, SessionSerializationError, SessionStoreUnavailableError } from '@session/core';
import { describe, expect, it } from 'vitest';
import { callStore } from '../src/index.js';

describe('callStore', () => {
  it('passes results through', async () => {
    await expect(callStore('findById', 100, async () => 42)).resolves.toBe(42);
    await expect(callStore('findById', Number.POSITIVE_INFINITY, async () => 'x')).resolves.toBe('x');
  });

  it('turns a hung call into SessionStoreUnavailableError with status 503', async () => {
    const err = await callStore('save', 20, () => new Promise<never>(() => {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect((err as SessionStoreUnavailableError).status).toBe(503);
    expect((err as Error).message).toContain('save');
  });

  it('wraps driver errors and synchronous throws, keeping the cause', async () => {
    const cause = new Error('ECONNRESET');
    const err = await callStore('findById', 100, async () => {
      throw cause;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect((err as Error).cause).toBe(cause);
    const sync = await callStore('deleteById', 100, () => {
      throw cause;
    }).catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(SessionStoreUnavailableError);
  });

  it('keeps library errors as they are (a bad attribute is not an outage)', async () => {
    const serialization = new SessionSerializationError('cart', 'not serializable');
    await expect(
      callStore('save', 100, async () => {
        throw serialization;
      }),
    ).rejects.toBe(serialization);
  });

  it('a call that fails after its timeout causes no unhandled rejection', async () => {
    const late = callStore(
      'save',
      5,
      () => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 30)),
    );
    await expect(late).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('gives every call its own full bound when calls with the same timeout overlap', async () => {
    const hung = () => new Promise<never>(() => {});
    const startedAt = performance.now();
    const first = callStore('findById', 60, hung).catch(() => performance.now() - startedAt);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const secondStartedAt = performance.now();
    const second = callStore('save', 60, hung).catch(() => performance.now() - secondStartedAt);
    const answered = callStore('save', 60, async () => 'ok');
    expect(await first).toBeGreaterThanOrEqual(59);
    expect(await second).toBeGreaterThanOrEqual(59);
    await expect(answered).resolves.toBe('ok');
  });

  it('keeps a result that arrived in time after other calls timed out', async () => {
    const slow = callStore(
      'findById',
      80,
      () => new Promise<string>((resolve) => setTimeout(() => resolve('late but in time'), 50)),
    );
    const hung = callStore('save', 80, () => new Promise<never>(() => {}));
    await expect(hung).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(slow).resolves.toBe('late but in time');
  });

  it('validates the timeout option through the manager', async () => {
    const { HttpSessionManager } = await import('../src/index.js');
    const repository = { createSession() {}, save() {}, findById() {}, deleteById() {} } as never;
    expect(() => new HttpSessionManager({ repository, storeTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new HttpSessionManager({ repository: {} as never })).toThrow(InvalidArgumentError);
  });
});
