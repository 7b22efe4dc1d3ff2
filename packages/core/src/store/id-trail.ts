/**
 * How long a store remembers that a session's id changed: for this long after a save moved a
 * session from id A to id B, a stale copy saved under A reports `moved` (not `deleted`), and
 * `deleteById(A)` also deletes B, so a logout racing the login that rotated the id still signs the
 * user out. Long enough for any request that was in flight during the change (store calls are
 * bounded by the HTTP layer's 2 s timeout), short enough that an id planted before a login cannot
 * be used to end the session later.
 */
export const ID_CHANGE_TRAIL_MS = 10_000;

/** Most id changes followed from one id (a login rotating twice in a row is two). */
export const MAX_ID_CHANGE_HOPS = 8;

/**
 * An in-process record of recent id changes (old id → new id), for stores whose backend is this
 * process (the memory store) or that only coordinate within it. Entries last
 * {@link ID_CHANGE_TRAIL_MS}; old ones are dropped as new ones arrive, so it never grows beyond
 * the changes of the last few seconds.
 */
export class IdChangeTrail {
  readonly #moves = new Map<string, { to: string; until: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs: number = ID_CHANGE_TRAIL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** Records that the session stored under `from` now lives under `to`. */
  record(from: string, to: string, now: number): void {
    this.#prune(now);
    // Re-inserted at the end, so the map stays ordered by expiry.
    this.#moves.delete(from);
    this.#moves.set(from, { to, until: now + this.#ttlMs });
  }

  /** The id `id` was moved to recently, or `undefined`. */
  movedTo(id: string, now: number): string | undefined {
    const move = this.#moves.get(id);
    return move !== undefined && move.until > now ? move.to : undefined;
  }

  /** The ids `id` was moved to, in order (at most {@link MAX_ID_CHANGE_HOPS}). */
  successors(id: string, now: number): string[] {
    const out: string[] = [];
    let current = this.movedTo(id, now);
    while (current !== undefined && out.length < MAX_ID_CHANGE_HOPS && !out.includes(current)) {
      out.push(current);
      current = this.movedTo(current, now);
    }
    return out;
  }

  /** Number of remembered changes (for tests and monitoring). */
  get size(): number {
    return this.#moves.size;
  }

  #prune(now: number): void {
    for (const [from, move] of this.#moves) {
      if (move.until > now) return;
      this.#moves.delete(from);
    }
  }
}
