import {
  CorruptSessionDataError,
  InvalidArgumentError,
  InvalidSessionIdError,
  isSessionError,
  SessionStoreUnavailableError,
} from '../errors.js';
import {
  SessionEventEmitter,
  type SessionEventListener,
  type SessionEventSource,
  type SessionEventType,
} from '../events.js';
import { isValidSessionId, shortSessionId } from '../ids.js';
import { PRINCIPAL_NAME_INDEX_NAME } from '../index-resolver.js';
import type { SessionLogger } from '../logger.js';
import type { ResolvedRepositoryOptions } from '../options.js';
import type {
  FindByIndexNameSessionRepository,
  RepositoryCapabilities,
  SessionRepository,
} from '../repository.js';
import { isMapSession, type MapSession, type SessionDelta } from '../session.js';
import { AttributeCodec } from './attribute-codec.js';
import { enableImmediateFlush, settleImmediateFlush } from './flush.js';
import { type IndexValues, resolveIndexValues } from './indexes.js';
import { isSaved, rejectedOutcome, type SaveOutcome, unchangedOutcome } from './outcome.js';
import { createDefaultSession, restoreSession, type StoredSessionState } from './sessions.js';

/**
 * A save as the kernel hands it to a store: validated, with every set attribute encoded (by
 * default serialized to text; see {@link SessionStoreBase.encodeAttribute}).
 */
export interface PreparedSave<E = string> {
  /** The session being saved. */
  readonly session: MapSession;
  /** What changed; `delta.hasChanges` is always true here. */
  readonly delta: SessionDelta;
  /**
   * The encoded value of each attribute in `delta.setAttributes`, in the same order. Made for
   * this save alone: a store may keep the map itself.
   */
  readonly encoded: ReadonlyMap<string, E>;
  /** The repository clock's reading when the save started. */
  readonly now: number;
}

/**
 * The store kernel: what every repository does alike, written once. A store extends it and
 * implements only what differs:
 *
 * - {@link readSession}: load one session (touching it, where the store records accesses on read);
 * - {@link writeSession}: apply one prepared save atomically and say what happened;
 * - {@link deleteSession}: remove one session.
 *
 * The kernel gives every store the same behaviour around those: new sessions from the resolved
 * defaults; the save guard (a `MapSession` only, ids checked, nothing sent without changes, every
 * value serialized before anything is written); writes of one session object run one at a time;
 * `flushMode: 'immediate'` wiring; `markSaved` only for writes that landed; one error mapping
 * (serializer failures are {@link SessionSerializationError}, backend failures
 * {@link SessionStoreUnavailableError}, never the other way round); malformed ids never reach
 * the store.
 *
 * ```ts
 * class MyRepository extends SessionStoreBase {
 *   readonly capabilities = { indexed: false, events: false };
 *   constructor(options: SessionRepositoryOptions = {}) {
 *     super(resolveRepositoryOptions(options, { namespace: 'my' }), 'my store');
 *   }
 *   protected async readSession(id: string) { … return this.restore({ id, …, attributes }); }
 *   protected async writeSession(save: PreparedSave) { … return writtenOutcome(save.delta.id); }
 *   protected async deleteSession(id: string) { … }
 * }
 * ```
 */
export abstract class SessionStoreBase<E = string> implements SessionRepository<MapSession> {
  abstract readonly capabilities: RepositoryCapabilities;
  /** The shared store options, resolved. */
  protected readonly options: ResolvedRepositoryOptions<MapSession>;
  protected readonly logger: SessionLogger;
  /** Attribute values in and out, through the configured serializer. */
  protected readonly codec: AttributeCodec;
  /** The store's name in error messages ("Redis", "Hazelcast", …). */
  protected readonly storeName: string;
  /** The save in progress per session object: saves of one object run one after another. */
  readonly #writes = new WeakMap<MapSession, Promise<SaveOutcome>>();

  protected constructor(options: ResolvedRepositoryOptions<MapSession>, storeName: string) {
    this.options = options;
    this.logger = options.logger;
    this.codec = new AttributeCodec(options.serializer);
    this.storeName = storeName;
  }

  /** A new session in memory with the repository's defaults. Nothing is stored until `save`. */
  createSession(): Promise<MapSession> {
    try {
      return Promise.resolve(this.createSessionNow());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** {@link createSession}, synchronously (new sessions need no I/O). */
  createSessionNow(): MapSession {
    return this.adopt(createDefaultSession(this.options));
  }

  /**
   * Writes what changed on `session` and says what happened: `written`, `unchanged` (nothing to
   * write), or why nothing was written (`deleted`, `expired`, `moved`); a session deleted, expired
   * or moved meanwhile is never written back. Rejects with `SessionSerializationError` (nothing
   * written) when a value cannot be stored and with `SessionStoreUnavailableError` when the
   * backend fails.
   */
  save(session: MapSession): Promise<SaveOutcome> {
    if (!isMapSession(session)) {
      return Promise.reject(
        new InvalidArgumentError(
          `${this.constructor.name}.save() needs a MapSession from createSession or findById`,
        ),
      );
    }
    // Immediate-flush writes report their own failures there; what is still pending is written below.
    if (this.options.flushMode === 'immediate') {
      return settleImmediateFlush(session)
        .catch(() => undefined)
        .then(() => this.#queueWrite(session));
    }
    return this.#queueWrite(session);
  }

  /** The stored session, or `null` when absent, expired, unreadable (logged) or the id is malformed. */
  findById(id: string): Promise<MapSession | null> {
    if (!isValidSessionId(id)) return Promise.resolve(null);
    // At most one promise step on the hot path (no async wrappers around the store's read), none
    // when the store answers synchronously.
    let pending: Promise<MapSession | null> | MapSession | null;
    try {
      pending = this.readSession(id);
    } catch (err) {
      return Promise.reject(this.storeFailure(err, 'findById'));
    }
    if (pending === null) return Promise.resolve(null);
    if (isMapSession(pending)) return Promise.resolve(this.adopt(pending));
    return pending.then(
      (session) => (session === null ? null : this.adopt(session)),
      (err: unknown) => {
        throw this.storeFailure(err, 'findById');
      },
    );
  }

  /** Removes the session. A missing or malformed id is a no-op (a malformed one never reaches the store). */
  async deleteById(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    await this.guard('deleteById', () => this.deleteSession(id));
  }

  /**
   * True when the session stored under `id` moved to another id within the id-change trail (see
   * `SessionRepository.movedRecently`). False for malformed ids, without asking the store.
   */
  async movedRecently(id: string): Promise<boolean> {
    if (!isValidSessionId(id)) return false;
    return this.guard('movedRecently', () => this.lookupMove(id));
  }

  /** Releases what the store holds. Idempotent. */
  async close(): Promise<void> {}

  // --- what a store implements ---

  /**
   * Loads a live session (valid id only), or `null`. Build it with {@link restore}. A store that
   * holds its data in-process may answer synchronously; a synchronous throw counts as a failure
   * of the backend, like a rejection.
   */
  protected abstract readSession(id: string): Promise<MapSession | null> | MapSession | null;

  /**
   * Applies one prepared save atomically; `written` only when the changes are stored. An
   * in-process store may answer synchronously. The store may keep `save.encoded` (it is made for
   * this save alone).
   */
  protected abstract writeSession(save: PreparedSave<E>): Promise<SaveOutcome> | SaveOutcome;

  /** Removes one session (valid id only). */
  protected abstract deleteSession(id: string): Promise<void>;

  /**
   * Whether `id` (valid) moved to another id within the id-change trail. Stores that keep a trail
   * override it; the default knows of no move.
   */
  protected async lookupMove(_id: string): Promise<boolean> {
    return false;
  }

  // --- helpers for stores ---

  /**
   * How one attribute value is stored. Default: the serializer's text. A store that keeps values
   * in another form overrides it (and its type parameter); whatever it throws fails the save
   * before anything is written (use {@link codec}, whose errors name the attribute).
   */
  protected encodeAttribute(name: string, value: unknown): E {
    return this.codec.serialize(name, value) as E;
  }

  /** Rebuilds a stored session with the repository's save mode and id generator. */
  protected restore(state: StoredSessionState): MapSession {
    try {
      return restoreSession(state, this.options);
    } catch (err) {
      if (err instanceof CorruptSessionDataError) throw err;
      throw new CorruptSessionDataError(state.id, `stored session is unusable: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Runs a backend call, turning failures that are not this library's errors into
   * `SessionStoreUnavailableError` (HTTP 503).
   */
  protected async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.storeFailure(err, operation);
    }
  }

  /** The error a failed backend call surfaces as. Stores may refine `retryable`. */
  protected storeFailure(err: unknown, operation: string): Error {
    if (isSessionError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SessionStoreUnavailableError(`${this.storeName} ${operation} failed: ${message}`, {
      cause: err,
    });
  }

  /**
   * Bad data is no session: logs it and runs `remove` (failures of which are only logged), so a
   * corrupt entry never becomes an error for the caller.
   */
  protected async discardCorrupt(id: string, reason: unknown, remove: () => Promise<unknown>): Promise<void> {
    this.logger.error(`corrupt session ${shortSessionId(id)} removed`, reason);
    try {
      await remove();
    } catch (err) {
      this.logger.warn(`could not remove corrupt session ${shortSessionId(id)}`, err);
    }
  }

  /** Prepares a session handed out by the repository (its immediate-flush writer, where configured). */
  protected adopt(session: MapSession): MapSession {
    if (this.options.flushMode === 'immediate') {
      enableImmediateFlush(
        session,
        async (s) => {
          const outcome = await this.#queueWrite(s);
          if (!isSaved(outcome)) {
            this.logger.debug(
              `immediate flush of session ${shortSessionId(s.id)} wrote nothing: ${outcome.status}`,
            );
          }
        },
        this.logger,
      );
    }
    return session;
  }

  #queueWrite(session: MapSession): Promise<SaveOutcome> {
    const previous = this.#writes.get(session);
    if (previous === undefined) {
      let result: SaveOutcome | Promise<SaveOutcome>;
      try {
        result = this.#write(session);
      } catch (err) {
        return Promise.reject(err);
      }
      // A store that wrote synchronously is done: nothing can be in flight behind it.
      if (!isPromise(result)) return Promise.resolve(result);
      return this.#track(session, result);
    }
    return this.#track(
      session,
      previous.then(
        () => this.#write(session),
        () => this.#write(session),
      ),
    );
  }

  /** Records `write` as the session's write in flight until it settles. */
  #track(session: MapSession, write: Promise<SaveOutcome>): Promise<SaveOutcome> {
    this.#writes.set(session, write);
    const done = (): void => {
      if (this.#writes.get(session) === write) this.#writes.delete(session);
    };
    write.then(done, done);
    return write;
  }

  /** One save: synchronous up to the store's write, and throughout when the store writes synchronously. */
  #write(session: MapSession): SaveOutcome | Promise<SaveOutcome> {
    const delta = session.getDelta();
    if (!delta.hasChanges) return unchangedOutcome(delta.id);
    if (!isValidSessionId(delta.id) || !isValidSessionId(delta.originalId)) {
      throw new InvalidSessionIdError('The session carries a malformed id; it was not saved');
    }
    // Everything that can fail on our side fails here, before the backend sees anything.
    const encoded = new Map<string, E>();
    for (const [name, value] of delta.setAttributes) encoded.set(name, this.encodeAttribute(name, value));
    const now = this.options.clock();
    // A new session already past its idle timeout is never stored: nothing could read it.
    if (delta.isNew && session.isExpired(now)) return rejectedOutcome('expired', delta.id);
    let result: SaveOutcome | Promise<SaveOutcome>;
    try {
      result = this.writeSession({ session, delta, encoded, now });
    } catch (err) {
      throw this.storeFailure(err, 'save');
    }
    if (!isPromise(result)) return this.#settle(session, delta, result);
    return result.then(
      (outcome) => this.#settle(session, delta, outcome),
      (err: unknown) => {
        throw this.storeFailure(err, 'save');
      },
    );
  }

  #settle(session: MapSession, delta: SessionDelta, outcome: SaveOutcome): SaveOutcome {
    if (outcome.status === 'written') {
      session.markSaved(delta);
    } else {
      this.logger.debug(`session ${shortSessionId(delta.originalId)} was not saved: ${outcome.status}`);
    }
    return outcome;
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * {@link SessionStoreBase} for stores with indexes and events. Adds the event hub (`on`/`off`),
 * `findByPrincipalName` on top of `findByIndexNameAndIndexValue` (Spring's default method), and
 * index resolution with the configured resolver. A store implements {@link queryIndex}.
 */
export abstract class IndexedSessionStoreBase<E = string>
  extends SessionStoreBase<E>
  implements FindByIndexNameSessionRepository<MapSession>, SessionEventSource<MapSession>
{
  /** Emit events here; listeners get them in registration order, failures are logged. */
  protected readonly events: SessionEventEmitter<MapSession>;

  protected constructor(options: ResolvedRepositoryOptions<MapSession>, storeName: string) {
    super(options, storeName);
    this.events = new SessionEventEmitter<MapSession>(options.logger);
  }

  /** Subscribes to `created`, `deleted`, `expired` or `destroyed` (deleted or expired); returns the unsubscribe function. */
  on(type: SessionEventType, listener: SessionEventListener<MapSession>): () => void {
    return this.events.on(type, listener);
  }

  /** Removes a listener added with {@link on}. */
  off(type: SessionEventType, listener: SessionEventListener<MapSession>): void {
    this.events.off(type, listener);
  }

  /** The sessions of one principal (user), by id: `findByIndexNameAndIndexValue` on the principal index. */
  findByPrincipalName(principalName: string): Promise<Map<string, MapSession>> {
    return this.findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, principalName);
  }

  /** Live sessions whose index `indexName` has `indexValue`, by id. Empty for empty or non-string arguments. */
  async findByIndexNameAndIndexValue(
    indexName: string,
    indexValue: string,
  ): Promise<Map<string, MapSession>> {
    if (
      typeof indexName !== 'string' ||
      indexName === '' ||
      typeof indexValue !== 'string' ||
      indexValue === ''
    ) {
      return new Map();
    }
    const found = await this.guard('findByIndexNameAndIndexValue', () =>
      this.queryIndex(indexName, indexValue),
    );
    for (const session of found.values()) this.adopt(session);
    return found;
  }

  /** Drops every listener; stores call it from their `close`. */
  override async close(): Promise<void> {
    this.events.clear();
  }

  /** Looks up the live sessions filed under `indexName` = `indexValue` (both non-empty). */
  protected abstract queryIndex(indexName: string, indexValue: string): Promise<Map<string, MapSession>>;

  /** The index values the configured resolver gives `session` (non-empty strings only). */
  protected indexValuesOf(session: MapSession): IndexValues {
    return resolveIndexValues(this.options.indexResolver, session);
  }
}
