import {
  InvalidArgumentError,
  MAX_ID_CHANGE_HOPS,
  type MapSession,
  type PreparedSave,
  type RepositoryCapabilities,
  rejectedOutcome,
  type SaveOutcome,
  SessionStoreBase,
  shortSessionId,
  writtenOutcome,
} from '@session/core';
import { decodeJsonValue, encodeJsonValue } from './attribute-codec.js';
import {
  type ExpressSessionBridgeOptions,
  type ResolvedBridgeOptions,
  resolveBridgeOptions,
} from './options.js';
import { StoreClient } from './store-client.js';
import { coordinationFor, type StoreCoordination } from './store-coordination.js';
import type { ExpressSessionStore, StoredSessionRecord } from './store-types.js';
import {
  buildRecord,
  isStoredRecord,
  isTimingExpired,
  type RecordTiming,
  readTiming,
  recordAttributeNames,
} from './stored-record.js';

/**
 * A `SessionRepository<MapSession>` over an express-session store (connect-redis, connect-mongo,
 * `MemoryStore`, …), so an app can move to `@session/*` without moving its sessions. Built on
 * core's store kernel (`SessionStoreBase`): new sessions, the save guard, flush modes and error
 * mapping are core's; the bridge adds the read, the locked read-merge-write save and the delete.
 *
 * What it guarantees, and what an express-session store cannot:
 * - Saves are read-merge-write of only the changed attributes, serialized per session id in this
 *   process (across every repository wrapping the same store object), so concurrent saves in one
 *   process never lose each other's changes. Between processes the store's last writer wins:
 *   express-session stores have no partial or atomic updates.
 * - `save` says what it did: `written`; `unchanged` (nothing to write, no store call); `deleted`
 *   (the store has no session under the id); `expired` (its stored timestamps are past due, unless
 *   `trustStoreExpiry`); `moved` (another copy in this process changed its id within the last
 *   `ID_CHANGE_TRAIL_MS`). A save never recreates a session that is gone or expired: it re-reads
 *   the session first. A delete from another process landing between that read and the write can
 *   still be undone by the write.
 * - `changeSessionId` writes the new id, then destroys the old one, then records the change in a
 *   trail shared by every repository over the same store object in this process: for
 *   `ID_CHANGE_TRAIL_MS` a stale copy saved under the old id reports `moved` (and writes nothing,
 *   even if the old id was written back meanwhile), and `deleteById(old)` also destroys the new id.
 *   Across processes there is no trail (an express-session store has no place for it): there a
 *   stale copy reports `deleted`, and `deleteById(old)` reaches only the old id.
 * - `findById` is a plain read (one `get`): it never returns an expired session (and destroys
 *   one it finds) but does not refresh `lastAccessedTime`; the HTTP layer sets it and saves.
 * - No index and no events (`capabilities` both false).
 * - Malformed ids never reach the store; store failures and timeouts reject with
 *   `SessionStoreUnavailableError`.
 *
 * ```ts
 * import { RedisStore } from 'connect-redis';
 * const repository = fromExpressSessionStore(new RedisStore({ client: redis }));
 * ```
 */
export class ExpressSessionStoreRepository extends SessionStoreBase<unknown> {
  /** No index (stores have no secondary lookups) and no events (stores report no expiry). */
  readonly capabilities: RepositoryCapabilities = Object.freeze({ indexed: false, events: false });

  readonly #store: ExpressSessionStore;
  readonly #bridge: ResolvedBridgeOptions;
  readonly #client: StoreClient;
  readonly #shared: StoreCoordination;

  constructor(store: ExpressSessionStore, options: ExpressSessionBridgeOptions = {}) {
    for (const method of ['get', 'set', 'destroy'] as const) {
      if (typeof (store as Partial<ExpressSessionStore> | null)?.[method] !== 'function') {
        throw new InvalidArgumentError(
          `fromExpressSessionStore needs an express-session store with get, set and destroy; ${method} is missing`,
        );
      }
    }
    const resolved = resolveBridgeOptions(options);
    super(resolved, 'express-session store');
    this.#store = store;
    this.#bridge = resolved;
    this.#client = new StoreClient(store, resolved.storeTimeoutMs);
    this.#shared = coordinationFor(store);
  }

  /** The wrapped express-session store. */
  get store(): ExpressSessionStore {
    return this.#store;
  }

  // --- the kernel's store operations ---

  /**
   * The stored session, or `null` when absent, expired (it is then destroyed) or unreadable
   * (logged, and left in place: an express-session app sharing the store may read it fine).
   * `lastAccessedTime` is the stored one: saving the session after setting it is what extends its
   * life.
   */
  protected async readSession(id: string): Promise<MapSession | null> {
    const stored = await this.#client.get(id);
    if (stored === undefined || stored === null) return null;
    const now = this.options.clock();
    if (!isStoredRecord(stored)) {
      this.logger.warn(
        `express-session store returned something that is not a session for ${shortSessionId(id)}`,
      );
      return null;
    }
    let timing = readTiming(stored, now);
    if (isTimingExpired(timing, now)) {
      if (!this.#bridge.trustStoreExpiry) {
        await this.#destroyQuietly(id);
        return null;
      }
      timing = { ...timing, lastAccessedTime: now };
    }
    try {
      const attributes: Array<[string, unknown]> = [];
      for (const name of recordAttributeNames(stored)) {
        attributes.push([name, decodeJsonValue(this.codec, name, stored[name])]);
      }
      return this.restore({
        id,
        // Sessions written by express-session itself carry no creation time.
        creationTime: timing.creationTime ?? now,
        lastAccessedTime: timing.lastAccessedTime,
        maxInactiveIntervalMs: timing.maxInactiveIntervalMs,
        attributes,
      });
    } catch (err) {
      this.logger.warn(`session ${shortSessionId(id)} is unreadable; treating it as absent`, err);
      return null;
    }
  }

  /** Whether this process moved `id` to another id within the trail period. */
  protected override async lookupMove(id: string): Promise<boolean> {
    return this.#shared.trail.movedTo(id, this.options.clock()) !== undefined;
  }

  /** The read-merge-write, under the lock of the id the session is stored under. */
  protected async writeSession(save: PreparedSave<unknown>): Promise<SaveOutcome> {
    // The kernel runs one write per session object at a time, so its stored id cannot change here.
    return this.#shared.lock.run(save.delta.originalId, () => this.#writeLocked(save));
  }

  /**
   * Destroys the session; an id changed in this process within the last `ID_CHANGE_TRAIL_MS` is
   * followed to its new ids, each destroyed under its own lock, so a logout racing the login that
   * rotated the id still signs the user out.
   */
  protected async deleteSession(id: string): Promise<void> {
    const seen = new Set<string>();
    let current: string | undefined = id;
    while (current !== undefined && !seen.has(current) && seen.size <= MAX_ID_CHANGE_HOPS) {
      const target: string = current;
      seen.add(target);
      // Read the trail under the lock: a move of this id in progress has recorded itself by then.
      current = await this.#shared.lock.run(target, async () => {
        await this.#client.destroy(target);
        return this.#shared.trail.movedTo(target, this.options.clock());
      });
    }
  }

  protected override encodeAttribute(name: string, value: unknown): unknown {
    return encodeJsonValue(this.codec, name, value);
  }

  // --- saves ---

  async #writeLocked({ delta, encoded }: PreparedSave<unknown>): Promise<SaveOutcome> {
    const trail = this.#shared.trail;
    let base: StoredSessionRecord | undefined;
    let stored: RecordTiming | undefined;
    if (!delta.isNew) {
      // Moved by another copy in this process: the session lives on under an id this copy must
      // not learn, and its old id is not written again even if something stored it back meanwhile.
      if (trail.movedTo(delta.originalId, this.options.clock()) !== undefined) {
        return rejectedOutcome('moved', delta.originalId);
      }
      const current = await this.#client.get(delta.originalId);
      // Deleted (here or by another process, where a move also looks like this), evicted, or
      // replaced by something unreadable: a save must not bring it back.
      if (current === undefined || current === null || !isStoredRecord(current)) {
        return rejectedOutcome('deleted', delta.originalId);
      }
      const now = this.options.clock();
      stored = readTiming(current, now);
      if (isTimingExpired(stored, now)) {
        if (!this.#bridge.trustStoreExpiry) {
          await this.#destroyQuietly(delta.originalId);
          return rejectedOutcome('expired', delta.originalId);
        }
        // As in findById: the store vouches for it, so the read counts as its last access.
        stored = { ...stored, lastAccessedTime: now };
      }
      base = current;
    }
    const record = buildRecord(
      base,
      {
        creationTime: stored?.creationTime ?? delta.creationTime,
        lastAccessedTime:
          stored === undefined || delta.lastAccessedTimeChanged
            ? delta.lastAccessedTime
            : stored.lastAccessedTime,
        maxInactiveIntervalMs:
          stored === undefined || delta.maxInactiveIntervalChanged
            ? delta.maxInactiveIntervalMs
            : stored.maxInactiveIntervalMs,
      },
      { set: encoded, removed: delta.removedAttributes },
      this.#bridge.cookie,
    );
    await this.#client.set(delta.id, record);
    // A new session whose id changed before its first save was never stored under the old id.
    if (delta.idChanged && !delta.isNew) {
      // A failed destroy rejects before the move is recorded: the old id then stays a live
      // session (its client never learnt the new id) until a retry of this save completes it.
      await this.#client.destroy(delta.originalId);
      trail.record(delta.originalId, delta.id, this.options.clock());
    }
    return writtenOutcome(delta.id);
  }

  /** Removes an expired session found while reading; a failure only delays its removal. */
  async #destroyQuietly(id: string): Promise<void> {
    try {
      await this.#client.destroy(id);
    } catch (err) {
      this.logger.warn(`could not destroy expired session ${shortSessionId(id)}`, err);
    }
  }
}

/**
 * Wraps an express-session store as a `@session/core` repository:
 *
 * ```ts
 * import { session } from '@session/express';
 * import { RedisStore } from 'connect-redis';
 * import { fromExpressSessionStore } from '@session/express-session-bridge';
 *
 * app.use(session({ repository: fromExpressSessionStore(new RedisStore({ client: redis })) }));
 * ```
 *
 * Throws `InvalidArgumentError` when `store` lacks `get`, `set` or `destroy`, or an option is invalid.
 */
export function fromExpressSessionStore(
  store: ExpressSessionStore,
  options: ExpressSessionBridgeOptions = {},
): ExpressSessionStoreRepository {
  return new ExpressSessionStoreRepository(store, options);
}
