import { SessionInvalidatedError, SessionStoreUnavailableError, silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { SpyRepository } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import { HttpSessionManager, type HttpSessionOptions } from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

async function setup(options: Partial<HttpSessionOptions> = {}) {
  const memory = new MemorySessionRepository();
  const spy = new SpyRepository(memory);
  const manager = new HttpSessionManager({
    repository: spy,
    logger: silentLogger,
    storeTimeoutMs: 100,
    ...options,
  });
  const open = async (id?: string) => {
    const { exchange, out } = fakeExchange();
    if (id !== undefined)
      exchange.request.headers = { cookie: `SESSION=${Buffer.from(id).toString('base64')}` } as never;
    return { controller: await manager.open(exchange), out };
  };
  return { spy, memory, manager, open };
}

describe('reload()', () => {
  it('drops the changes of this request and shows what the store has', async () => {
    const { open, memory } = await setup();
    const first = await open();
    first.controller.session.set('a', 1);
    await first.controller.commit();
    const { controller } = await open(first.controller.session.id);
    controller.session.set('a', 2);
    controller.session.set('b', 3);
    const other = await memory.findById(controller.session.id);
    other?.set('c', 4);
    if (other) await memory.save(other);
    await controller.session.reload();
    expect(controller.session.get('a')).toBe(1);
    expect(controller.session.names().sort()).toEqual(['a', 'c']);
    await controller.commit();
    expect((await memory.findById(controller.session.id))?.get('a')).toBe(1);
  });

  it('rejects with SessionInvalidatedError for a session the store does not have, leaving it as it was', async () => {
    const { open, memory } = await setup();
    const fresh = await open();
    fresh.controller.session.set('a', 1);
    await expect(fresh.controller.session.reload()).rejects.toBeInstanceOf(SessionInvalidatedError);
    await fresh.controller.commit();
    const loaded = await open(fresh.controller.session.id);
    await memory.deleteById(fresh.controller.session.id);
    await expect(loaded.controller.session.reload()).rejects.toBeInstanceOf(SessionInvalidatedError);
    expect(loaded.controller.session.get('a')).toBe(1);
  });

  it('rejects with SessionStoreUnavailableError when the store fails', async () => {
    const { open, spy } = await setup();
    const first = await open();
    first.controller.session.set('a', 1);
    await first.controller.commit();
    const { controller } = await open(first.controller.session.id);
    spy.mode = 'reject';
    await expect(controller.session.reload()).rejects.toBeInstanceOf(SessionStoreUnavailableError);
  });
});

describe("whenStoreUnavailable: 'continue'", () => {
  it('the end-of-request commit logs a failed save and resolves; the response gets no id', async () => {
    const { open, spy } = await setup({ whenStoreUnavailable: 'continue' });
    const { controller, out } = await open();
    controller.session.set('a', 1);
    spy.mode = 'reject';
    await expect(controller.commit()).resolves.toBeUndefined();
    expect(controller.commitFailed).toBe(true);
    controller.writeResponseHeaders();
    expect(out.get('set-cookie')).toBeUndefined();
  });

  it('explicit saves still reject: save(), and commit({ explicit: true })', async () => {
    const { open, spy } = await setup({ whenStoreUnavailable: 'continue' });
    const { controller } = await open();
    controller.session.set('a', 1);
    spy.mode = 'reject';
    await expect(controller.session.save()).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    const second = await open();
    second.controller.session.set('a', 1);
    await expect(second.controller.commit({ explicit: true })).rejects.toBeInstanceOf(
      SessionStoreUnavailableError,
    );
  });

  it('continuesWithoutSession says which load failures let the request run on', async () => {
    const failing = new SessionStoreUnavailableError('down');
    expect((await setup({ whenStoreUnavailable: 'continue' })).manager.continuesWithoutSession(failing)).toBe(
      true,
    );
    expect(
      (await setup({ whenStoreUnavailable: 'continue' })).manager.continuesWithoutSession(new Error('bug')),
    ).toBe(false);
    expect((await setup()).manager.continuesWithoutSession(failing)).toBe(false);
  });
});

describe('saveUninitialized', () => {
  it('stores a new session nobody wrote to', async () => {
    const { open, memory } = await setup({ saveUninitialized: true });
    const { controller, out } = await open();
    expect(controller.needsCommit()).toBe(true);
    await controller.commit();
    controller.writeResponseHeaders();
    expect(await memory.findById(controller.session.id)).not.toBeNull();
    expect(String(out.get('set-cookie'))).toMatch(/^SESSION=/);
  });
});

describe('option checks', () => {
  it('refuses bad values with errors that name the option', () => {
    const repository = new MemorySessionRepository();
    expect(() => new HttpSessionManager({ repository, saveUninitialized: 'yes' as never })).toThrow(
      /saveUninitialized/,
    );
    expect(() => new HttpSessionManager({ repository, whenStoreUnavailable: 'retry' as never })).toThrow(
      /whenStoreUnavailable/,
    );
    expect(() => new HttpSessionManager({ repository, migrateFrom: {} as never })).toThrow(/migrateFrom/);
  });
});
