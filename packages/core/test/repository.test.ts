import { describe, expect, it } from 'vitest';
import {
  type FindByIndexNameSessionRepository,
  isIndexedRepository,
  MapSession,
  SessionEventEmitter,
  type SessionRepository,
  supportsEvents,
} from '../src/index.js';

function baseRepository(capabilities: { indexed: boolean; events: boolean }): SessionRepository<MapSession> {
  return {
    capabilities,
    createSession: async () => new MapSession(),
    save: async (session) => ({ status: 'written', id: session.id }),
    findById: async () => null,
    deleteById: async () => {},
  };
}

describe('capability checks', () => {
  it('isIndexedRepository needs the capability and the method', () => {
    const plain = baseRepository({ indexed: false, events: false });
    const indexed: FindByIndexNameSessionRepository<MapSession> = {
      ...baseRepository({ indexed: true, events: false }),
      findByIndexNameAndIndexValue: async () => new Map(),
      findByPrincipalName: async () => new Map(),
    };
    expect(isIndexedRepository(plain)).toBe(false);
    expect(isIndexedRepository(indexed)).toBe(true);
    // Claims the capability but lacks the method: not indexed.
    expect(isIndexedRepository(baseRepository({ indexed: true, events: false }))).toBe(false);
    // Has the method but says it is not indexed: trust the flag.
    expect(isIndexedRepository({ ...indexed, capabilities: { indexed: false, events: false } })).toBe(false);
  });

  it('supportsEvents needs the capability and on()', () => {
    const emitter = new SessionEventEmitter<MapSession>();
    const evented = Object.assign(baseRepository({ indexed: false, events: true }), {
      on: emitter.on.bind(emitter),
      off: emitter.off.bind(emitter),
    });
    expect(supportsEvents(evented)).toBe(true);
    expect(supportsEvents(baseRepository({ indexed: false, events: true }))).toBe(false);
    expect(supportsEvents({ ...evented, capabilities: { indexed: false, events: false } })).toBe(false);
  });
});
