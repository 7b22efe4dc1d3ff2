import {
  createDefaultSession,
  enableImmediateFlush,
  type FindByIndexNameSessionRepository,
  InvalidArgumentError,
  InvalidSessionIdError,
  isMapSession,
  isSessionError,
  isValidSessionId,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type RepositoryCapabilities,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionDelta,
  SessionEventEmitter,
  type SessionEventKind,
  type SessionEventSource,
  type SessionRepositoryOptions,
  SessionStoreUnavailableError,
  settleImmediateFlush,
} from '@session/core';
import { type ClientConfig, HazelcastJsonValue, type IndexConfig, Predicates } from 'hazelcast-client';
import { DEFAULT_CONNECT_TIMEOUT_MS, type HazelcastClient, startClient } from './client.js';
import {
  documentText,
  type EncodedAttribute,
  encodeAttributes,
  encodeIndexValue,
  INDEX_VALUES_FIELD,
  isDocumentExpired,
  mergeDelta,
  newDocument,
  PRINCIPAL_FIELD,
  parseDocument,
  type SessionCodec,
  type SessionDocument,
  sessionFromDocument,
  ttlFor,
} from './document.js';
import type { SessionMap, SessionMapEntryEvent } from './session-map.js';

/** Spring Session's default map name, so Java and Node services can point at the same map. */
export const DEFAULT_MAP_NAME = 'spring:session:sessions';

/** How often a save retries its compare-and-set before giving up, unless configured. */
export const DEFAULT_MAX_SAVE_ATTEMPTS = 100;

/** The map the store works on: session id to JSON document. */
export type HazelcastSessionMap = SessionMap<string, HazelcastJsonValue>;

/** Options of {@link HazelcastSessionRepository}. Give at most one of `client`, `clientConfig` and `map`. */
export interface HazelcastSessionRepositoryOptions extends SessionRepositoryOptions<MapSession> {
  /** A started hazelcast-client instance. The repository uses it and never shuts it down. */
  client?: HazelcastClient;
  /**
   * Config for a client the repository starts (and shuts down on `close`). Default when neither
   * `client` nor `map` is given: `{}` (a member on localhost, cluster `dev`).
   */
  clientConfig?: ClientConfig;
  /** A map object to use directly (anything implementing {@link SessionMap}, such as an `IMap`). Never closed. */
  map?: HazelcastSessionMap;
  /** Map name. Default: `${namespace}:sessions` when `namespace` is given, else {@link DEFAULT_MAP_NAME}. */
  mapName?: string;
  /**
   * How long a client the repository starts may try to reach the cluster, in ms (default 10 s).
   * Sets `connectionStrategy.connectionRetry.clusterConnectTimeoutMillis` unless `clientConfig`
   * sets it. hazelcast-client applies the same limit to reconnects: after that long without a
   * member the client shuts down and the repository reports the store unavailable.
   */
  connectTimeoutMs?: number;
  /** Compare-and-set attempts per save before it fails with `SessionStoreUnavailableError`. Default 100. */
  maxSaveAttempts?: number;
  /** `findById` writes the new `lastAccessedTime` and restarts the TTL (default true). False: the next save does. */
  touchOnRead?: boolean;
  /** Subscribe to map entry events and emit session events (default true). */
  events?: boolean;
  /** Add the HASH indexes on `principal` and `indexValues[any]` at start (default true; idempotent). */
  createIndexes?: boolean;
}

type Resolved = ResolvedRepositoryOptions<MapSession>;

/** What the repository remembers of a session object: the key and exact text it was read or written as. */
interface StoredState {
  key: string;
  text: string;
}

/** Outcome of a save that found nothing to update. */
const GONE = Symbol('gone');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Random pause before a compare-and-set retry; grows with the attempt so crowds spread out. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(50, 2 ** Math.min(attempt, 6));
  return sleep(Math.floor(Math.random() * ceiling));
}

/**
 * The exact JSON text of a map value. Values arrive as `HazelcastJsonValue` with the
 * `NO_DESERIALIZATION` policy (clients this repository starts) and as parsed objects with the
 * client default (`EAGER`); the store wrote them with `JSON.stringify`, so re-stringifying a
 * parsed value gives back the stored text.
 */
function jsonTextOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof HazelcastJsonValue) return value.toString();
  return JSON.stringify(value);
}

function shortId(id: string): string {
  return `${id.slice(0, 6)}…`;
}

/**
 * A session repository on a Hazelcast `IMap`, indexed and with events, that needs no Java class
 * on the members. Each session is one JSON document (`HazelcastJsonValue`); its entry TTL is the
 * session's remaining life. Saves merge only the changed attributes into the stored document
 * with compare-and-set (`replaceIfSame`), so concurrent saves of different attributes all persist
 * and a deleted session is never written back.
 *
 * ```ts
 * const repository = await HazelcastSessionRepository.create({
 *   clientConfig: { clusterName: 'dev', network: { clusterMembers: ['127.0.0.1:5701'] } },
 * });
 * ```
 */
export class HazelcastSessionRepository
  implements FindByIndexNameSessionRepository<MapSession>, SessionEventSource<MapSession>
{
  readonly capabilities: RepositoryCapabilities;
  /** Name of the map the sessions live in. */
  readonly mapName: string;

  readonly #options: Resolved;
  readonly #codec: SessionCodec;
  readonly #events: SessionEventEmitter<MapSession>;
  readonly #clientConfig: ClientConfig | undefined;
  readonly #client: HazelcastClient | undefined;
  readonly #connectTimeoutMs: number;
  readonly #maxSaveAttempts: number;
  readonly #touchOnRead: boolean;
  readonly #subscribe: boolean;
  readonly #createIndexes: boolean;

  #map: HazelcastSessionMap | undefined;
  #ownClient: HazelcastClient | undefined;
  #listenerId: string | undefined;
  #starting: Promise<HazelcastSessionMap> | undefined;
  #closed = false;

  readonly #stored = new WeakMap<MapSession, StoredState>();
  readonly #writes = new WeakMap<MapSession, Promise<void>>();
  /** Key of a first save that was sent for a session but not confirmed (its response may be lost). */
  readonly #unconfirmedInserts = new WeakMap<MapSession, string>();

  /** Creates a repository and waits until it is connected, indexed and subscribed. */
  static async create(options: HazelcastSessionRepositoryOptions = {}): Promise<HazelcastSessionRepository> {
    const repository = new HazelcastSessionRepository(options);
    await repository.start();
    return repository;
  }

  /** Creates a repository; it connects on {@link start} or on first use. Prefer {@link create}. */
  constructor(options: HazelcastSessionRepositoryOptions = {}) {
    const sources = [options.client, options.clientConfig, options.map].filter((v) => v !== undefined);
    if (sources.length > 1)
      throw new InvalidArgumentError('Give at most one of client, clientConfig and map');
    this.#options = resolveRepositoryOptions<MapSession>(options, { namespace: '' });
    const mapName =
      options.mapName ?? (options.namespace ? `${options.namespace}:sessions` : DEFAULT_MAP_NAME);
    if (typeof mapName !== 'string' || mapName.length === 0)
      throw new InvalidArgumentError('mapName must be a non-empty string');
    this.mapName = mapName;
    this.#connectTimeoutMs = positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.#maxSaveAttempts = positiveInteger(
      'maxSaveAttempts',
      options.maxSaveAttempts,
      DEFAULT_MAX_SAVE_ATTEMPTS,
    );
    this.#touchOnRead = options.touchOnRead ?? true;
    this.#subscribe = options.events ?? true;
    this.#createIndexes = options.createIndexes ?? true;
    this.#map = options.map;
    this.#client = options.client;
    this.#clientConfig =
      options.map === undefined && options.client === undefined ? (options.clientConfig ?? {}) : undefined;
    this.#codec = {
      serializer: this.#options.serializer,
      saveMode: this.#options.saveMode,
      idGenerator: this.#options.idGenerator,
      indexResolver: this.#options.indexResolver,
    };
    this.#events = new SessionEventEmitter<MapSession>(this.#options.logger);
    this.capabilities = { indexed: true, events: this.#subscribe, touchesOnRead: this.#touchOnRead };
  }

  /**
   * Connects (when the repository starts its own client), adds the indexes and subscribes to
   * entry events. Idempotent; a failed start is retried by the next call.
   * @throws SessionStoreUnavailableError when the cluster cannot be reached.
   */
  async start(): Promise<void> {
    await this.#ready();
  }

  #ready(): Promise<HazelcastSessionMap> {
    if (this.#closed) {
      return Promise.reject(
        new SessionStoreUnavailableError('The Hazelcast session repository is closed', { retryable: false }),
      );
    }
    this.#starting ??= this.#start().catch((err) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async #start(): Promise<HazelcastSessionMap> {
    let map = this.#map;
    if (map === undefined) {
      let client = this.#client;
      if (client === undefined) {
        client = await startClient(this.#clientConfig ?? {}, this.#connectTimeoutMs);
        this.#ownClient = client;
      }
      try {
        map = await client.getMap<string, HazelcastJsonValue>(this.mapName);
      } catch (err) {
        await this.#shutdownOwnClient();
        throw unavailable('getMap', err);
      }
    }
    try {
      if (this.#createIndexes) await this.#addIndexes(map);
      if (this.#subscribe) await this.#addListener(map);
    } catch (err) {
      await this.#shutdownOwnClient();
      throw unavailable('start', err);
    }
    if (this.#closed) {
      // close() ran while starting: undo what this start did.
      await this.#removeListener(map);
      await this.#shutdownOwnClient();
      throw new SessionStoreUnavailableError('The Hazelcast session repository is closed', {
        retryable: false,
      });
    }
    this.#map = map;
    return map;
  }

  async #addIndexes(map: HazelcastSessionMap): Promise<void> {
    const indexes: IndexConfig[] = [
      { type: 'HASH', attributes: [PRINCIPAL_FIELD] },
      { type: 'HASH', attributes: [`${INDEX_VALUES_FIELD}[any]`] },
    ];
    for (const index of indexes) {
      try {
        await map.addIndex(index);
      } catch (err) {
        // Queries still work without an index, only slower: not a reason to refuse service.
        this.#options.logger.warn(
          `could not add the index on ${index.attributes?.join(',')} to map "${this.mapName}"`,
          err,
        );
      }
    }
  }

  async #addListener(map: HazelcastSessionMap): Promise<void> {
    // Values are typed as HazelcastJsonValue but arrive parsed under the EAGER policy: read them as unknown.
    const handle =
      (kind: SessionEventKind, pick: (e: SessionMapEntryEvent<string, unknown>) => unknown) =>
      (e: SessionMapEntryEvent<string, HazelcastJsonValue>) =>
        this.#onEntryEvent(kind, e.key, pick(e));
    this.#listenerId = await map.addEntryListener(
      {
        added: handle('created', (e) => e.value),
        removed: handle('deleted', (e) => e.oldValue),
        expired: handle('expired', (e) => e.oldValue ?? e.value),
        evicted: handle('expired', (e) => e.oldValue ?? e.value),
      },
      undefined,
      true,
    );
  }

  async #removeListener(map: HazelcastSessionMap): Promise<void> {
    const id = this.#listenerId;
    this.#listenerId = undefined;
    if (id === undefined) return;
    try {
      await map.removeEntryListener(id);
    } catch (err) {
      this.#options.logger.warn('could not remove the session entry listener', err);
    }
  }

  async #shutdownOwnClient(): Promise<void> {
    const client = this.#ownClient;
    this.#ownClient = undefined;
    if (client === undefined) return;
    try {
      await client.shutdown();
    } catch (err) {
      this.#options.logger.warn('Hazelcast client shutdown failed', err);
    }
  }

  /** Unsubscribes, and shuts down the client if this repository started it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const starting = this.#starting;
    if (starting !== undefined) {
      try {
        const map = await starting;
        await this.#removeListener(map);
      } catch {
        // A start that failed left nothing behind.
      }
    }
    this.#events.clear();
    await this.#shutdownOwnClient();
  }

  // ---- events -------------------------------------------------------------------------------

  /** Subscribes to `created`, `deleted`, `expired` or `destroyed`; returns a function that unsubscribes. */
  readonly on: SessionEventSource<MapSession>['on'] = (type, listener) => this.#events.on(type, listener);

  /** Removes a listener added with {@link on}. */
  readonly off: SessionEventSource<MapSession>['off'] = (type, listener) => this.#events.off(type, listener);

  #onEntryEvent(kind: SessionEventKind, key: string, value: unknown): void {
    if (this.#closed || !isValidSessionId(key)) return;
    let doc: SessionDocument | null = null;
    const text = jsonTextOf(value);
    if (text !== null) {
      try {
        doc = parseDocument(key, text);
      } catch {
        doc = null;
      }
    }
    // The two halves of a changeSessionId are a move, not a creation and a deletion.
    if (kind === 'created' && doc?.movedFrom !== undefined) return;
    if (kind !== 'created' && doc?.movedTo !== undefined) return;
    if (!this.#events.hasListeners(kind)) return;
    let session: MapSession | null = null;
    if (doc !== null) {
      try {
        session = sessionFromDocument(this.#codec, key, doc);
      } catch {
        session = null;
      }
    }
    this.#events.emit({ type: kind, sessionId: key, session });
  }

  // ---- repository -----------------------------------------------------------------------------

  async createSession(): Promise<MapSession> {
    const session = createDefaultSession(this.#options);
    return this.#adopt(session);
  }

  /** Prepares a session handed out by the repository (immediate flush where configured). */
  #adopt(session: MapSession): MapSession {
    if (this.#options.flushMode === 'immediate') {
      enableImmediateFlush(session, (s) => this.#serialized(s), this.#options.logger);
    }
    return session;
  }

  async save(session: MapSession): Promise<void> {
    if (!isMapSession(session)) {
      throw new InvalidArgumentError(
        'HazelcastSessionRepository saves the MapSession instances it hands out',
      );
    }
    await settleImmediateFlush(session);
    await this.#serialized(session);
  }

  /** Runs the writes of one session object one after another. */
  #serialized(session: MapSession): Promise<void> {
    const previous = this.#writes.get(session) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#write(session));
    this.#writes.set(session, next);
    return next;
  }

  async #write(session: MapSession): Promise<void> {
    const delta = session.getDelta();
    if (!delta.hasChanges) return;
    if (!isValidSessionId(delta.id)) throw new InvalidSessionIdError();
    // Serialize first: a value that cannot be stored fails the save before anything is written.
    const encoded = encodeAttributes(this.#options.serializer, delta.setAttributes);
    const written = delta.isNew
      ? await this.#insert(session, delta, encoded)
      : await this.#update(session, delta, encoded, delta.originalId);
    if (written === GONE) {
      this.#options.logger.debug(
        `session ${shortId(delta.originalId)} was deleted or expired; the save wrote nothing`,
      );
      return;
    }
    session.markSaved(delta);
    this.#stored.set(session, written);
  }

  async #insert(
    session: MapSession,
    delta: SessionDelta,
    encoded: ReadonlyMap<string, EncodedAttribute>,
  ): Promise<StoredState | typeof GONE> {
    const doc = newDocument(this.#codec, session, encoded);
    const text = documentText(doc);
    const ttl = ttlFor(doc, this.#options.clock());
    const retry = this.#unconfirmedInserts.get(session) === delta.id;
    this.#unconfirmedInserts.set(session, delta.id);
    const existing = await this.#call('putIfAbsent', (map) =>
      map.putIfAbsent(delta.id, new HazelcastJsonValue(text), ttl),
    );
    this.#unconfirmedInserts.delete(session);
    if (existing !== null && existing !== undefined) {
      // An earlier attempt of this first save may have been applied although it failed for us (a
      // dropped connection losing the response): then the entry is this session, and the save
      // becomes an update of it. Anything else is an id collision.
      if (retry && this.#isEarlierAttempt(delta, jsonTextOf(existing))) {
        return this.#update(session, { ...delta, isNew: false, idChanged: false }, encoded, delta.id);
      }
      throw new InvalidSessionIdError(
        'The new session id is already in use: the id generator repeated an id',
      );
    }
    return { key: delta.id, text };
  }

  /** True when `text` is a document an earlier attempt to first-save this session wrote. */
  #isEarlierAttempt(delta: SessionDelta, text: string | null): boolean {
    if (text === null) return false;
    try {
      const doc = parseDocument(delta.id, text);
      return doc.id === delta.id && doc.creationTime === delta.creationTime && doc.movedTo === undefined;
    } catch {
      return false;
    }
  }

  /**
   * Merges the delta into the stored document with compare-and-set, retrying on conflicts. Follows
   * a concurrent `changeSessionId` (the old document points at the new id). Writes nothing when
   * the session is gone or expired.
   */
  async #update(
    session: MapSession,
    delta: SessionDelta,
    encoded: ReadonlyMap<string, EncodedAttribute>,
    storedKey: string,
  ): Promise<StoredState | typeof GONE> {
    let key = storedKey;
    const cached = this.#stored.get(session);
    let known = cached?.key === key ? cached.text : undefined;
    let movedFrom: string | undefined;
    for (let attempt = 1; attempt <= this.#maxSaveAttempts; attempt++) {
      const text = known ?? (await this.#getText(key));
      known = undefined;
      if (text === null) {
        // A move in progress writes the new copy right after marking the old one: wait for it.
        if (movedFrom !== undefined && (await this.#isMoving(movedFrom, key))) {
          await backoff(attempt);
          continue;
        }
        return GONE;
      }
      const stored = this.#parseStored(key, text);
      if (stored === null) return GONE;
      if (stored.movedTo !== undefined) {
        if (!isValidSessionId(stored.movedTo)) return GONE;
        movedFrom = key;
        key = stored.movedTo;
        continue;
      }
      const now = this.#options.clock();
      if (isDocumentExpired(stored, now)) return GONE;
      const target = delta.idChanged ? delta.id : key;
      const merged = mergeDelta(this.#codec, target, stored, delta, encoded);
      if (target !== key) {
        const moved = await this.#move(key, text, stored, target, merged, now);
        if (moved !== null) return moved;
      } else {
        const newText = documentText(merged);
        const pipelined = !delta.maxInactiveIntervalChanged;
        if (await this.#replace(key, text, newText, ttlFor(merged, now), pipelined))
          return { key, text: newText };
      }
      await backoff(attempt);
    }
    throw new SessionStoreUnavailableError(
      `Gave up saving session ${shortId(delta.originalId)} after ${this.#maxSaveAttempts} compare-and-set attempts: other writers kept changing it`,
      { retryable: true },
    );
  }

  /**
   * `changeSessionId` as delete plus set, in three steps that keep concurrent writers right:
   * mark the old document `movedTo` (compare-and-set, so a deleted session is not moved), write
   * the new one marked `movedFrom` (its add event is not a creation), delete the old one (its
   * remove event is not a deletion). Returns `null` when the old document changed meanwhile.
   */
  async #move(
    fromKey: string,
    fromText: string,
    stored: SessionDocument,
    toKey: string,
    merged: SessionDocument,
    now: number,
  ): Promise<StoredState | null> {
    const markerText = documentText({ ...stored, movedTo: toKey });
    if (!(await this.#replace(fromKey, fromText, markerText, ttlFor(stored, now), true))) return null;
    const toText = documentText({ ...merged, movedFrom: fromKey });
    const existing = await this.#call('putIfAbsent', (map) =>
      map.putIfAbsent(toKey, new HazelcastJsonValue(toText), ttlFor(merged, now)),
    );
    if (existing !== null && existing !== undefined) {
      // Put the old document back as it was before failing: the session must not vanish.
      await this.#call('replaceIfSame', (map) =>
        map.replaceIfSame(fromKey, new HazelcastJsonValue(markerText), new HazelcastJsonValue(fromText)),
      );
      throw new InvalidSessionIdError(
        'The changed session id is already in use: the id generator repeated an id',
      );
    }
    // remove, not delete: peers tell this removal from a deletion by the old value in its event.
    await this.#removeEntry(fromKey);
    return { key: toKey, text: toText };
  }

  /** True while `fromKey` still holds a document marked as moving to `toKey`. */
  async #isMoving(fromKey: string, toKey: string): Promise<boolean> {
    const text = await this.#getText(fromKey);
    if (text === null) return false;
    try {
      return parseDocument(fromKey, text).movedTo === toKey;
    } catch {
      return false;
    }
  }

  /**
   * Compare-and-set, then the TTL restart (`replaceIfSame` cannot set a TTL). `pipelined` sends
   * both at once (one round trip of latency) where a stray TTL restart on a lost race is harmless:
   * when the interval is unchanged it only extends a session someone is using.
   */
  async #replace(
    key: string,
    oldText: string,
    newText: string,
    ttl: number,
    pipelined: boolean,
  ): Promise<boolean> {
    const oldValue = new HazelcastJsonValue(oldText);
    const newValue = new HazelcastJsonValue(newText);
    if (pipelined) {
      const [replaced] = await Promise.all([
        this.#call('replaceIfSame', (map) => map.replaceIfSame(key, oldValue, newValue)),
        this.#call('setTtl', (map) => map.setTtl(key, ttl)),
      ]);
      return replaced;
    }
    if (!(await this.#call('replaceIfSame', (map) => map.replaceIfSame(key, oldValue, newValue))))
      return false;
    await this.#call('setTtl', (map) => map.setTtl(key, ttl));
    return true;
  }

  async findById(id: string): Promise<MapSession | null> {
    if (!isValidSessionId(id)) return null;
    const text = await this.#getText(id);
    const found = text === null ? null : this.#readable(id, text);
    if (found === null || text === null) return null;
    const now = this.#options.clock();
    if (!this.#touchOnRead || found.doc.lastAccessedTime >= now) {
      // Set before adopting, so even an immediate-flush session leaves the write to the next save.
      if (found.doc.lastAccessedTime < now) found.session.lastAccessedTime = now;
      this.#stored.set(found.session, { key: id, text });
      return this.#adopt(found.session);
    }
    // Touch: the stored lastAccessedTime and the TTL move to now, so reads keep a session alive.
    const touched: SessionDocument = { ...found.doc, lastAccessedTime: now, movedFrom: undefined };
    const touchedText = documentText(touched);
    if (await this.#replace(id, text, touchedText, ttlFor(touched, now), true)) {
      const session = this.#adopt(sessionFromDocument(this.#codec, id, found.doc, now));
      this.#stored.set(session, { key: id, text: touchedText });
      return session;
    }
    // Someone wrote it meanwhile: return what is stored now; the next save writes the touch.
    const fresh = await this.#getText(id);
    const latest = fresh === null ? null : this.#readable(id, fresh);
    if (latest === null || fresh === null) return null;
    if (latest.doc.maxInactiveIntervalMs !== found.doc.maxInactiveIntervalMs) {
      // The TTL restart sent with the lost compare-and-set used the old interval, and may have
      // landed after the winner's: a session given a longer life would die at the old one.
      await this.#call('setTtl', (map) => map.setTtl(id, ttlFor(latest.doc, now)));
    }
    if (latest.doc.lastAccessedTime < now) latest.session.lastAccessedTime = now;
    this.#stored.set(latest.session, { key: id, text: fresh });
    return this.#adopt(latest.session);
  }

  /** The stored session if it is live and readable; corrupt data is logged and removed. */
  #readable(key: string, text: string): { doc: SessionDocument; session: MapSession } | null {
    const doc = this.#parseStored(key, text);
    if (doc === null || doc.movedTo !== undefined) return null;
    if (isDocumentExpired(doc, this.#options.clock())) return null;
    try {
      return { doc, session: sessionFromDocument(this.#codec, key, doc) };
    } catch (err) {
      this.#discardCorrupt(key, err);
      return null;
    }
  }

  #parseStored(key: string, text: string): SessionDocument | null {
    try {
      return parseDocument(key, text);
    } catch (err) {
      this.#discardCorrupt(key, err);
      return null;
    }
  }

  /** Bad data is no session: logged and removed in the background, never an error for the caller. */
  #discardCorrupt(key: string, err: unknown): void {
    this.#options.logger.warn(`removing unreadable session ${shortId(key)} from map "${this.mapName}"`, err);
    this.#call('delete', (map) => map.delete(key)).catch((deleteErr) => {
      this.#options.logger.warn(`could not remove unreadable session ${shortId(key)}`, deleteErr);
    });
  }

  async deleteById(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    // remove, not delete: only then does the member put the session into the `removed` event.
    await this.#removeEntry(id);
  }

  /**
   * Removes `key` so that its `removed` event carries the old value. A member sends `null` as the
   * old value of an entry removed with `delete` (IMap documents this), which would turn the end of
   * every `changeSessionId` into a `deleted` event and strip the session from real deletions.
   */
  async #removeEntry(key: string): Promise<void> {
    await this.#call('remove', async (map) => {
      if (map.remove !== undefined) await map.remove(key);
      else await map.delete(key);
    });
  }

  async findByPrincipalName(principalName: string): Promise<Map<string, MapSession>> {
    return this.findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, principalName);
  }

  async findByIndexNameAndIndexValue(indexName: string, value: string): Promise<Map<string, MapSession>> {
    const out = new Map<string, MapSession>();
    if (typeof indexName !== 'string' || typeof value !== 'string' || value.length === 0) return out;
    const predicate =
      indexName === PRINCIPAL_NAME_INDEX_NAME
        ? Predicates.equal(PRINCIPAL_FIELD, value)
        : Predicates.equal(`${INDEX_VALUES_FIELD}[any]`, encodeIndexValue(indexName, value));
    const entries = await this.#call('entrySetWithPredicate', (map) => map.entrySetWithPredicate(predicate));
    for (const [key, value] of entries) {
      if (!isValidSessionId(key)) continue;
      const text = jsonTextOf(value);
      const found = text === null ? null : this.#readable(key, text);
      if (found === null || text === null) continue;
      const session = this.#adopt(found.session);
      this.#stored.set(session, { key, text });
      out.set(key, session);
    }
    return out;
  }

  // ---- backend access ---------------------------------------------------------------------------

  async #getText(key: string): Promise<string | null> {
    return jsonTextOf(await this.#call('get', (map) => map.get(key)));
  }

  /** Runs one map operation; anything but our own errors becomes `SessionStoreUnavailableError`. */
  async #call<T>(operation: string, run: (map: HazelcastSessionMap) => Promise<T>): Promise<T> {
    const map = await this.#ready();
    try {
      return await run(map);
    } catch (err) {
      this.#forgetStoppedClient();
      throw unavailable(operation, err);
    }
  }

  /**
   * A client this repository started shuts itself down after `connectTimeoutMs` without a member.
   * Forget it, so the next call starts a new one instead of failing forever.
   */
  #forgetStoppedClient(): void {
    const client = this.#ownClient;
    if (client === undefined || this.#closed || client.getLifecycleService().isRunning()) return;
    this.#options.logger.warn('the Hazelcast client lost the cluster and stopped; the next call reconnects');
    this.#ownClient = undefined;
    this.#map = undefined;
    this.#listenerId = undefined;
    this.#starting = undefined;
  }
}

function unavailable(operation: string, err: unknown): Error {
  if (isSessionError(err)) return err;
  return new SessionStoreUnavailableError(
    `Hazelcast ${operation} failed: ${(err as Error)?.message ?? String(err)}`,
    {
      cause: err,
    },
  );
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}
