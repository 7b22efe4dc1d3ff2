import {
  IdChangeTrail,
  IndexedSessionStoreBase,
  type IndexValues,
  indexesMayChange,
  isValidSessionId,
  type MapSession,
  type PreparedSave,
  type RepositoryCapabilities,
  rejectedOutcome,
  resolveMergedIndexValues,
  type SaveOutcome,
  type SessionDelta,
  type SessionEvent,
  type SessionEventKind,
  sameIndexValues,
  shortSessionId,
  writtenOutcome,
} from '@session/core';
import { AccessOrder } from './access-order.js';
import {
  decodeStoredValue,
  encodeStoredValue,
  loadStoredValue,
  type StoredValue,
} from './attribute-codec.js';
import { DueHeap } from './due-heap.js';
import { IndexRegistry } from './index-registry.js';
import {
  type MemorySessionRepositoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from './options.js';
import { dueTimeOf, type StoredSession, type StoredSessionView } from './stored-session.js';

/**
 * Longest wait before the timer re-checks the due heap. Due times are wall-clock (`clock()`), but
 * `setTimeout` counts on a monotonic clock: after a wall-clock jump forward (NTP step, resumed VM)
 * a timer armed for a due time half an hour away would fire half an hour late. Waking at least
 * once a minute bounds that lateness; a backward jump only wakes the timer early, and it re-arms.
 */
const MAX_TIMER_DELAY_MS = 60_000;

/** Sessions expired per timer tick before yielding to I/O, so a mass expiry never stalls the process. */
const SWEEP_BATCH = 5000;

/** Counters for monitoring and tests. */
export interface MemoryStoreStats {
  /** Sessions held now (including due ones the sweeper has not reached yet). */
  readonly sessions: number;
  /** Store operations that touched the session map (finds, saves, deletes, index lookups). */
  readonly operations: number;
  /** Sessions evicted because `maxSessions` was reached. */
  readonly evictions: number;
  /** Sessions removed because they expired. */
  readonly expirations: number;
}

/**
 * An in-memory {@link FindByIndexNameSessionRepository} with events, for single-process apps,
 * development and tests.
 *
 * - Stored sessions are isolated copies: values go through the serializer, so what you store
 *   behaves as with a remote store (Date, BigInt, Map, Set survive; functions are rejected with
 *   `SessionSerializationError`).
 * - Saves write only what changed and never bring back a deleted, expired or moved session; the
 *   outcome says which.
 * - `findById` refreshes `lastAccessedTime` (a read keeps the session alive).
 * - Expiry runs on an unref'd timer armed for the next due time (it never keeps the process
 *   alive), plus a check on every read; `expired` events follow within `sweepIntervalMs`.
 * - At most `maxSessions` are kept: see {@link MemorySessionRepositoryOptions.maxSessions}.
 *
 * ```ts
 * const repository = new MemorySessionRepository({ maxSessions: 10_000 });
 * const session = await repository.createSession();
 * session.set('userId', 'u-1');
 * await repository.save(session); // { status: 'written', id: session.id }
 * ```
 */
export class MemorySessionRepository extends IndexedSessionStoreBase<StoredValue> {
  readonly capabilities: RepositoryCapabilities = Object.freeze({
    indexed: true,
    events: true,
    touchesOnRead: true,
  });

  readonly #memory: ResolvedMemoryOptions;
  readonly #sessions = new Map<string, StoredSession>();
  readonly #byAccess = new AccessOrder<StoredSession>();
  readonly #due = new DueHeap<StoredSession>();
  readonly #indexes = new IndexRegistry();
  readonly #moves = new IdChangeTrail();

  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #immediate: NodeJS.Immediate | undefined;
  #closed = false;
  #warnedFull = false;
  #operations = 0;
  #evictions = 0;
  #expirations = 0;

  /** Events raised by the current operation, delivered once the store is consistent again. */
  readonly #pending: SessionEvent<MapSession>[] = [];
  #draining = false;

  constructor(options: MemorySessionRepositoryOptions = {}) {
    const resolved = resolveMemoryOptions(options);
    super(resolved, 'memory store');
    this.#memory = resolved;
  }

  /** Counters for monitoring (and for tests proving malformed ids cost nothing). */
  stats(): MemoryStoreStats {
    return {
      sessions: this.#sessions.size,
      operations: this.#operations,
      evictions: this.#evictions,
      expirations: this.#expirations,
    };
  }

  /**
   * Diagnostics: the stored state of `id` exactly as held, without refreshing, expiring or
   * counting it. `null` when nothing is stored under the id.
   */
  peekStored(id: string): StoredSessionView | null {
    const record = isValidSessionId(id) ? this.#sessions.get(id) : undefined;
    if (record === undefined) return null;
    const attributes = new Map<string, unknown>();
    for (const [name, value] of record.attributes)
      attributes.set(name, decodeStoredValue(this.codec, name, value));
    return {
      id: record.id,
      creationTime: record.creationTime,
      lastAccessedTime: record.lastAccessedTime,
      maxInactiveIntervalMs: record.maxInactiveIntervalMs,
      attributes,
      indexes: { ...record.indexes },
    };
  }

  /** Diagnostics: the ids the index holds for `indexName` = `indexValue`, as held. */
  peekIndex(indexName: string, indexValue: string): string[] {
    return [...(this.#indexes.find(indexName, indexValue) ?? [])];
  }

  /**
   * Stops the expiry timer and drops every listener. Stored sessions stay readable (expiry is
   * still checked on each read). Idempotent.
   */
  override async close(): Promise<void> {
    this.#closed = true;
    this.#disarm();
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    await super.close();
  }

  // --- the kernel's store operations ---

  protected readSession(id: string): MapSession | null {
    this.#operations++;
    const record = this.#sessions.get(id);
    if (record === undefined) return null;
    const now = this.options.clock();
    try {
      if (dueTimeOf(record) <= now) {
        this.#expire(record);
        return null;
      }
      // Never backwards: after the wall clock steps back, a read must not shorten the session's life.
      const touchedAt = Math.max(now, record.lastAccessedTime);
      const session = this.#materialize(record, touchedAt);
      if (session === null) return null;
      // A read only pushes the expiry later, so the due heap is left alone: the sweeper finds the
      // record early and re-files it then (see #sweepDue). Reads stay O(1).
      record.lastAccessedTime = touchedAt;
      this.#byAccess.touch(record);
      return session;
    } finally {
      this.#drain();
    }
  }

  /** The whole save, synchronously: nothing else can interleave, so it is atomic. */
  protected writeSession(save: PreparedSave<StoredValue>): SaveOutcome {
    const { delta, encoded, now } = save;
    this.#operations++;
    try {
      let record: StoredSession | undefined;
      if (!delta.isNew) {
        record = this.#sessions.get(delta.originalId);
        // Deleted, evicted, expired or moved meanwhile: a save must not bring it back.
        if (record === undefined) {
          return rejectedOutcome(
            this.#moves.movedTo(delta.originalId, now) !== undefined ? 'moved' : 'deleted',
            delta.originalId,
          );
        }
        if (dueTimeOf(record) <= now) {
          this.#expire(record);
          return rejectedOutcome('expired', delta.originalId);
        }
      }
      const indexes = this.#indexesAfter(save, record);
      if (record === undefined) this.#insertNew(delta, encoded, indexes, now);
      else this.#applyDelta(record, delta, encoded, indexes, now);
      return writtenOutcome(delta.id);
    } finally {
      this.#drain();
    }
  }

  /**
   * Removes the session and emits `deleted`. An id changed within the last few seconds also
   * removes the session under its new id, so a logout racing the login that rotated it wins.
   */
  protected async deleteSession(id: string): Promise<void> {
    this.#operations++;
    const now = this.options.clock();
    try {
      for (const candidate of [id, ...this.#moves.successors(id, now)]) {
        const record = this.#sessions.get(candidate);
        if (record === undefined) continue;
        if (dueTimeOf(record) <= now) this.#expire(record);
        else this.#removeWithEvent(record, 'deleted');
      }
    } finally {
      this.#drain();
    }
  }

  protected async queryIndex(indexName: string, indexValue: string): Promise<Map<string, MapSession>> {
    const found = new Map<string, MapSession>();
    this.#operations++;
    const ids = this.#indexes.find(indexName, indexValue);
    if (ids === undefined) return found;
    const now = this.options.clock();
    try {
      for (const id of [...ids]) {
        const record = this.#sessions.get(id);
        if (record === undefined) continue;
        if (dueTimeOf(record) <= now) {
          this.#expire(record);
          continue;
        }
        const session = this.#materialize(record, record.lastAccessedTime);
        if (session !== null) found.set(id, session);
      }
    } finally {
      this.#drain();
    }
    return found;
  }

  protected override async lookupMove(id: string): Promise<boolean> {
    return this.#moves.movedTo(id, this.options.clock()) !== undefined;
  }

  protected override encodeAttribute(name: string, value: unknown): StoredValue {
    return encodeStoredValue(this.codec, name, value);
  }

  // --- writes ---

  #insertNew(
    delta: SessionDelta,
    encoded: ReadonlyMap<string, StoredValue>,
    indexes: IndexValues,
    now: number,
  ): void {
    // A caller-built MapSession may reuse a stored id: it replaces that session outright.
    const existing = this.#sessions.get(delta.id);
    if (existing !== undefined) this.#remove(existing);
    if (this.#sessions.size >= this.#memory.maxSessions) this.#makeRoom(now);
    const record: StoredSession = {
      id: delta.id,
      creationTime: delta.creationTime,
      lastAccessedTime: delta.lastAccessedTime,
      maxInactiveIntervalMs: delta.maxInactiveIntervalMs,
      // The kernel makes `encoded` for this save alone: it becomes the record's map.
      attributes: encoded as Map<string, StoredValue>,
      indexes,
      dueAt: 0,
      heapIndex: -1,
      older: undefined,
      newer: undefined,
    };
    this.#sessions.set(record.id, record);
    this.#byAccess.add(record);
    this.#indexes.add(record.id, indexes);
    this.#schedule(record);
    if (this.events.hasListeners('created')) this.#queue('created', record);
  }

  #applyDelta(
    record: StoredSession,
    delta: SessionDelta,
    encoded: ReadonlyMap<string, StoredValue>,
    indexes: IndexValues,
    now: number,
  ): void {
    const oldId = record.id;
    if (delta.idChanged) {
      const clash = this.#sessions.get(delta.id);
      if (clash !== undefined && clash !== record) this.#remove(clash);
      this.#sessions.delete(oldId);
      record.id = delta.id;
      this.#sessions.set(record.id, record);
      this.#moves.record(oldId, record.id, now);
    }
    this.#byAccess.touch(record);
    for (const [name, value] of encoded) record.attributes.set(name, value);
    for (const name of delta.removedAttributes) record.attributes.delete(name);
    if (delta.lastAccessedTimeChanged) record.lastAccessedTime = delta.lastAccessedTime;
    if (delta.maxInactiveIntervalChanged) record.maxInactiveIntervalMs = delta.maxInactiveIntervalMs;
    if (delta.idChanged || !sameIndexValues(record.indexes, indexes)) {
      this.#indexes.replace(oldId, record.indexes, record.id, indexes);
      record.indexes = indexes;
    }
    this.#schedule(record);
  }

  /**
   * The session's index values after this save, over the stored state merged with the delta (a
   * copy loaded before another request set the principal must not drop that principal's entry).
   */
  #indexesAfter(save: PreparedSave<StoredValue>, record: StoredSession | undefined): IndexValues {
    const resolver = this.options.indexResolver;
    if (record === undefined) return this.indexValuesOf(save.session);
    if (!indexesMayChange(resolver, save.delta)) return record.indexes;
    const indexes = resolveMergedIndexValues(
      resolver,
      {
        creationTime: record.creationTime,
        names: () => record.attributes.keys(),
        read: (name) => decodeStoredValue(this.codec, name, record.attributes.get(name) as StoredValue),
      },
      save.delta,
      this.options.saveMode,
    );
    return sameIndexValues(indexes, record.indexes) ? record.indexes : indexes;
  }

  /** Makes room for one more session: drop what is due, then evict least recently accessed. */
  #makeRoom(now: number): void {
    this.#sweepDue(now, Number.POSITIVE_INFINITY);
    while (this.#sessions.size >= this.#memory.maxSessions) {
      const oldest = this.#byAccess.oldest() as StoredSession;
      this.#evictions++;
      if (!this.#warnedFull) {
        this.#warnedFull = true;
        this.logger.warn(
          `memory session store is full (maxSessions ${this.#memory.maxSessions}): evicting least recently accessed sessions`,
        );
      }
      this.#removeWithEvent(oldest, 'deleted');
    }
  }

  // --- bookkeeping ---

  #remove(record: StoredSession): void {
    this.#sessions.delete(record.id);
    this.#byAccess.remove(record);
    this.#due.remove(record);
    this.#indexes.remove(record.id, record.indexes);
  }

  #removeWithEvent(record: StoredSession, type: 'deleted' | 'expired'): void {
    this.#remove(record);
    if (this.events.hasListeners(type)) this.#queue(type, record);
  }

  #expire(record: StoredSession): void {
    this.#expirations++;
    this.#removeWithEvent(record, 'expired');
  }

  /**
   * Rebuilds a session from its record (plain values are copied out only when the app reads
   * them); corrupt data removes the record and reads as absent.
   */
  #materialize(record: StoredSession, lastAccessedTime: number): MapSession | null {
    try {
      const attributes: Array<[string, unknown]> = [];
      for (const [name, value] of record.attributes)
        attributes.push([name, loadStoredValue(this.codec, name, value)]);
      return this.restore({
        id: record.id,
        creationTime: record.creationTime,
        lastAccessedTime,
        maxInactiveIntervalMs: record.maxInactiveIntervalMs,
        attributes,
      });
    } catch (err) {
      this.logger.warn(`session ${shortSessionId(record.id)} has an unreadable attribute; removing it`, err);
      this.#remove(record);
      return null;
    }
  }

  /** Queues an event carrying a detached copy of the session (listeners cannot change the store). */
  #queue(type: SessionEventKind, record: StoredSession): void {
    const session = this.#materialize(record, record.lastAccessedTime);
    this.#pending.push({ type, sessionId: record.id, session });
  }

  /** Delivers queued events; events raised by listeners join the same loop. */
  #drain(): void {
    if (this.#draining || this.#pending.length === 0) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#pending.length; i++)
        this.events.emit(this.#pending[i] as SessionEvent<MapSession>);
    } finally {
      this.#pending.length = 0;
      this.#draining = false;
    }
  }

  // --- expiry ---

  /** Files the record in the due heap under its expiry (or takes it out) and re-arms the timer if needed. */
  #schedule(record: StoredSession): void {
    record.dueAt = dueTimeOf(record);
    if (record.dueAt === Number.POSITIVE_INFINITY) this.#due.remove(record);
    else this.#due.upsert(record);
    this.#arm();
  }

  /** Arms the timer for the first due time unless it is already armed at or before it. */
  #arm(): void {
    if (this.#closed || this.#immediate !== undefined) return;
    const first = this.#due.peek();
    if (first === undefined) {
      this.#disarm();
      return;
    }
    const step = this.#memory.sweepIntervalMs;
    const at = step > 0 ? Math.ceil(first.dueAt / step) * step : first.dueAt;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#disarm();
    const delay = Math.min(Math.max(0, at - this.options.clock()), MAX_TIMER_DELAY_MS);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#immediate = undefined;
    if (this.#closed) return;
    let finished: boolean;
    try {
      finished = this.#sweepDue(this.options.clock(), SWEEP_BATCH);
    } finally {
      this.#drain();
    }
    if (finished) {
      this.#arm();
    } else {
      // More is due: continue after pending I/O instead of blocking the event loop.
      this.#immediate = setImmediate(() => this.#onTimer());
      this.#immediate.unref();
    }
  }

  /**
   * Expires up to `limit` due sessions; true when none that is due remains. A record's heap time
   * may be earlier than its expiry (reads extend it without re-filing): such a record is re-filed
   * under its expiry instead.
   */
  #sweepDue(now: number, limit: number): boolean {
    for (let n = 0; n < limit; n++) {
      const first = this.#due.peek();
      if (first === undefined || first.dueAt > now) return true;
      const expiresAt = dueTimeOf(first);
      if (expiresAt <= now) {
        this.#expire(first);
      } else {
        first.dueAt = expiresAt;
        this.#due.upsert(first);
      }
    }
    const first = this.#due.peek();
    return first === undefined || first.dueAt > now;
  }
}
