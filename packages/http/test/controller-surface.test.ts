import { MemorySessionRepository } from '@session/memory';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HttpSessionManager, RequestSession, type RequestSessionController } from '../src/index.js';

/** What adapters (Express, Koa, plain node:http) use of the controller. Nothing else is public. */
const ADAPTER_MEMBERS = [
  'attachChangeSource',
  'commit',
  'commitAfterResponse',
  'commitFailed',
  'isStored',
  'needsCommit',
  'requestedSessionId',
  'noteHeadersSent',
  'requestAttention',
  'session',
  'whenChanged',
  'writeResponseHeaders',
].sort();

function publicMembers(object: object): string[] {
  const names = new Set(Object.keys(object));
  for (
    let proto = Object.getPrototypeOf(object);
    proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return [...names].sort();
}

async function openController(): Promise<RequestSessionController> {
  const manager = new HttpSessionManager({ repository: new MemorySessionRepository() });
  const response = { getHeader: () => undefined, setHeader: () => undefined };
  return manager.open({ request: { headers: {} }, response });
}

describe('the controller adapters hold', () => {
  it('has only the adapter-facing members; the session mutators are out of reach', async () => {
    const controller = await openController();
    expect(publicMembers(controller)).toEqual(ADAPTER_MEMBERS);
    for (const mutator of [
      'recordAttribute',
      'recordInterval',
      'setRememberMe',
      'setPrincipal',
      'invalidate',
      'save',
      'changed',
      'current',
    ]) {
      expect(mutator in controller).toBe(false);
    }
    const typeChecks = (c: RequestSessionController) => {
      // @ts-expect-error the attribute bookkeeping belongs to RequestSession alone
      c.recordAttribute('n', 1);
      // @ts-expect-error apps read the session through controller.session, not the store object
      c.current;
      // @ts-expect-error invalidating is the app's call, through controller.session
      c.invalidate();
    };
    expect(typeof typeChecks).toBe('function');
  });

  it('still drives the session the app sees: changes made through it are committed', async () => {
    const controller = await openController();
    expect(controller.session).toBeInstanceOf(RequestSession);
    expect(controller.needsCommit()).toBe(false);
    controller.session.set('n', 1);
    expect(controller.needsCommit()).toBe(true);
    await controller.commit();
    expect(controller.isStored).toBe(true);
    expect(controller.needsCommit()).toBe(false);
    expectTypeOf(controller.session).toEqualTypeOf<RequestSession>();
  });
});
