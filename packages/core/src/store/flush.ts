import type { SessionLogger } from '../logger.js';
import type { MapSession } from '../session.js';

const pending = new WeakMap<MapSession<object>, { chain: Promise<void>; queued: boolean; error: unknown }>();

/**
 * Makes `session` write itself through `write` after every change (`flushMode: 'immediate'`).
 * Writes run one at a time per session and coalesce: many changes in one tick cost one write.
 * A failed write is logged and rethrown by the next {@link settleImmediateFlush}, unless a later
 * write (which carries the failed changes too) succeeded meanwhile.
 */
export function enableImmediateFlush<S extends MapSession<object>>(
  session: S,
  write: (session: S) => Promise<void>,
  logger: SessionLogger,
): void {
  const state = { chain: Promise.resolve(), queued: false, error: undefined as unknown };
  pending.set(session, state);
  session.setChangeListener(() => {
    if (state.queued) return;
    state.queued = true;
    state.chain = state.chain.then(async () => {
      // Let the rest of this tick's changes join the same write.
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      state.queued = false;
      try {
        await write(session);
        // This write carried every change still pending, the failed write's too (it never marked
        // them saved), so an earlier failure is repaired and must not fail the next settle.
        state.error = undefined;
      } catch (err) {
        state.error = err;
        logger.error('immediate session flush failed', err);
      }
    });
  });
}

/** Waits for the session's immediate writes; throws the last failure, once. No-op for `onSave` sessions. */
export async function settleImmediateFlush(session: MapSession<object>): Promise<void> {
  const state = pending.get(session);
  if (state === undefined) return;
  // Writes queued while we waited belong to this settle too.
  let chain: Promise<void>;
  do {
    chain = state.chain;
    await chain;
  } while (chain !== state.chain);
  if (state.error !== undefined) {
    const err = state.error;
    state.error = undefined;
    throw err;
  }
}
