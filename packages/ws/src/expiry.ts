import type { Session } from '@session/core';
import type { SessionEntry } from './registry.js';

// setTimeout's ceiling (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;
// Look a little after the due time, so the store agrees the session is expired.
const GRACE_MS = 25;

function expiresAt(session: Session): number | null {
  return session.maxInactiveIntervalMs < 0 ? null : session.lastAccessedTime + session.maxInactiveIntervalMs;
}

/**
 * Expiry for stores without events: they cannot tell us a session expired, so each session with
 * open sockets gets a timer for its due time, which asks the store again (`check`, not an access).
 * With an evented store this does nothing: its `expired` events close the sockets.
 */
export class ExpiryChecks<S extends Session> {
  readonly #enabled: boolean;
  readonly #clock: () => number;
  readonly #check: (entry: SessionEntry<S>) => void;
  #stopped = false;

  constructor(options: { enabled: boolean; clock: () => number; check: (entry: SessionEntry<S>) => void }) {
    this.#enabled = options.enabled;
    this.#clock = options.clock;
    this.#check = options.check;
  }

  /** (Re)arms the timer of `entry` for its session's current due time. */
  schedule(entry: SessionEntry<S>): void {
    if (!this.#enabled || this.#stopped || entry.ended) return;
    clearTimeout(entry.expiryTimer);
    const due = expiresAt(entry.session);
    if (due === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, due - this.#clock()) + GRACE_MS);
    entry.expiryTimer = setTimeout(() => this.#check(entry), delay);
    entry.expiryTimer.unref();
  }

  cancel(entry: SessionEntry<S>): void {
    clearTimeout(entry.expiryTimer);
    entry.expiryTimer = undefined;
  }

  /** Arms no timer from now on (timers already armed are cancelled entry by entry). */
  stop(): void {
    this.#stopped = true;
  }
}
