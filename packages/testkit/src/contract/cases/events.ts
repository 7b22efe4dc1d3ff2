import {
  type Session,
  type SessionEvent,
  type SessionEventSource,
  type SessionEventType,
  type SessionRepository,
  shortSessionId,
  supportsEvents,
} from '@session/core';
import type { SuiteContext } from '../context.js';
import { recordingLogger, sleep, waitFor, withInterval } from '../util.js';

function evented<S extends Session>(repo: SessionRepository<S>): SessionEventSource<S> {
  if (!supportsEvents(repo))
    throw new Error('capabilities.events is true but the repository has no on()/off()');
  return repo;
}

/** Records the events of one type, with the time each arrived. */
interface Recorder {
  readonly events: Array<SessionEvent & { at: number }>;
  of(id: string): Array<SessionEvent & { at: number }>;
  /** Waits until an event for `id` arrived and returns the first one. */
  next(id: string, withinMs: number): Promise<SessionEvent & { at: number }>;
  off(): void;
}

function record<S extends Session>(source: SessionEventSource<S>, type: SessionEventType): Recorder {
  const events: Array<SessionEvent & { at: number }> = [];
  const off = source.on(type, (event) => {
    events.push({ type: event.type, sessionId: event.sessionId, session: event.session, at: Date.now() });
  });
  const of = (id: string) => events.filter((e) => e.sessionId === id);
  return {
    events,
    of,
    next: (id, withinMs) =>
      waitFor(() => of(id)[0], withinMs, `no '${type}' event for session ${shortSessionId(id)}`),
    off,
  };
}

/** `created`, `deleted`, `expired`, `destroyed`; unsubscribing; failing listeners. */
export function eventCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;
  const m = ctx.minIntervalMs;
  const within = ctx.eventWithinMs;

  ctx.describe('events', () => {
    ctx.it(
      "'created' arrives on the first save only",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, load }) => {
          const created = record(evented(repo), 'created');
          const session = await saved({ a: 1 });
          const event = await created.next(session.id, within);
          expect(event.type).toBe('created');
          session.set('a', 2);
          await repo.save(session as unknown as S);
          const copy = await load(session.id);
          copy.set('b', 1);
          await repo.save(copy as unknown as S);
          // A later session's event proves the earlier saves' events (if any) had time to arrive.
          const fence = await saved();
          await created.next(fence.id, within);
          expect(created.of(session.id)).toHaveLength(1);
        });
      },
      2 * within,
    );

    ctx.it(
      "'created' is not emitted for a session that was never saved",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const created = record(evented(repo), 'created');
          const unsaved = await repo.createSession();
          const fence = await saved();
          await created.next(fence.id, within);
          expect(created.of(unsaved.id)).toHaveLength(0);
        });
      },
      within,
    );

    ctx.it(
      "'deleted' arrives for deleteById, and 'destroyed' receives it too",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const source = evented(repo);
          const deleted = record(source, 'deleted');
          const destroyed = record(source, 'destroyed');
          const expired = record(source, 'expired');
          const session = await saved({ a: 1 });
          await repo.deleteById(session.id);
          const event = await deleted.next(session.id, within);
          expect(event.type).toBe('deleted');
          expect(event.sessionId).toBe(session.id);
          const viaDestroyed = await destroyed.next(session.id, within);
          expect(viaDestroyed.type).toBe('deleted');
          expect(expired.of(session.id)).toHaveLength(0);
        });
      },
      within,
    );

    ctx.it(
      "deleteById of a missing session emits no 'deleted'",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const deleted = record(evented(repo), 'deleted');
          const missing = await repo.createSession();
          await repo.deleteById(missing.id);
          const session = await saved();
          await repo.deleteById(session.id);
          await repo.deleteById(session.id);
          await deleted.next(session.id, within);
          const fence = await saved();
          await repo.deleteById(fence.id);
          await deleted.next(fence.id, within);
          expect(deleted.of(missing.id)).toHaveLength(0);
          expect(deleted.of(session.id)).toHaveLength(1);
        });
      },
      within,
    );

    ctx.it(
      "'expired' arrives within eventWithinMs of the due time, never before it, and 'destroyed' receives it",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, find, harness }) => {
          const source = evented(repo);
          const expired = record(source, 'expired');
          const destroyed = record(source, 'destroyed');
          const deleted = record(source, 'deleted');
          let due = 0;
          const session = await saved({ a: 1 }, (s) => {
            s.maxInactiveIntervalMs = m;
            due = s.lastAccessedTime + m;
          });
          const event = await waitFor(
            () => expired.of(session.id)[0],
            due - Date.now() + within,
            `no 'expired' event within ${within} ms of the due time`,
          );
          expect(event.type).toBe('expired');
          expect(event.at).toBeGreaterThanOrEqual(due - 50);
          expect((await destroyed.next(session.id, within)).type).toBe('expired');
          expect(deleted.of(session.id)).toHaveLength(0);
          expect(await find(session.id)).toBeNull();
          if (harness.raw) {
            const raw = harness.raw;
            await waitFor(
              async () => ((await raw.exists(session.id)) ? undefined : true),
              within,
              'the backend still holds the expired session',
            );
          }
          await sleep(50);
          expect(expired.of(session.id)).toHaveLength(1);
        });
      },
      m + 2 * within,
    );

    ctx.it(
      "no 'expired' for sessions deleted before their due time or that never expire",
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const expired = record(evented(repo), 'expired');
          const gone = await saved({}, withInterval(m));
          // Deleted right away, well before its due time even on a loaded machine.
          await repo.deleteById(gone.id);
          const eternal = await saved({}, (s) => {
            s.maxInactiveIntervalMs = -1;
            s.lastAccessedTime = Date.now() - 3600_000;
          });
          const fence = await saved({}, withInterval(m));
          await expired.next(fence.id, m + within);
          expect(expired.of(gone.id)).toHaveLength(0);
          expect(expired.of(eternal.id)).toHaveLength(0);
        });
      },
      m + 2 * within,
    );

    ctx.it(
      'unsubscribed listeners receive nothing (the returned function and off())',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved }) => {
          const source = evented(repo);
          const received: string[] = [];
          const offCreated = source.on('created', (e) => {
            received.push(`created ${e.sessionId}`);
          });
          const onDeleted = (e: SessionEvent<S>) => {
            received.push(`deleted ${e.sessionId}`);
          };
          source.on('deleted', onDeleted);
          const onDestroyed = (e: SessionEvent<S>) => {
            received.push(`destroyed ${e.sessionId}`);
          };
          source.on('destroyed', onDestroyed);
          offCreated();
          source.off('deleted', onDeleted);
          source.off('destroyed', onDestroyed);
          const fenceCreated = record(source, 'created');
          const fenceDeleted = record(source, 'deleted');
          const session = await saved();
          await repo.deleteById(session.id);
          await fenceCreated.next(session.id, within);
          await fenceDeleted.next(session.id, within);
          expect(received).toEqual([]);
        });
      },
      within,
    );

    ctx.it(
      'listeners that throw or reject do not break the store or other listeners',
      async () => {
        const logger = recordingLogger();
        await ctx.withHarness({ logger }, async ({ repo, saved, load, find }) => {
          const source = evented(repo);
          for (const type of ['created', 'deleted', 'destroyed'] as const) {
            source.on(type, () => {
              throw new Error(`listener for ${type} fails`);
            });
            source.on(type, () => Promise.reject(new Error(`async listener for ${type} fails`)));
          }
          const created = record(source, 'created');
          const deleted = record(source, 'deleted');
          const session = await saved({ a: 1 });
          expect((await load(session.id)).get('a')).toBe(1);
          await created.next(session.id, within);
          await repo.deleteById(session.id);
          await deleted.next(session.id, within);
          expect(await find(session.id)).toBeNull();
          const next = await saved({ b: 2 });
          expect((await load(next.id)).get('b')).toBe(2);
        });
      },
      within,
    );

    ctx.it(
      'a peer instance on the same backend receives deleted and expired events (when the harness has createPeer)',
      async () => {
        await ctx.withHarness({}, async ({ repo, saved, harness }) => {
          if (harness.createPeer === undefined) return ctx.notExercised('the harness has no createPeer');
          const peer = evented(await harness.createPeer());
          const peerDeleted = record(peer, 'deleted');
          const peerExpired = record(peer, 'expired');
          const localExpired = record(evented(repo), 'expired');
          const session = await saved();
          await repo.deleteById(session.id);
          await peerDeleted.next(session.id, within);
          const short = await saved({}, withInterval(m));
          await peerExpired.next(short.id, m + within);
          await localExpired.next(short.id, within);
          await sleep(Math.min(within, 500));
          // One event per instance, however many instances sweep.
          expect(peerExpired.of(short.id)).toHaveLength(1);
          expect(localExpired.of(short.id)).toHaveLength(1);
        });
      },
      m + 3 * within,
    );
  });
}
