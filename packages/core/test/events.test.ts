import { describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  MapSession,
  SESSION_EVENT_TYPES,
  type SessionEvent,
  SessionEventEmitter,
  type SessionEventType,
  type SessionLogger,
} from '../src/index.js';

function recordingLogger(): SessionLogger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (...args) => errors.push(args) };
}

const session = new MapSession({ id: 'event-session-id-0001', isNew: false });
const created: SessionEvent = { type: 'created', sessionId: session.id, session };
const deleted: SessionEvent = { type: 'deleted', sessionId: session.id, session };
const expired: SessionEvent = { type: 'expired', sessionId: session.id, session: null };

/** Subscribes a recorder to every type and returns what each type received. */
function recordAll(emitter: SessionEventEmitter) {
  const seen: Record<SessionEventType, SessionEvent[]> = {
    created: [],
    deleted: [],
    expired: [],
    destroyed: [],
  };
  for (const type of SESSION_EVENT_TYPES) emitter.on(type, (event) => void seen[type].push(event));
  return seen;
}

describe('SessionEventEmitter', () => {
  it('delivers created only to created listeners', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    const seen = recordAll(emitter);
    emitter.emit(created);
    expect(seen.created).toEqual([created]);
    expect(seen.deleted).toEqual([]);
    expect(seen.expired).toEqual([]);
    expect(seen.destroyed).toEqual([]);
  });

  it('delivers deleted and expired to their own listeners and to destroyed', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    const seen = recordAll(emitter);
    emitter.emit(deleted);
    emitter.emit(expired);
    expect(seen.deleted).toEqual([deleted]);
    expect(seen.expired).toEqual([expired]);
    expect(seen.destroyed).toEqual([deleted, expired]);
    expect(seen.created).toEqual([]);
    // The event object arrives as emitted: id, type and the session (or null).
    expect(seen.destroyed[0]?.session).toBe(session);
    expect(seen.destroyed[1]?.session).toBeNull();
  });

  it('the function returned by on() unsubscribes', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    const listener = vi.fn();
    const unsubscribe = emitter.on('deleted', listener);
    emitter.emit(deleted);
    unsubscribe();
    emitter.emit(deleted);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('deleted')).toBe(0);
  });

  it('off() removes only the given listener of the given type', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    const a = vi.fn();
    const b = vi.fn();
    emitter.on('destroyed', a);
    emitter.on('destroyed', b);
    emitter.on('expired', a);
    emitter.off('destroyed', a);
    emitter.emit(expired);
    expect(a).toHaveBeenCalledTimes(1); // through 'expired' only
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('a throwing listener is logged and the others still run', () => {
    const logger = recordingLogger();
    const emitter = new SessionEventEmitter(logger);
    const before = vi.fn();
    const after = vi.fn();
    const destroyed = vi.fn();
    emitter.on('deleted', before);
    emitter.on('deleted', () => {
      throw new Error('listener bug');
    });
    emitter.on('deleted', after);
    emitter.on('destroyed', destroyed);
    expect(() => emitter.emit(deleted)).not.toThrow();
    expect(before).toHaveBeenCalledOnce();
    expect(after).toHaveBeenCalledOnce();
    expect(destroyed).toHaveBeenCalledOnce();
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.[1]).toBeInstanceOf(Error);
  });

  it('a rejecting async listener is logged, not left unhandled, and the others still run', async () => {
    const logger = recordingLogger();
    const emitter = new SessionEventEmitter(logger);
    const other = vi.fn();
    emitter.on('expired', async () => {
      throw new Error('async listener bug');
    });
    emitter.on('expired', other);
    emitter.emit(expired);
    expect(other).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(logger.errors).toHaveLength(1));
    expect(logger.errors[0]?.[1]).toMatchObject({ message: 'async listener bug' });
  });

  it('a listener removing itself during delivery does not disturb the others', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    const other = vi.fn();
    const unsubscribe = emitter.on('created', () => unsubscribe());
    emitter.on('created', other);
    emitter.emit(created);
    emitter.emit(created);
    expect(other).toHaveBeenCalledTimes(2);
    expect(emitter.listenerCount('created')).toBe(1);
  });

  it('hasListeners counts destroyed listeners for deleted and expired, not for created', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    expect(emitter.hasListeners('deleted')).toBe(false);
    emitter.on('destroyed', () => {});
    expect(emitter.hasListeners('deleted')).toBe(true);
    expect(emitter.hasListeners('expired')).toBe(true);
    expect(emitter.hasListeners('created')).toBe(false);
    emitter.on('created', () => {});
    expect(emitter.hasListeners('created')).toBe(true);
    emitter.clear();
    expect(emitter.hasListeners('deleted')).toBe(false);
    expect(emitter.listenerCount('created')).toBe(0);
  });

  it('rejects unknown event types and non-function listeners', () => {
    const emitter = new SessionEventEmitter(recordingLogger());
    expect(() => emitter.on('destroy' as SessionEventType, () => {})).toThrow(InvalidArgumentError);
    expect(() => emitter.on('deleted', 'nope' as unknown as () => void)).toThrow(InvalidArgumentError);
  });
});
