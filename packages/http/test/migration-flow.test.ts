import { silentLogger } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { SpyRepository } from '@session/testkit/http';
import { describe, expect, it } from 'vitest';
import { HttpSessionManager, type LegacySession, type LegacySessionSource } from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

/** A legacy source holding one session under cookie `old=1`, recording what the layer asks of it. */
function legacySource(options: { removeFails?: boolean; findFails?: boolean } = {}) {
  const calls: string[] = [];
  const source: LegacySessionSource = {
    name: 'legacy',
    async find(request) {
      calls.push('find');
      if (options.findFails) throw new Error('old store down');
      return request.headers.cookie === 'old=1' ? { key: 'k1', attributes: [['user', 'alice']] } : null;
    },
    async remove(session: LegacySession) {
      calls.push(`remove ${session.key}`);
      if (options.removeFails) throw new Error('old store down');
    },
    expireCookies(exchange) {
      calls.push('expire');
      exchange.response.setHeader('x-expired', 'old');
    },
  };
  return { source, calls };
}

async function setup(source: LegacySessionSource) {
  const spy = new SpyRepository(new MemorySessionRepository());
  const manager = new HttpSessionManager({
    repository: spy,
    logger: silentLogger,
    migrateFrom: source,
    storeTimeoutMs: 100,
  });
  const open = async (cookie?: string) => {
    const { exchange, out } = fakeExchange();
    if (cookie !== undefined) exchange.request.headers = { cookie } as never;
    return { controller: await manager.open(exchange), out };
  };
  return { spy, open };
}

describe('moving a legacy session on the first visit', () => {
  it('copies it into a new session, stores it, then removes the legacy one and expires its cookie', async () => {
    const { source, calls } = legacySource();
    const { spy, open } = await setup(source);
    const { controller, out } = await open('old=1');
    expect(controller.session.get('user')).toBe('alice');
    expect(controller.needsCommit()).toBe(true);
    await controller.commit();
    controller.writeResponseHeaders();
    expect(calls).toEqual(['find', 'remove k1', 'expire']);
    expect(out.get('x-expired')).toBe('old');
    expect(String(out.get('set-cookie'))).toMatch(/^SESSION=/);
    expect((await spy.findById(controller.session.id))?.get('user')).toBe('alice');
  });

  it('requests without a legacy cookie are not moved; requests with our session never ask the legacy source', async () => {
    const { source, calls } = legacySource();
    const { open } = await setup(source);
    const anonymous = await open();
    expect(anonymous.controller.needsCommit()).toBe(false);
    anonymous.controller.session.set('x', 1);
    await anonymous.controller.commit();
    calls.length = 0;
    await open(`SESSION=${Buffer.from(anonymous.controller.session.id).toString('base64')}`);
    expect(calls).toEqual([]);
  });

  it('when the new session cannot be stored, the legacy session and its cookie stay for the next visit', async () => {
    const { source, calls } = legacySource();
    const { spy, open } = await setup(source);
    const { controller, out } = await open('old=1');
    spy.mode = 'reject';
    await expect(controller.commit()).rejects.toThrow();
    controller.writeResponseHeaders();
    expect(calls).toEqual(['find']);
    expect(out.size).toBe(0);
  });

  it('when the legacy session cannot be removed, the user keeps the new session and the legacy cookie goes', async () => {
    const { source, calls } = legacySource({ removeFails: true });
    const { open } = await setup(source);
    const { controller, out } = await open('old=1');
    await controller.commit();
    controller.writeResponseHeaders();
    expect(calls).toEqual(['find', 'remove k1', 'expire']);
    expect(String(out.get('set-cookie'))).toMatch(/^SESSION=/);
  });

  it('a legacy store that fails fails the request with 503', async () => {
    const { source } = legacySource({ findFails: true });
    const { open } = await setup(source);
    await expect(open('old=1')).rejects.toMatchObject({ status: 503 });
  });

  it('signing out on the first visit removes the legacy session too', async () => {
    const { source, calls } = legacySource();
    const { open } = await setup(source);
    const { controller, out } = await open('old=1');
    await controller.session.invalidate();
    await controller.commit();
    controller.writeResponseHeaders();
    expect(calls).toEqual(['find', 'remove k1', 'expire']);
    expect(String(out.get('set-cookie'))).toMatch(/^SESSION=; Max-Age=0/);
  });
});
