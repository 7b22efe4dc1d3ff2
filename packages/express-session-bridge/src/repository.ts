import {
  createDefaultSession,
  enableImmediateFlush,
  InvalidArgumentError,
  InvalidSessionIdError,
  isMapSession,
  isValidSessionId,
  MapSession,
  type RepositoryCapabilities,
  type SessionRepository,
  settleImmediateFlush,
} from '@session/core';
import { AttributeCodec } from './attribute-codec.js';
import { type KeyedLock, lockFor } from './keyed-lock.js';
import {
  type ExpressSessionBridgeOptions,
  type ResolvedBridgeOptions,
  resolveBridgeOptions,
} from './options.js';
import { StoreClient } from './store-client.js';
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
 * `MemoryStore`, …), so an app can move to `@session/*` without moving its sessions.
 *
 * What it guarantees, and what an express-session store cannot:
 * - Saves are read-merge-write of only the changed attributes, serialized per session id in this
 *   process (across every repository wrapping the same store object), so concurrent saves in one
 *   process never lose each other's changes. Between processes the store's last writer wins:
 *   express-session stores have no partial or atomic updates.
 * - A save never recreates a session that is gone or expired: it re-reads the session first and
 *   writes nothing if it is missing. A delete from another process landing between that read and
 *   the write can still be undone by the write.
 * - `changeSessionId` writes the new id, then destroys the old one.
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
export class ExpressSessionStoreRepository implements SessionRepository<MapSession> {
  /** No index (stores have no secondary lookups) and no events (stores report no expiry). */
  readonly capabilities: RepositoryCapabilities = Object.freeze({ indexed: false, events: false });

  readonly #store: ExpressSessionStore;
  readonly #options: ResolvedBridgeOptions;
  readonly #client: StoreClient;
  readonly #codec: AttributeCodec;
  readonly #lock: KeyedLock;

  constructor(store: ExpressSessionStore, options: ExpressSessionBridgeOptions = {}) {
    for (const method of ['get', 'set', 'destroy'] as const) {
      if (typeof (store as Partial<ExpressSessionStore> | null)?.[method] !== 'function') {
        throw new InvalidArgumentError(
          `fromExpressSessionStore needs an express-session store with get, set and destroy; ${method} is missing`,
        );
      }
    }
    this.#store = store;
    this.#options = resolveBridgeOptions(options);
    this.#client = new StoreClient(store, this.#options.storeTimeoutMs);
    this.#codec = new AttributeCodec(this.#options.serializer);
    this.#lock = lockFor(store);
  }

  /** The wrapped express-session store. */
  get store(): ExpressSessionStore {
    return this.#store;
  }

  /** A new, unsaved session with this repository's defaults. Nothing reaches the store until `save`. */
  async createSession(): Promise<MapSession> {
    const session = createDefaultSession(this.#options);
    this.#track(session);
    return session;
  }

  /**
   * Writes what changed on `session` into the stored session, keeping attributes other copies
   * wrote. Resolves without writing when the stored session is gone or expired. Rejects with
   * `SessionSerializationError` (nothing written) when a value cannot be stored, and with
   * `SessionStoreUnavailableError` when the store fails or times out.
   */
  async save(session: MapSession): Promise<void> {
    if (!isMapSession(session)) {
      throw new InvalidArgumentError(
        'ExpressSessionStoreRepository.save() needs a MapSession from createSession or findById',
      );
    }
    if (this.#options.flushMode === 'immediate') await settleImmediateFlush(session);
    await this.#write(session);
  }

  /**
   * The stored session, or `null` when absent, expired (it is then destroyed), unreadable (logged)
   * or the id is malformed. `lastAccessedTime` is the stored one: saving the session after setting
   * it is what extends its life.
   */
  async findById(id: string): Promise<MapSession | null> {
    if (!isValidSessionId(id)) return null;
    const stored = await this.#client.get(id);
    if (stored === undefined || stored === null) return null;
    const now = this.#options.clock();
    if (!isStoredRecord(stored)) {
      this.#options.logger.warn(
        `express-session store returned something that is not a session for ${hint(id)}`,
      );
      return null;
    }
    let timing = readTiming(stored, now);
    if (isTimingExpired(timing, now)) {
      if (!this.#options.trustStoreExpiry) {
        await this.#destroyQuietly(id);
        return null;
      }
      timing = { ...timing, lastAccessedTime: now };
    }
    const attributes: Array<[string, unknown]> = [];
    try {
      for (const name of recordAttributeNames(stored)) {
        attributes.push([name, this.#codec.decode(stored[name], name)]);
      }
    } catch (err) {
      // Left in place: an express-session app sharing the store may read it fine.
      this.#options.logger.warn(
        `session ${hint(id)} has an unreadable attribute; treating it as absent`,
        err,
      );
      return null;
    }
    const session = new MapSession({
      id,
      // Sessions written by express-session itself carry no creation time.
      creationTime: timing.creationTime ?? now,
      lastAccessedTime: timing.lastAccessedTime,
      maxInactiveIntervalMs: timing.maxInactiveIntervalMs,
      attributes,
      isNew: false,
      saveMode: this.#options.saveMode,
      idGenerator: this.#options.idGenerator,
    });
    this.#track(session);
    return session;
  }

  /** Destroys the session in the store. A malformed id is a no-op that never reaches the store. */
  async deleteById(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    await this.#lock.run(id, () => this.#client.destroy(id));
  }

  /** Nothing to release: the store and its connection belong to the caller. */
  async close(): Promise<void> {}

  #track(session: MapSession): void {
    if (this.#options.flushMode !== 'immediate') return;
    enableImmediateFlush(session, (s) => this.#write(s), this.#options.logger);
  }

  /** Saves under the lock of the id the session is stored under. */
  async #write(session: MapSession): Promise<void> {
    for (;;) {
      const key = session.originalId;
      // A concurrent save of this same object may move it to a new id while we wait: follow it.
      const written = await this.#lock.run(key, async () => {
        if (session.originalId !== key) return false;
        await this.#writeLocked(session);
        return true;
      });
      if (written) return;
    }
  }

  async #writeLocked(session: MapSession): Promise<void> {
    const delta = session.getDelta();
    if (!delta.hasChanges) return;
    if (!isValidSessionId(delta.id) || !isValidSessionId(delta.originalId)) {
      throw new InvalidSessionIdError('A session with a malformed id cannot be saved');
    }
    // Everything that can throw runs before the first store call.
    const set = new Map<string, unknown>();
    for (const [name, value] of delta.setAttributes) set.set(name, this.#codec.encode(value, name));

    let base: StoredSessionRecord | undefined;
    let stored: RecordTiming | undefined;
    if (!delta.isNew) {
      const current = await this.#client.get(delta.originalId);
      // Deleted, expired or replaced by something unreadable meanwhile: a save must not bring it back.
      if (current === undefined || current === null || !isStoredRecord(current)) return;
      const now = this.#options.clock();
      stored = readTiming(current, now);
      if (isTimingExpired(stored, now)) {
        if (!this.#options.trustStoreExpiry) {
          await this.#destroyQuietly(delta.originalId);
          return;
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
      { set, removed: delta.removedAttributes },
      this.#options.cookie,
    );
    await this.#client.set(delta.id, record);
    // A new session whose id changed before its first save was never stored under the old id.
    if (delta.idChanged && !delta.isNew) await this.#client.destroy(delta.originalId);
    session.markSaved(delta);
  }

  /** Removes an expired session found while reading; a failure only delays its removal. */
  async #destroyQuietly(id: string): Promise<void> {
    try {
      await this.#client.destroy(id);
    } catch (err) {
      this.#options.logger.warn(`could not destroy expired session ${hint(id)}`, err);
    }
  }
}

/** A session id shortened for logs. */
function hint(id: string): string {
  return `${id.slice(0, 6)}…`;
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
