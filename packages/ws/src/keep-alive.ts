import type { Session } from '@session/core';
import { callStore } from '@session/http';
import type { ResolvedWebSocketSessionOptions } from './options.js';
import { saveAccess } from './record-access.js';
import type { SessionEntry } from './registry.js';
import type { SessionEndReason } from './types.js';

/** What keep-alive reports back to the parts that own the entries. */
export interface KeepAliveHooks<S extends Session> {
  /** The store no longer has the session (or it expired): close its sockets. */
  ended(entry: SessionEntry<S>, reason: SessionEndReason): void;
  /** A refresh finished, whatever its result: the entry's session may have a new due time. */
  refreshed(entry: SessionEntry<S>): void;
}

/**
 * Keeps sessions with open sockets alive (Spring Session's message interceptor): activity on a
 * socket records an access, throttled to one store write per `touchIntervalMs` per session (and
 * at least two per idle timeout); every refresh also notices a session that is gone.
 */
export class SessionKeepAlive<S extends Session> {
  readonly #options: ResolvedWebSocketSessionOptions<S>;
  readonly #hooks: KeepAliveHooks<S>;

  constructor(options: ResolvedWebSocketSessionOptions<S>, hooks: KeepAliveHooks<S>) {
    this.#options = options;
    this.#hooks = hooks;
  }

  /** A message (or pong) arrived on a socket of `entry`: touch the session if a touch is due. */
  activity(entry: SessionEntry<S>): void {
    if (entry.ended) return;
    const now = this.#options.clock();
    const every = this.touchEveryMs(entry.session);
    if (entry.failedAt !== undefined && now - entry.failedAt < every) return;
    // Measured from the last access we know of, so HTTP requests' touches count too. A copy that
    // looks expired also lands here: the store may know of a later access, so ask it.
    if (now - entry.session.lastAccessedTime >= every) void this.refresh(entry, true);
  }

  /** The store is written at most every `touchIntervalMs`, and at least twice per idle timeout. */
  touchEveryMs(session: S): number {
    const idle = session.maxInactiveIntervalMs;
    return idle < 0 ? this.#options.touchIntervalMs : Math.min(this.#options.touchIntervalMs, idle / 2);
  }

  /**
   * Reloads the session; ends the entry when it is gone. With `touch`, also records this moment as
   * its last access. Concurrent calls share one store round trip. A store outage ends nothing:
   * the failure is remembered and a later call tries again.
   */
  refresh(entry: SessionEntry<S>, touch: boolean): Promise<void> {
    if (entry.touching !== undefined) return entry.touching;
    const run = async () => {
      const { repository, logger, clock, storeTimeoutMs } = this.#options;
      const now = clock();
      try {
        const fresh = await callStore('findById', storeTimeoutMs, () => repository.findById(entry.id));
        if (entry.ended) return;
        if (fresh === null || fresh.isExpired(now)) {
          this.#hooks.ended(entry, entry.session.isExpired(now) ? 'expired' : 'deleted');
          return;
        }
        if (touch) {
          fresh.lastAccessedTime = Math.max(fresh.lastAccessedTime, now);
          // Deleted, expired or moved to another id between our read and our write: it is gone.
          const access = await saveAccess(repository, fresh, storeTimeoutMs);
          if (access !== 'saved') {
            if (!entry.ended) this.#hooks.ended(entry, access === 'expired' ? 'expired' : 'deleted');
            return;
          }
        }
        if (entry.ended) return;
        entry.session = fresh;
        entry.failedAt = undefined;
      } catch (err) {
        entry.failedAt = now;
        logger.warn('could not refresh the session of a WebSocket', err);
      } finally {
        entry.touching = undefined;
        this.#hooks.refreshed(entry);
      }
    };
    entry.touching = run();
    return entry.touching;
  }
}
