import { randomUUID } from 'node:crypto';
import {
  CorruptSessionDataError,
  ID_CHANGE_TRAIL_MS,
  IndexedSessionStoreBase,
  type IndexValues,
  InvalidArgumentError,
  InvalidSessionIdError,
  InvalidStoreConfigError,
  indexesMayChange,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type PreparedSave,
  type RepositoryCapabilities,
  rejectedOutcome,
  resolveMergedIndexValues,
  type SaveOutcome,
  SessionSerializationError,
  SessionStoreUnavailableError,
  shortSessionId,
  writtenOutcome,
} from '@session/core';
import pg from 'pg';
import { EventListener } from './listener.js';
import {
  type PostgresSessionRepositoryOptions,
  type ResolvedPostgresOptions,
  resolvePostgresOptions,
} from './options.js';
import { migrate } from './schema.js';
import { buildStatements, NEVER_EXPIRES, type Statements } from './statements.js';

/** Spring's column widths, used until `ready()` has read the real ones. */
const SPRING_SESSION_ID_LENGTH = 36;
const SPRING_PRINCIPAL_LENGTH = 100;
/** `SPRING_SESSION_ATTRIBUTES.ATTRIBUTE_NAME` and `_INDEXES.INDEX_NAME` are `VARCHAR(200)`. */
const MAX_NAME_LENGTH = 200;
/** Saves that found their row changing under them are retried this often before giving up. */
const MAX_RACE_RETRIES = 3;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One row of a session read: the session's columns repeated per attribute (or once, without one). */
interface SessionRow {
  primary_id: string;
  id?: string;
  creation_time: string;
  last_access_time: string;
  interval_ms: string;
  attribute_name: string | null;
  attribute_bytes: Buffer | null;
}

/** True for text PostgreSQL can store: no NUL character. */
function storable(text: string): boolean {
  return !text.includes('\u0000');
}

/** `MAX_INACTIVE_INTERVAL` (seconds, Spring's `int`) for an interval in ms: rounded up, so Java never expires it early. */
export function intervalSeconds(ms: number): number {
  return ms < 0 ? Math.min(-1, Math.trunc(ms / 1000)) : Math.ceil(ms / 1000);
}

/** `EXPIRY_TIME` (epoch ms) for a session last accessed at `lastAccessedTime`. */
function expiryTime(lastAccessedTime: number, intervalMs: number): string {
  return intervalMs < 0 ? NEVER_EXPIRES : String(lastAccessedTime + intervalMs);
}

/** What a PostgreSQL error says, for messages. */
function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A {@link FindByIndexNameSessionRepository} with events on PostgreSQL, in Spring Session JDBC's
 * tables (`SPRING_SESSION`, `SPRING_SESSION_ATTRIBUTES`) so a Java service can share them.
 *
 * - Every request-path operation is one SQL statement: `findById` reads and touches the session
 *   in one `UPDATE … RETURNING`; `save` writes only the changed attributes, the new id, times and
 *   indexes in one statement that first re-checks the row, so it is atomic, keeps concurrent
 *   changes to other attributes, and never brings back a deleted or expired session.
 * - Principal lookups use Spring's indexed `PRINCIPAL_NAME` column; other indexes (and principals
 *   too long for it) use the indexed `<table>_INDEXES` table.
 * - `changeSessionId` rewrites `SESSION_ID` in place (the row and its attributes keep their
 *   `PRIMARY_ID`) and records the old id in `<table>_ID_CHANGES` for the id-change trail.
 * - Expiry: the indexed `EXPIRY_TIME` column. Each instance sweeps due rows with
 *   `FOR UPDATE SKIP LOCKED` (one instance claims each), deletes them and sends `expired` with
 *   NOTIFY; every instance LISTENs, so every instance gets `created`, `deleted` and `expired` once.
 *
 * ```ts
 * const repository = new PostgresSessionRepository({ connectionString: process.env.DATABASE_URL, createSchema: true });
 * await repository.ready();
 * ```
 */
export class PostgresSessionRepository extends IndexedSessionStoreBase<Buffer> {
  readonly capabilities: RepositoryCapabilities;

  readonly #pg: ResolvedPostgresOptions;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #sql: Statements;
  readonly #listener: EventListener | undefined;
  readonly #ready: Promise<void>;
  /** Settles once the schema step of `ready()` is done; operations wait for it with `createSchema`. */
  readonly #schema: Promise<void>;
  #sessionIdLength = SPRING_SESSION_ID_LENGTH;
  #principalLength = SPRING_PRINCIPAL_LENGTH;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #sweepFailing = false;
  #swept = 0;
  #closed = false;

  constructor(options: PostgresSessionRepositoryOptions) {
    const resolved = resolvePostgresOptions(options);
    super(resolved, 'PostgreSQL');
    this.#pg = resolved;
    if (options.pool !== undefined && options.connectionString !== undefined) {
      throw new InvalidArgumentError(
        'Give PostgresSessionRepository either `pool` or `connectionString`, not both',
      );
    }
    if (options.pool !== undefined) {
      if (typeof (options.pool as { query?: unknown }).query !== 'function') {
        throw new InvalidArgumentError('pool must be a pg Pool');
      }
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else if (typeof options.connectionString === 'string' && options.connectionString !== '') {
      const max = options.maxConnections ?? 10;
      if (!Number.isInteger(max) || max < 1) {
        throw new InvalidArgumentError(`maxConnections must be a positive integer, got ${String(max)}`);
      }
      this.#pool = new pg.Pool({
        connectionString: options.connectionString,
        max,
        connectionTimeoutMillis: 10_000,
      });
      // An idle connection that breaks must not crash the process; the next query reports it.
      this.#pool.on('error', (err) => this.logger.warn('idle PostgreSQL connection failed', err));
      this.#ownsPool = true;
    } else {
      throw new InvalidArgumentError(
        'PostgresSessionRepository needs `pool` (a pg Pool) or `connectionString`',
      );
    }
    this.capabilities = Object.freeze({ indexed: true, events: resolved.events, touchesOnRead: true });
    this.#sql = buildStatements(resolved.tables, resolved.events);
    this.#schema = this.#prepareSchema();
    this.#schema.catch(() => undefined);
    if (resolved.events) {
      const poolOptions = (this.#pool as unknown as { options: pg.ClientConfig }).options;
      this.#listener = new EventListener(
        () => new pg.Client(poolOptions),
        resolved.tables.channel,
        (type, sessionId) => {
          if (!this.#closed) this.events.emit({ type, sessionId, session: null });
        },
        this.logger,
      );
    }
    this.#ready = Promise.all([this.#schema, this.#listener?.ready]).then(() => undefined);
    this.#ready.catch(() => undefined);
    if (resolved.sweepIntervalMs > 0) this.#scheduleSweep();
  }

  /**
   * Resolves when the store is usable: the tables exist (created first with `createSchema`) and,
   * with events, this instance's LISTEN is in place, so it receives every event notified from now
   * on. Rejects with `InvalidStoreConfigError` naming missing tables, or
   * `SessionStoreUnavailableError` when PostgreSQL cannot be reached.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Counters for monitoring and tests: `swept` is how many expired sessions this instance's sweeps removed. */
  stats(): { swept: number } {
    return { swept: this.#swept };
  }

  /** The pool in use (yours, or the one made from `connectionString`). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  /**
   * Runs one expiry sweep now (the timer does this every `sweepIntervalMs`): claims due sessions
   * this instance can lock, deletes them and notifies `expired`. Resolves with how many it removed.
   */
  async sweepExpired(): Promise<number> {
    let removed = 0;
    for (;;) {
      const now = this.options.clock();
      const result = await this.#pool.query(this.#sql.sweep, [
        now,
        this.#pg.sweepBatchSize,
        now - ID_CHANGE_TRAIL_MS,
      ]);
      removed += result.rowCount ?? 0;
      this.#swept += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < this.#pg.sweepBatchSize || this.#closed) return removed;
    }
  }

  /** Stops the sweeper and the listener, drops listeners and ends the pool it created. Idempotent. */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer !== undefined) clearTimeout(this.#sweepTimer);
    await this.#sweeping?.catch(() => undefined);
    await this.#listener?.close();
    await super.close();
    if (this.#ownsPool) await this.#pool.end().catch(() => undefined);
  }

  // --- the kernel's store operations ---

  protected async readSession(id: string): Promise<MapSession | null> {
    if (id.length > this.#sessionIdLength) return null;
    await this.#schemaFirst();
    const result = await this.#pool.query<SessionRow>(this.#sql.read, [id, this.options.clock()]);
    if (result.rows.length === 0) return null;
    return this.#materialize(id, result.rows);
  }

  protected async writeSession(save: PreparedSave<Buffer>): Promise<SaveOutcome> {
    const { delta } = save;
    if (delta.id.length > this.#sessionIdLength) {
      throw new InvalidSessionIdError(
        `Session ids in ${this.#pg.tables.sessions.name} are at most ${this.#sessionIdLength} characters; the id generator made one of ${delta.id.length}`,
      );
    }
    await this.#schemaFirst();
    if (delta.isNew) return this.#insert(save);
    const resolver = this.options.indexResolver;
    if (!indexesMayChange(resolver, delta)) return this.#update(save, undefined);
    const read = resolver.attributes;
    const decided = read?.every((n) => delta.setAttributes.has(n) || delta.removedAttributes.has(n)) === true;
    if (decided) {
      const noneStored = { creationTime: delta.creationTime, names: () => [], read: () => undefined };
      return this.#update(save, resolveMergedIndexValues(resolver, noneStored, delta, this.options.saveMode));
    }
    return this.#updateWithStoredIndexes(save);
  }

  protected async deleteSession(id: string): Promise<void> {
    await this.#schemaFirst();
    const now = this.options.clock();
    await this.#pool.query(this.#sql.delete, [
      id.length > this.#sessionIdLength ? null : id,
      id,
      now,
      now - ID_CHANGE_TRAIL_MS,
    ]);
  }

  protected async queryIndex(indexName: string, indexValue: string): Promise<Map<string, MapSession>> {
    const found = new Map<string, MapSession>();
    if (!storable(indexName) || !storable(indexValue) || indexName.length > MAX_NAME_LENGTH) return found;
    await this.#schemaFirst();
    const now = this.options.clock();
    const byColumn = indexName === PRINCIPAL_NAME_INDEX_NAME && indexValue.length <= this.#principalLength;
    const result = byColumn
      ? await this.#pool.query<SessionRow>(this.#sql.byPrincipalColumn, [indexValue, now])
      : await this.#pool.query<SessionRow>(this.#sql.byIndexTable, [indexName, indexValue, now]);
    let rows: SessionRow[] = [];
    const flush = async () => {
      const first = rows[0];
      if (first === undefined) return;
      const session = await this.#materialize(first.id as string, rows);
      if (session !== null) found.set(session.id, session);
    };
    for (const row of result.rows) {
      if (rows.length > 0 && rows[0]?.primary_id !== row.primary_id) {
        await flush();
        rows = [];
      }
      rows.push(row);
    }
    await flush();
    return found;
  }

  protected override async lookupMove(id: string): Promise<boolean> {
    await this.#schemaFirst();
    const now = this.options.clock();
    const result = await this.#pool.query(this.#sql.movedRecently, [id, now - ID_CHANGE_TRAIL_MS]);
    return (result.rowCount ?? 0) > 0;
  }

  protected override encodeAttribute(name: string, value: unknown): Buffer {
    if (name.length > MAX_NAME_LENGTH) {
      throw new SessionSerializationError(
        name.slice(0, 40),
        `attribute names are at most ${MAX_NAME_LENGTH} characters in ${this.#pg.tables.attributes.name}`,
      );
    }
    if (!storable(name))
      throw new SessionSerializationError(name, 'PostgreSQL cannot store a NUL character in a name');
    return Buffer.from(this.codec.serialize(name, value), 'utf8');
  }

  protected override storeFailure(err: unknown, operation: string): Error {
    if (pgCode(err) === '42P01') {
      return new SessionStoreUnavailableError(
        `PostgreSQL ${operation} failed: the session tables are missing (run migrate() from @session/postgres, or pass createSchema: true): ${(err as Error).message}`,
        { cause: err, retryable: false },
      );
    }
    return super.storeFailure(err, operation);
  }

  // --- saves ---

  async #insert(save: PreparedSave<Buffer>): Promise<SaveOutcome> {
    const { delta, encoded, session } = save;
    const split = this.#splitIndexes(this.indexValuesOf(session));
    const names = [...encoded.keys()];
    const params = [
      randomUUID(),
      delta.id,
      delta.creationTime,
      delta.lastAccessedTime,
      intervalSeconds(delta.maxInactiveIntervalMs),
      expiryTime(delta.lastAccessedTime, delta.maxInactiveIntervalMs),
      split.principal,
      names,
      names.map((n) => encoded.get(n)),
      split.names,
      split.values,
    ];
    try {
      await this.#pool.query(this.#sql.insert, params);
    } catch (err) {
      // A caller-built session reusing a stored id replaces that session outright.
      if (pgCode(err) !== '23505') throw err;
      await this.deleteSession(delta.id);
      await this.#pool.query(this.#sql.insert, params);
    }
    return writtenOutcome(delta.id);
  }

  /** A delta save in one statement; `indexes` undefined leaves the stored index values alone. */
  async #update(
    save: PreparedSave<Buffer>,
    indexes: IndexValues | undefined,
    client: Pick<pg.Pool, 'query'> = this.#pool,
  ): Promise<SaveOutcome> {
    const { delta, encoded } = save;
    const names = [...encoded.keys()];
    const split = indexes === undefined ? undefined : this.#splitIndexes(indexes);
    for (let attempt = 0; ; attempt++) {
      const now = this.options.clock();
      const result = await client.query<{ status: string }>(this.#sql.update, [
        delta.originalId,
        delta.id,
        now,
        delta.lastAccessedTimeChanged ? delta.lastAccessedTime : null,
        delta.maxInactiveIntervalChanged ? delta.maxInactiveIntervalMs : null,
        delta.maxInactiveIntervalChanged ? intervalSeconds(delta.maxInactiveIntervalMs) : null,
        names,
        names.map((n) => encoded.get(n)),
        [...delta.removedAttributes].filter((n) => n.length <= MAX_NAME_LENGTH && storable(n)),
        split !== undefined,
        split?.principal ?? null,
        split?.names ?? [],
        split?.values ?? [],
        delta.originalId,
        now - ID_CHANGE_TRAIL_MS,
        delta.idChanged,
      ]);
      let status = result.rows[0]?.status;
      if (status === 'raced') status = await this.#classify(delta.originalId, client);
      if (status === 'written') return writtenOutcome(delta.id);
      if (status === 'deleted' || status === 'expired' || status === 'moved') {
        return rejectedOutcome(status, delta.originalId);
      }
      // The row changed under the statement and is still live under the id: try again.
      if (attempt + 1 >= MAX_RACE_RETRIES) {
        throw new SessionStoreUnavailableError(
          `PostgreSQL save of session ${shortSessionId(delta.originalId)} kept racing concurrent changes`,
        );
      }
    }
  }

  async #classify(id: string, client: Pick<pg.Pool, 'query'>): Promise<string | undefined> {
    const now = this.options.clock();
    const result = await client.query<{ status: string }>(this.#sql.classify, [
      id,
      id,
      now,
      now - ID_CHANGE_TRAIL_MS,
    ]);
    return result.rows[0]?.status;
  }

  /**
   * A save that changes what the index resolver reads, where the stored session is needed to tell
   * the result (the delta does not set or remove every attribute the resolver reads): one
   * transaction that locks the row, reads those attributes and writes with the merged indexes.
   */
  async #updateWithStoredIndexes(save: PreparedSave<Buffer>): Promise<SaveOutcome> {
    const { delta } = save;
    const resolver = this.options.indexResolver;
    const client = await this.#pool.connect();
    let released = false;
    try {
      await client.query('BEGIN');
      const locked = await client.query<SessionRow>(this.#sql.lockForIndexes, [
        delta.originalId,
        this.options.clock(),
        resolver.attributes === undefined ? null : [...resolver.attributes],
      ]);
      const first = locked.rows[0];
      let indexes: IndexValues | undefined;
      if (first !== undefined) {
        const stored = new Map<string, Buffer>();
        for (const row of locked.rows) {
          if (row.attribute_name !== null && row.attribute_bytes !== null && row.attribute_bytes.length > 0) {
            stored.set(row.attribute_name, row.attribute_bytes);
          }
        }
        indexes = resolveMergedIndexValues(
          resolver,
          {
            creationTime: Number(first.creation_time),
            names: () => stored.keys(),
            read: (name) => this.codec.deserialize(name, utf8.decode(stored.get(name))),
          },
          delta,
          this.options.saveMode,
        );
      }
      const outcome = await this.#update(save, indexes, client);
      await client.query('COMMIT');
      return outcome;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        // A connection that cannot roll back must not go back to the pool.
        released = true;
        client.release(true);
      });
      throw err;
    } finally {
      if (!released) client.release();
    }
  }

  /**
   * Index values as stored: the principal in Spring's `PRINCIPAL_NAME` column when it fits, the
   * rest (and a longer principal) as rows of the index table. Values PostgreSQL cannot store (a NUL
   * character) index nothing.
   */
  #splitIndexes(indexes: IndexValues): { principal: string | null; names: string[]; values: string[] } {
    let principal: string | null = null;
    const names: string[] = [];
    const values: string[] = [];
    for (const [name, value] of Object.entries(indexes)) {
      if (!storable(name) || !storable(value) || name.length > MAX_NAME_LENGTH) {
        this.logger.warn(
          `index ${JSON.stringify(name.slice(0, 40))} has a value PostgreSQL cannot store; not indexed`,
        );
        continue;
      }
      if (name === PRINCIPAL_NAME_INDEX_NAME && value.length <= this.#principalLength) principal = value;
      else {
        names.push(name);
        values.push(value);
      }
    }
    return { principal, names, values };
  }

  // --- reads ---

  /** A session from its rows (one per attribute); unreadable data is logged, removed and read as absent. */
  async #materialize(id: string, rows: SessionRow[]): Promise<MapSession | null> {
    const first = rows[0] as SessionRow;
    try {
      const stored: Array<[string, string]> = [];
      for (const row of rows) {
        if (row.attribute_name === null || row.attribute_bytes === null) continue;
        // Spring writes an empty value for a removed attribute: absent, never an error.
        if (row.attribute_bytes.length === 0) continue;
        let text: string;
        try {
          text = utf8.decode(row.attribute_bytes);
        } catch (err) {
          throw new CorruptSessionDataError(id, `attribute "${row.attribute_name}" is not UTF-8 text`, {
            cause: err,
          });
        }
        stored.push([row.attribute_name, text]);
      }
      return this.restore({
        id,
        creationTime: Number(first.creation_time),
        lastAccessedTime: Number(first.last_access_time),
        maxInactiveIntervalMs: Number(first.interval_ms),
        attributes: this.codec.deserializeAll(id, stored),
      });
    } catch (err) {
      await this.discardCorrupt(id, err, () => this.#pool.query(this.#sql.discard, [first.primary_id]));
      return null;
    }
  }

  // --- schema and sweeper ---

  async #schemaFirst(): Promise<void> {
    if (this.#pg.createSchema) await this.#schema;
  }

  async #prepareSchema(): Promise<void> {
    const { tables } = this.#pg;
    try {
      if (this.#pg.createSchema)
        await migrate(this.#pool, {
          tableName: `${tables.sessions.schema ? `${tables.sessions.schema}.` : ''}${tables.sessions.name}`,
        });
      const wanted = [tables.sessions, tables.attributes, tables.indexes, tables.idChanges];
      const result = await this.#pool.query<{
        table_name: string;
        column_name: string;
        character_maximum_length: number | null;
      }>(this.#sql.columns, [tables.sessions.schema ?? null, wanted.map((t) => t.name)]);
      const present = new Set(result.rows.map((r) => r.table_name));
      const missing = wanted.filter((t) => !present.has(t.name)).map((t) => t.name);
      if (missing.length > 0) {
        throw new InvalidStoreConfigError(
          `PostgreSQL session tables missing: ${missing.join(', ')}. Create them with migrate() from @session/postgres, or pass createSchema: true (?createSchema=true in a store URL)`,
        );
      }
      for (const row of result.rows) {
        if (row.table_name !== tables.sessions.name || row.character_maximum_length === null) continue;
        if (row.column_name === 'session_id') this.#sessionIdLength = row.character_maximum_length;
        if (row.column_name === 'principal_name') this.#principalLength = row.character_maximum_length;
      }
    } catch (err) {
      if (err instanceof InvalidStoreConfigError) throw err;
      throw this.storeFailure(err, 'schema check');
    }
  }

  #scheduleSweep(): void {
    if (this.#closed) return;
    this.#sweepTimer = setTimeout(() => {
      this.#sweeping = this.sweepExpired()
        .then(() => {
          if (this.#sweepFailing) this.logger.info('session expiry sweeps work again');
          this.#sweepFailing = false;
        })
        .catch((err) => {
          if (!this.#sweepFailing && !this.#closed) this.logger.warn('session expiry sweep failed', err);
          this.#sweepFailing = true;
        })
        .finally(() => {
          this.#sweeping = undefined;
          this.#scheduleSweep();
        });
    }, this.#pg.sweepIntervalMs);
    this.#sweepTimer.unref();
  }
}
