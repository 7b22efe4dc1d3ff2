import { describe, expect, it, vi } from 'vitest';
import {
  enableImmediateFlush,
  MapSession,
  type SessionDelta,
  type SessionLogger,
  settleImmediateFlush,
} from '../src/index.js';

function recordingLogger(): SessionLogger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (...args) => errors.push(args) };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A store-like writer: takes the delta, "writes" it (optionally waiting on a gate), then marks it
 * saved, as a real store's save does. Records what every write carried and the peak concurrency.
 */
function fakeStore(options: { gates?: Promise<void>[]; failures?: number } = {}) {
  const writes: SessionDelta[] = [];
  let running = 0;
  let peak = 0;
  let failuresLeft = options.failures ?? 0;
  const write = async (session: MapSession) => {
    const delta = session.getDelta();
    running++;
    peak = Math.max(peak, running);
    try {
      const gate = options.gates?.[writes.length];
      writes.push(delta);
      if (gate) await gate;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('store down');
      }
      session.markSaved(delta);
    } finally {
      running--;
    }
  };
  return { write, writes, peak: () => peak };
}

const attrs = (delta: SessionDelta | undefined) => Object.fromEntries(delta?.setAttributes ?? []);

describe('immediate flush', () => {
  it('coalesces changes made in one tick into one write', async () => {
    const session = new MapSession({ id: 'immediate-flush-0001', isNew: false, attributes: { c: 1 } });
    const store = fakeStore();
    enableImmediateFlush(session, store.write, recordingLogger());
    session.set('a', 1);
    session.set('b', 2);
    session.delete('c');
    session.lastAccessedTime = 123;
    await settleImmediateFlush(session);
    expect(store.writes).toHaveLength(1);
    expect(attrs(store.writes[0])).toEqual({ a: 1, b: 2 });
    expect([...(store.writes[0]?.removedAttributes ?? [])]).toEqual(['c']);
    expect(store.writes[0]?.lastAccessedTimeChanged).toBe(true);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('writes as the change happens, without waiting for a save', async () => {
    const session = new MapSession({ id: 'immediate-flush-0002', isNew: false });
    const store = fakeStore();
    enableImmediateFlush(session, store.write, recordingLogger());
    session.set('a', 1);
    await vi.waitFor(() => expect(store.writes).toHaveLength(1));
    expect(attrs(store.writes[0])).toEqual({ a: 1 });
  });

  it('writes one at a time per session, later changes in a later write', async () => {
    const gate = deferred();
    const session = new MapSession({ id: 'immediate-flush-0003', isNew: false });
    const store = fakeStore({ gates: [gate.promise] });
    enableImmediateFlush(session, store.write, recordingLogger());
    session.set('a', 1);
    await vi.waitFor(() => expect(store.writes).toHaveLength(1));
    // The first write is in flight: these changes must wait for it.
    const sameArray = ['x'];
    session.set('b', sameArray);
    session.set('a', 2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.writes).toHaveLength(1);
    gate.resolve();
    await settleImmediateFlush(session);
    expect(store.writes).toHaveLength(2);
    expect(store.peak()).toBe(1);
    expect(attrs(store.writes[1])).toEqual({ a: 2, b: ['x'] });
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('settle waits for writes queued while it was waiting', async () => {
    const gate = deferred();
    const session = new MapSession({ id: 'immediate-flush-0004', isNew: false });
    const store = fakeStore({ gates: [gate.promise] });
    enableImmediateFlush(session, store.write, recordingLogger());
    session.set('a', 1);
    const settled = settleImmediateFlush(session);
    await vi.waitFor(() => expect(store.writes).toHaveLength(1));
    session.set('b', 2); // queued behind the write settle is waiting for
    gate.resolve();
    await settled;
    expect(store.writes).toHaveLength(2);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('a failed write is logged, rethrown by the next settle once, and its changes stay pending', async () => {
    const logger = recordingLogger();
    const session = new MapSession({ id: 'immediate-flush-0005', isNew: false });
    const store = fakeStore({ failures: 1 });
    enableImmediateFlush(session, store.write, logger);
    session.set('a', 1);
    await expect(settleImmediateFlush(session)).rejects.toThrow('store down');
    expect(logger.errors).toHaveLength(1);
    await expect(settleImmediateFlush(session)).resolves.toBeUndefined();

    // Nothing was marked saved, so the next write carries the failed change too.
    session.set('b', 2);
    await settleImmediateFlush(session);
    expect(attrs(store.writes.at(-1))).toEqual({ a: 1, b: 2 });
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('a failure repaired by a later successful write does not fail the next settle', async () => {
    const logger = recordingLogger();
    const session = new MapSession({ id: 'immediate-flush-0009', isNew: false });
    const store = fakeStore({ failures: 1 });
    enableImmediateFlush(session, store.write, logger);
    session.set('a', 1);
    await vi.waitFor(() => expect(logger.errors).toHaveLength(1));
    // The next write carries the failed change too and succeeds: everything is stored.
    session.set('b', 2);
    await expect(settleImmediateFlush(session)).resolves.toBeUndefined();
    expect(attrs(store.writes.at(-1))).toEqual({ a: 1, b: 2 });
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('a writer that throws synchronously is handled like a failed write', async () => {
    const logger = recordingLogger();
    const session = new MapSession({ id: 'immediate-flush-0006', isNew: false });
    enableImmediateFlush(
      session,
      () => {
        throw new Error('sync failure');
      },
      logger,
    );
    session.set('a', 1);
    await expect(settleImmediateFlush(session)).rejects.toThrow('sync failure');
    expect(logger.errors).toHaveLength(1);
  });

  it('settle is a no-op for sessions without immediate flush', async () => {
    const session = new MapSession();
    session.set('a', 1);
    await expect(settleImmediateFlush(session)).resolves.toBeUndefined();
    expect(session.getDelta().hasChanges).toBe(true);
  });

  it('no change, no write', async () => {
    const session = new MapSession({ id: 'immediate-flush-0007', isNew: false, attributes: { a: 1 } });
    const store = fakeStore();
    enableImmediateFlush(session, store.write, recordingLogger());
    session.get('a');
    const unchanged = session.lastAccessedTime;
    session.lastAccessedTime = unchanged;
    await settleImmediateFlush(session);
    expect(store.writes).toHaveLength(0);
  });
});
