import {
  CorruptSessionDataError,
  IndexedSessionStoreBase,
  isValidSessionId,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type PreparedSave,
  type RepositoryCapabilities,
  type SaveOutcome,
} from '@session/core';
import { Predicates } from 'hazelcast-client';
import { CompareAndSetSave } from './cas-save.js';
import {
  decodeAttributes,
  documentText,
  type EncodedAttribute,
  encodeAttribute,
  encodeIndexValue,
  INDEX_VALUES_FIELD,
  isDocumentExpired,
  isMoveMarker,
  jsonTextOf,
  PRINCIPAL_FIELD,
  parseDocument,
  type SessionDocument,
} from './document.js';
import { compareAndSet, readText } from './entry-ops.js';
import { documentTtl } from './entry-ttl.js';
import { EntryEventBridge } from './events.js';
import { deleteFollowingMoves, movedRecently, restoreTrailTtl } from './id-move.js';
import { MapConnection } from './map-connection.js';
import { type HazelcastSessionRepositoryOptions, resolveHazelcastOptions } from './options.js';

/**
 * A session repository on a Hazelcast `IMap`, indexed and with events, that needs no Java class
 * on the members. Each session is one JSON document (`HazelcastJsonValue`) whose entry TTL covers
 * the session's remaining life. Saves merge only the changed attributes into the stored document
 * with compare-and-set, so concurrent saves of different attributes all persist, and report what
 * happened: `written`, or why not (`deleted`, `expired`, `moved`); a session deleted, expired or
 * moved meanwhile is never written back.
 *
 * What every store does alike (the save guard, flush modes, events hub, principal queries,
 * attribute encoding errors) comes from core's `IndexedSessionStoreBase`; this class adds the
 * map: reads with touch, the compare-and-set save (cas-save.ts), `changeSessionId` as a move with
 * an id-change trail (id-move.ts), entry events (events.ts) and the client lifecycle
 * (map-connection.ts).
 *
 * ```ts
 * const repository = await HazelcastSessionRepository.create({
 *   clientConfig: { clusterName: 'dev', network: { clusterMembers: ['127.0.0.1:5701'] } },
 * });
 * ```
 */
export class HazelcastSessionRepository extends IndexedSessionStoreBase<EncodedAttribute> {
  readonly capabilities: RepositoryCapabilities;
  /** Name of the map the sessions live in. */
  readonly mapName: string;

  readonly #touchOnRead: boolean;
  readonly #connection: MapConnection;
  readonly #saver: CompareAndSetSave;
  readonly #bridge: EntryEventBridge;
  #closed = false;

  /** Creates a repository and waits until it is connected, indexed and subscribed. */
  static async create(options: HazelcastSessionRepositoryOptions = {}): Promise<HazelcastSessionRepository> {
    const repository = new HazelcastSessionRepository(options);
    await repository.start();
    return repository;
  }

  /** Creates a repository; it connects on {@link start} or on first use. Prefer {@link create}. */
  constructor(options: HazelcastSessionRepositoryOptions = {}) {
    const resolved = resolveHazelcastOptions(options);
    super(resolved, 'Hazelcast');
    this.mapName = resolved.mapName;
    this.#touchOnRead = resolved.touchOnRead;
    this.capabilities = Object.freeze({
      indexed: true,
      events: resolved.events,
      touchesOnRead: resolved.touchOnRead,
    });
    this.#bridge = new EntryEventBridge({
      events: this.events,
      rebuild: (key, doc) => this.#restore(key, doc, doc.lastAccessedTime),
      clock: resolved.clock,
    });
    this.#connection = new MapConnection({
      source: resolved.source,
      mapName: resolved.mapName,
      connectTimeoutMs: resolved.connectTimeoutMs,
      createIndexes: resolved.createIndexes,
      listener: resolved.events ? this.#bridge.listener() : undefined,
      logger: this.logger,
      failure: (err, operation) => this.storeFailure(err, operation),
    });
    this.#saver = new CompareAndSetSave({
      connection: this.#connection,
      maxSaveAttempts: resolved.maxSaveAttempts,
      clock: resolved.clock,
      codec: this.codec,
      indexResolver: resolved.indexResolver,
      saveMode: resolved.saveMode,
      discardCorrupt: (key, reason) => this.#discard(key, reason),
    });
  }

  /**
   * Connects (when the repository starts its own client), adds the indexes and subscribes to
   * entry events. Idempotent; a failed start is retried by the next call.
   * @throws SessionStoreUnavailableError when the cluster cannot be reached.
   */
  async start(): Promise<void> {
    await this.#connection.ready();
  }

  /** Unsubscribes, drops every listener, and shuts down the client if this repository started it. Idempotent. */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#bridge.close();
    await this.#connection.close();
    await super.close();
  }

  // --- the kernel's store operations ---

  /**
   * Reads the session; with `touchOnRead` also writes the new `lastAccessedTime` and restarts the
   * TTL (compare-and-set with the TTL restart sent alongside: one round trip of latency).
   */
  protected async readSession(id: string): Promise<MapSession | null> {
    const text = await readText(this.#connection, id);
    const doc = text === null ? null : await this.#liveDocument(id, text);
    if (doc === null || text === null) return null;
    const now = this.options.clock();
    if (!this.#touchOnRead || doc.lastAccessedTime >= now) {
      const session = await this.#restoreOrDiscard(id, doc, doc.lastAccessedTime);
      if (session === null) return null;
      // Set before the kernel adopts it, so even an immediate-flush session leaves the write to the next save.
      if (doc.lastAccessedTime < now) session.lastAccessedTime = now;
      this.#saver.remember(session, id, text);
      return session;
    }
    // Decoded before touching: unreadable data is discarded, not kept alive.
    const session = await this.#restoreOrDiscard(id, doc, now);
    if (session === null) return null;
    const touched: SessionDocument = { ...doc, lastAccessedTime: now, movedFrom: undefined };
    const touchedText = documentText(touched);
    const ttl = { ms: documentTtl(touched, now), pipelined: true };
    if (await compareAndSet(this.#connection, id, text, touchedText, ttl)) {
      this.#saver.remember(session, id, touchedText);
      return session;
    }
    return this.#readAfterLostTouch(id, doc, now);
  }

  protected writeSession(save: PreparedSave<EncodedAttribute>): Promise<SaveOutcome> {
    return this.#saver.save(save);
  }

  /** Removes the session, and the session under a new id when `id` was changed within the id-change trail. */
  protected deleteSession(id: string): Promise<void> {
    return deleteFollowingMoves(this.#connection, id, this.options.clock());
  }

  protected override lookupMove(id: string): Promise<boolean> {
    return movedRecently(this.#connection, id, this.options.clock());
  }

  protected async queryIndex(indexName: string, indexValue: string): Promise<Map<string, MapSession>> {
    const predicate =
      indexName === PRINCIPAL_NAME_INDEX_NAME
        ? Predicates.equal(PRINCIPAL_FIELD, indexValue)
        : Predicates.equal(`${INDEX_VALUES_FIELD}[any]`, encodeIndexValue(indexName, indexValue));
    const entries = await this.#connection.call('entrySetWithPredicate', (map) =>
      map.entrySetWithPredicate(predicate),
    );
    const found = new Map<string, MapSession>();
    for (const [key, value] of entries) {
      if (!isValidSessionId(key)) continue;
      const text = jsonTextOf(value);
      const doc = text === null ? null : await this.#liveDocument(key, text);
      if (doc === null || text === null) continue;
      const session = await this.#restoreOrDiscard(key, doc, doc.lastAccessedTime);
      if (session === null) continue;
      this.#saver.remember(session, key, text);
      found.set(key, session);
    }
    return found;
  }

  protected override encodeAttribute(name: string, value: unknown): EncodedAttribute {
    return encodeAttribute(this.codec, name, value);
  }

  // --- reading ---

  /**
   * Someone wrote the session between our read and our touch: return what is stored now (the
   * next save writes the touch).
   */
  async #readAfterLostTouch(id: string, first: SessionDocument, now: number): Promise<MapSession | null> {
    const text = await readText(this.#connection, id);
    const doc = text === null ? null : await this.#parseOrDiscard(id, text);
    if (doc === null || text === null) return null;
    if (isMoveMarker(doc)) {
      // The touch lost to a changeSessionId, and its TTL restart may have reached the marker.
      await restoreTrailTtl(this.#connection, id, doc, now);
      return null;
    }
    if (isDocumentExpired(doc, this.options.clock())) return null;
    if (doc.maxInactiveIntervalMs !== first.maxInactiveIntervalMs) {
      // The TTL restart sent with the lost compare-and-set used the old interval, and may have
      // landed after the winner's: a session given a longer life would die at the old one.
      await this.#connection.call('setTtl', (map) => map.setTtl(id, documentTtl(doc, now)));
    }
    const session = await this.#restoreOrDiscard(id, doc, doc.lastAccessedTime);
    if (session === null) return null;
    if (doc.lastAccessedTime < now) session.lastAccessedTime = now;
    this.#saver.remember(session, id, text);
    return session;
  }

  /** The stored document if it holds a live session: not a move marker, not past its idle time, readable. */
  async #liveDocument(key: string, text: string): Promise<SessionDocument | null> {
    const doc = await this.#parseOrDiscard(key, text);
    if (doc === null || isMoveMarker(doc) || isDocumentExpired(doc, this.options.clock())) return null;
    return doc;
  }

  async #parseOrDiscard(key: string, text: string): Promise<SessionDocument | null> {
    try {
      return parseDocument(key, text);
    } catch (err) {
      await this.#discard(key, err);
      return null;
    }
  }

  /** The session a document holds; unreadable data is discarded (logged, removed) and reads as `null`. */
  async #restoreOrDiscard(
    key: string,
    doc: SessionDocument,
    lastAccessedTime: number,
  ): Promise<MapSession | null> {
    try {
      return this.#restore(key, doc, lastAccessedTime);
    } catch (err) {
      if (!(err instanceof CorruptSessionDataError)) throw err;
      await this.#discard(key, err);
      return null;
    }
  }

  #restore(key: string, doc: SessionDocument, lastAccessedTime: number): MapSession {
    return this.restore({
      id: key,
      creationTime: doc.creationTime,
      lastAccessedTime,
      maxInactiveIntervalMs: doc.maxInactiveIntervalMs,
      attributes: decodeAttributes(this.codec, key, doc),
    });
  }

  #discard(key: string, reason: unknown): Promise<void> {
    return this.discardCorrupt(key, reason, () => this.#connection.call('delete', (map) => map.delete(key)));
  }
}
