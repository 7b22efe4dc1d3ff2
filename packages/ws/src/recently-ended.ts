/**
 * Ids of sessions that ended a moment ago. A session destroyed while one of its upgrades was still
 * in flight must not leave that socket open: the socket is bound after the `destroyed` event
 * went by, so binding asks here. Bounded in time and size; time is read from the sessions' clock.
 */
export class RecentlyEndedSessions {
  /** How long an ended id is remembered. */
  static readonly TTL_MS = 60_000;
  /** At most this many ids are remembered; the oldest go first. */
  static readonly MAX = 1024;

  readonly #clock: () => number;
  /** Id -> when it ended; insertion order is age order. */
  readonly #endedAt = new Map<string, number>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Remembers that `sessionId` ended now, and forgets ids that are too old or too many. */
  remember(sessionId: string): void {
    const now = this.#clock();
    this.#endedAt.delete(sessionId);
    this.#endedAt.set(sessionId, now);
    for (const [id, at] of this.#endedAt) {
      if (this.#endedAt.size <= RecentlyEndedSessions.MAX && now - at < RecentlyEndedSessions.TTL_MS) break;
      this.#endedAt.delete(id);
    }
  }

  /** True when `sessionId` ended less than {@link TTL_MS} ago. */
  has(sessionId: string): boolean {
    const at = this.#endedAt.get(sessionId);
    return at !== undefined && this.#clock() - at < RecentlyEndedSessions.TTL_MS;
  }
}
