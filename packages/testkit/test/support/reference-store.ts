import {
  AttributeCodec,
  enableImmediateFlush,
  type FindByIndexNameSessionRepository,
  IdChangeTrail,
  isValidSessionId,
  MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  resolveRepositoryOptions,
  type SaveOutcome,
  type SessionEvent,
  type SessionEventListener,
  type SessionEventSource,
  type SessionEventType,
  type SessionRepositoryOptions,
  SessionStoreUnavailableError,
  settleImmediateFlush,
} from '@session/core';

/** Deliberate bugs, one per contract rule, to prove the suite catches each. */
export interface Bugs {
  shareReferences?: boolean;
  fullOverwrite?: boolean;
  resurrect?: boolean;
  ignoreExpiry?: boolean;
  negativeExpiresImmediately?: boolean;
  indexReturnsExpired?: boolean;
  indexIgnoresResolver?: boolean;
  createdOnEverySave?: boolean;
  noDeletedEvent?: boolean;
  noExpiredEvent?: boolean;
  listenerErrorsPropagate?: boolean;
  ignoreUnsubscribe?: boolean;
  malformedReachesBackend?: boolean;
  malformedThrows?: boolean;
  changeIdKeepsOld?: boolean;
  ignoreSaveMode?: boolean;
  noImmediateFlush?: boolean;
  lossyJson?: boolean;
  partialWriteOnError?: boolean;
  noTouch?: boolean;
  ignoreIntervalChange?: boolean;
  dropRemovals?: boolean;
  noSweeper?: boolean;
  peersMissEvents?: boolean;
  indexFromCopy?: boolean;
  forgetInFlightChanges?: boolean;
  ignoreLastAccessedChange?: boolean;
  /** Reports "written" for a save that found its session gone (the silent no-op). */
  writtenWhenGone?: boolean;
  /** Forgets id changes: a stale copy reports "deleted", a delete of the old id misses the new one. */
  noIdTrail?: boolean;
  /** Lets serializer failures escape as "store unavailable". */
  serializerErrorAsUnavailable?: boolean;
  /** Unreadable stored data makes reads throw instead of reading as absent. */
  corruptThrows?: boolean;
  /** Unreadable stored data reads as absent but stays stored, unlogged. */
  corruptKept?: boolean;
  /** A backend that is down surfaces as a plain Error instead of SessionStoreUnavailableError. */
  downAsPlainError?: boolean;
  /** The repository's capabilities say it does not touch on read (it does). */
  capabilitiesUnderstate?: boolean;
}

/** What several {@link ReferenceStore} instances share: the rows and an event bus (like pub/sub). */
export interface ReferenceBackend {
  readonly rows: Map<string, Row>;
  readonly instances: Set<ReferenceStore>;
  readonly moves: IdChangeTrail;
}

export function referenceBackend(): ReferenceBackend {
  return { rows: new Map(), instances: new Set(), moves: new IdChangeTrail() };
}

export interface Row {
  creationTime: number;
  lastAccessedTime: number;
  interval: number;
  attrs: Map<string, unknown>;
  indexes: Record<string, string>;
}

/**
 * A deliberately simple store: a Map of rows, indexes found by scanning, lazy expiry plus a short
 * sweeper. Correct when `bugs` is empty; each flag breaks one rule.
 */
export class ReferenceStore
  implements FindByIndexNameSessionRepository<MapSession>, SessionEventSource<MapSession>
{
  readonly capabilities;
  /** Every operation fails as if the backend could not be reached (see `createUnreachable`). */
  readonly down: boolean;
  readonly rows: Map<string, Row>;
  readonly #backend: ReferenceBackend;
  operations = 0;
  readonly #opts;
  readonly #bugs: Bugs;
  readonly #listeners = new Map<SessionEventType, Set<SessionEventListener<MapSession>>>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #codec: AttributeCodec;

  constructor(
    options: SessionRepositoryOptions<MapSession>,
    bugs: Bugs = {},
    backend = referenceBackend(),
    down = false,
  ) {
    this.capabilities = { indexed: true, events: true, touchesOnRead: !bugs.capabilitiesUnderstate };
    this.down = down;
    this.#opts = resolveRepositoryOptions(options, { namespace: 'ref' });
    this.#codec = new AttributeCodec(this.#opts.serializer);
    this.#bugs = bugs;
    this.#backend = backend;
    this.rows = backend.rows;
    backend.instances.add(this);
    this.#sweeper = setInterval(() => this.#sweep(), 20);
    this.#sweeper.unref();
  }

  /** The decoded stored attribute, bypassing the repository. */
  rawAttribute(id: string, name: string): unknown {
    const stored = this.rows.get(id)?.attrs.get(name);
    return stored === undefined ? undefined : this.#decode(stored, name);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#backend.instances.delete(this);
  }

  async createSession(): Promise<MapSession> {
    const session = new MapSession({
      maxInactiveIntervalMs: this.#opts.defaultMaxInactiveIntervalMs,
      saveMode: this.#bugs.ignoreSaveMode ? 'onSetAttribute' : this.#opts.saveMode,
    });
    this.#track(session);
    return session;
  }

  /** What a call to an unreachable backend throws. */
  #unreachable(): Error {
    return this.#bugs.downAsPlainError
      ? new Error('connect ECONNREFUSED')
      : new SessionStoreUnavailableError('reference backend unreachable');
  }

  /** Bad data is no session: logged and removed (unless a bug says otherwise). */
  #corrupt(id: string, err: unknown): null {
    if (this.#bugs.corruptThrows) throw err;
    if (!this.#bugs.corruptKept) {
      this.#opts.logger.error('corrupt session removed', err);
      this.rows.delete(id);
    }
    return null;
  }

  async save(session: MapSession): Promise<SaveOutcome> {
    if (this.down) {
      if (!session.getDelta().hasChanges) return { status: 'unchanged', id: session.id };
      throw this.#unreachable();
    }
    if (this.#opts.flushMode === 'immediate' && !this.#bugs.noImmediateFlush)
      await settleImmediateFlush(session).catch(() => undefined);
    const outcome = this.#write(session);
    if (this.#bugs.forgetInFlightChanges) {
      // Like a networked store that marks the whole session saved when its write returns.
      await new Promise((resolve) => setImmediate(resolve));
      session.markSaved();
    }
    return outcome;
  }

  async findById(id: string): Promise<MapSession | null> {
    if (this.down && isValidSessionId(id)) throw this.#unreachable();
    try {
      return await this.#find(id);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SESSION_SERIALIZATION' || code === 'SESSION_INVALID_ARGUMENT')
        return this.#corrupt(id, err);
      throw err;
    }
  }

  async #find(id: string): Promise<MapSession | null> {
    if (this.#bugs.malformedThrows && !isValidSessionId(id)) throw new Error('bad id');
    if (this.#bugs.malformedReachesBackend) this.operations++;
    if (!isValidSessionId(id)) return null;
    if (!this.#bugs.malformedReachesBackend) this.operations++;
    const row = this.rows.get(id);
    if (row === undefined) return null;
    const now = Date.now();
    if (this.#expired(row, now)) {
      this.#expire(id, row);
      return null;
    }
    if (!this.#bugs.noTouch) row.lastAccessedTime = now;
    const session = this.#load(id, row);
    this.#track(session);
    return session;
  }

  async deleteById(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    if (this.down) throw this.#unreachable();
    this.operations++;
    const ids = this.#bugs.noIdTrail ? [id] : [id, ...this.#backend.moves.successors(id, Date.now())];
    for (const candidate of ids) {
      if (!this.rows.delete(candidate)) continue;
      if (!this.#bugs.noDeletedEvent) this.#emit({ type: 'deleted', sessionId: candidate, session: null });
    }
  }

  async findByIndexNameAndIndexValue(name: string, value: string): Promise<Map<string, MapSession>> {
    if (this.down) throw this.#unreachable();
    const out = new Map<string, MapSession>();
    const now = Date.now();
    for (const [id, row] of [...this.rows]) {
      if (row.indexes[name] !== value) continue;
      if (!this.#bugs.indexReturnsExpired && this.#expired(row, now)) continue;
      try {
        out.set(id, this.#load(id, row));
      } catch (err) {
        this.#corrupt(id, err);
      }
    }
    return out;
  }

  findByPrincipalName(principal: string): Promise<Map<string, MapSession>> {
    return this.findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, principal);
  }

  on(type: SessionEventType, listener: SessionEventListener<MapSession>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off(type: SessionEventType, listener: SessionEventListener<MapSession>): void {
    if (!this.#bugs.ignoreUnsubscribe) this.#listeners.get(type)?.delete(listener);
  }

  /** Publishes to every instance on the backend, like a pub/sub channel. */
  #emit(event: SessionEvent<MapSession>): void {
    if (this.#bugs.peersMissEvents) {
      this.#deliver(event);
      return;
    }
    for (const instance of this.#backend.instances) instance.#deliver(event);
  }

  #deliver(event: SessionEvent<MapSession>): void {
    const targets = [event.type, ...(event.type === 'created' ? [] : ['destroyed' as const])];
    for (const type of targets) {
      for (const listener of this.#listeners.get(type) ?? []) {
        if (this.#bugs.listenerErrorsPropagate) {
          listener(event);
          continue;
        }
        try {
          Promise.resolve(listener(event)).catch(() => {});
        } catch {}
      }
    }
  }

  #track(session: MapSession): void {
    if (this.#opts.flushMode === 'immediate' && !this.#bugs.noImmediateFlush) {
      enableImmediateFlush(
        session,
        async (s) => {
          this.#write(s);
        },
        this.#opts.logger,
      );
    }
  }

  #expired(row: Row, now: number): boolean {
    if (this.#bugs.ignoreExpiry) return false;
    if (row.interval < 0) return this.#bugs.negativeExpiresImmediately === true;
    return now - row.lastAccessedTime >= row.interval;
  }

  #expire(id: string, row: Row): void {
    if (this.rows.get(id) !== row) return;
    this.rows.delete(id);
    if (!this.#bugs.noExpiredEvent) this.#emit({ type: 'expired', sessionId: id, session: null });
  }

  #sweep(): void {
    if (this.#bugs.noSweeper) return;
    const now = Date.now();
    for (const [id, row] of this.rows) if (this.#expired(row, now)) this.#expire(id, row);
  }

  #encode(value: unknown, name: string): unknown {
    if (this.#bugs.shareReferences) return value;
    if (this.#bugs.lossyJson) return JSON.stringify(value) ?? 'null';
    if (this.#bugs.serializerErrorAsUnavailable) {
      try {
        return this.#opts.serializer.serialize(value, name);
      } catch (err) {
        throw new SessionStoreUnavailableError('store failed', { cause: err });
      }
    }
    return this.#codec.serialize(name, value);
  }

  #decode(value: unknown, name: string): unknown {
    if (this.#bugs.shareReferences) return value;
    if (this.#bugs.lossyJson) return JSON.parse(value as string);
    return this.#codec.deserialize(name, value as string);
  }

  #load(id: string, row: Row): MapSession {
    return new MapSession({
      id,
      creationTime: row.creationTime,
      lastAccessedTime: row.lastAccessedTime,
      maxInactiveIntervalMs: row.interval,
      attributes: [...row.attrs].map(([n, v]) => [n, this.#decode(v, n)] as const),
      isNew: false,
      saveMode: this.#bugs.ignoreSaveMode ? 'onSetAttribute' : this.#opts.saveMode,
    });
  }

  /** The stored row as a session for the index resolver; unreadable attributes index nothing. */
  #indexView(id: string, row: Row): MapSession {
    const attributes: Array<[string, unknown]> = [];
    for (const [name, value] of row.attrs) {
      try {
        attributes.push([name, this.#decode(value, name)]);
      } catch {}
    }
    return new MapSession({
      id,
      creationTime: row.creationTime,
      lastAccessedTime: row.lastAccessedTime,
      maxInactiveIntervalMs: row.interval,
      attributes,
      isNew: false,
    });
  }

  #write(session: MapSession): SaveOutcome {
    const delta = session.getDelta();
    if (!delta.hasChanges) return { status: 'unchanged', id: delta.id };
    this.operations++;
    if (delta.isNew && !this.#bugs.ignoreExpiry && session.isExpired())
      return { status: 'expired', id: delta.id };
    let row = this.rows.get(delta.originalId);
    if (!delta.isNew && (row === undefined || this.#expired(row, Date.now()))) {
      if (this.#bugs.writtenWhenGone) return { status: 'written', id: delta.id };
      if (!this.#bugs.resurrect) {
        const moved = !this.#bugs.noIdTrail && this.#backend.moves.movedTo(delta.originalId, Date.now());
        return { status: moved ? 'moved' : row === undefined ? 'deleted' : 'expired', id: delta.originalId };
      }
      row = undefined;
    }
    const encoded = new Map<string, unknown>();
    const source = this.#bugs.fullOverwrite ? new Map(session.entries()) : delta.setAttributes;
    const target = row?.attrs ?? new Map<string, unknown>();
    for (const [name, value] of source) {
      const stored = this.#encode(value, name);
      if (this.#bugs.partialWriteOnError) target.set(name, stored);
      encoded.set(name, stored);
    }
    if (row === undefined) {
      row = {
        creationTime: delta.creationTime,
        lastAccessedTime: delta.lastAccessedTime,
        interval: delta.maxInactiveIntervalMs,
        attrs: target,
        indexes: {},
      };
    }
    if (this.#bugs.fullOverwrite) row.attrs.clear();
    for (const [name, value] of encoded) row.attrs.set(name, value);
    if (!this.#bugs.dropRemovals) for (const name of delta.removedAttributes) row.attrs.delete(name);
    if (delta.isNew || (delta.lastAccessedTimeChanged && !this.#bugs.ignoreLastAccessedChange))
      row.lastAccessedTime = delta.lastAccessedTime;
    if (delta.isNew || (delta.maxInactiveIntervalChanged && !this.#bugs.ignoreIntervalChange)) {
      row.interval = delta.maxInactiveIntervalMs;
    }
    const view = this.#indexView(delta.id, row);
    row.indexes = this.#bugs.indexIgnoresResolver
      ? { [PRINCIPAL_NAME_INDEX_NAME]: String(view.peek(PRINCIPAL_NAME_INDEX_NAME)) }
      : this.#opts.indexResolver.resolveIndexesFor(this.#bugs.indexFromCopy ? session : view);
    if (delta.idChanged && !delta.isNew && !this.#bugs.changeIdKeepsOld) {
      this.rows.delete(delta.originalId);
      this.#backend.moves.record(delta.originalId, delta.id, Date.now());
    }
    this.rows.set(delta.id, row);
    session.markSaved(delta);
    if (delta.isNew || this.#bugs.createdOnEverySave)
      this.#emit({ type: 'created', sessionId: delta.id, session: null });
    return { status: 'written', id: delta.id };
  }
}
