import {
  CorruptSessionDataError,
  createDefaultSession,
  enableImmediateFlush,
  InvalidArgumentError,
  InvalidSessionIdError,
  isMapSession,
  isValidSessionId,
  type MapSession,
  type RepositoryCapabilities,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionDelta,
  type SessionLogger,
  type SessionRepository,
  settleImmediateFlush,
} from '@session/core';
import type { Cluster } from 'ioredis';
import { closeConnection, createClient, isClusterClient, isClusterUrl, storeError } from './client.js';
import { RedisKeyLayout } from './keys.js';
import {
  ATTRIBUTE_PREFIX,
  defaultRedisSessionMapper,
  hashFromFlat,
  parseRecord,
  type RedisSessionMapper,
  type RedisSessionMapperContext,
  recordFromHash,
} from './mapper.js';
import { DEFAULT_NAMESPACE, type RedisClient, type RedisSessionRepositoryOptions } from './options.js';
import { defineScripts, queueScript, runScript, type ScriptName } from './scripts.js';
import { keySlot } from './slot.js';

/** How long a session may hide under its temp key during a cross-slot id change before Redis drops it. */
const MOVE_LEASE_MS = 60_000;

/** What the indexed repository switches on in the shared engine. @internal */
export interface RedisRepositoryFeatures {
  indexed: boolean;
  events: boolean;
  /** Hash TTL beyond the due time. */
  graceMs: number;
  /** Expiry marker keys for keyspace notifications. */
  markers: boolean;
  dueShards: number | undefined;
}

const PLAIN: RedisRepositoryFeatures = {
  indexed: false,
  events: false,
  graceMs: 0,
  markers: false,
  dueShards: 1,
};

const flag = (on: boolean): string => (on ? '1' : '0');

/** Interval in whole ms for storage; non-finite and negative values mean "never expires". */
function storedInterval(ms: number): number {
  if (!Number.isFinite(ms)) return -1;
  if (ms < 0) return Math.min(-1, Math.trunc(ms));
  return Math.round(ms);
}

function checkNonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative finite number, got ${String(value)}`);
  }
  return v;
}

/** The result of one save. */
interface SaveOutcome {
  written: boolean;
}

/**
 * Sessions in Redis, one hash per session in Spring Session's layout, through ioredis
 * (standalone or Cluster). The plain repository: no indexes and no events, just the fastest path.
 *
 * - `findById`: one script (one round trip) that reads the hash and refreshes its last access
 *   time and TTL.
 * - `save`: one script that writes only the changed fields, sets the TTL to the exact expiry,
 *   renames the hash on an id change, and writes nothing when the session was deleted or
 *   expired meanwhile.
 * - A session that is created and never saved costs nothing.
 *
 * ```ts
 * const repository = new RedisSessionRepository({ client: new Redis(process.env.REDIS_URL) });
 * ```
 */
export class RedisSessionRepository implements SessionRepository<MapSession> {
  readonly capabilities: RepositoryCapabilities = {
    indexed: false,
    events: false,
    touchesOnRead: true,
  };
  /** The ioredis client in use. */
  readonly client: RedisClient;
  /** The key names this repository uses. */
  readonly keys: RedisKeyLayout;
  protected readonly ownsClient: boolean;
  protected readonly isCluster: boolean;
  protected readonly settings: ResolvedRepositoryOptions<MapSession>;
  protected readonly logger: SessionLogger;
  protected readonly features: RedisRepositoryFeatures;
  /** Standalone Redis: index sets and due set are kept inside the session scripts. */
  protected readonly inline: boolean;
  /** The event channel, or '' when this repository publishes no events. */
  protected readonly channel: string;
  /**
   * The client's ioredis `keyPrefix`: ioredis adds it to the keys it sends, so key names the
   * scripts build themselves must carry it too.
   */
  protected readonly scriptKeyPrefix: string;
  readonly #mapper: RedisSessionMapper;
  readonly #mapperContext: RedisSessionMapperContext;
  readonly #touchThresholdMs: number;
  readonly #waitForReplicas: number | undefined;
  readonly #waitTimeoutMs: number;
  /** Index values each session copy believes are stored, to send only its own index changes. */
  readonly #baselines = new WeakMap<MapSession, Record<string, string>>();
  #closing: Promise<void> | undefined;
  #waitWarned = false;

  /**
   * @param options connection (`client` or `url`) and session options.
   * @param features @internal set by {@link RedisIndexedSessionRepository}.
   */
  constructor(options: RedisSessionRepositoryOptions = {}, features: RedisRepositoryFeatures = PLAIN) {
    this.settings = resolveRepositoryOptions<MapSession>(options, { namespace: DEFAULT_NAMESPACE });
    this.logger = this.settings.logger;
    const namespace = this.settings.namespace;
    if (namespace === '' || /[{}]/.test(namespace)) {
      throw new InvalidArgumentError(
        'namespace must be a non-empty string without "{" or "}" (they mark hash tags)',
      );
    }
    if (options.client !== undefined && options.url !== undefined) {
      throw new InvalidArgumentError('Give either client or url, not both');
    }
    if (options.client !== undefined && typeof options.client?.defineCommand !== 'function') {
      throw new InvalidArgumentError('client must be an ioredis Redis or Cluster instance');
    }
    this.#touchThresholdMs = checkNonNegative('touchThresholdMs', options.touchThresholdMs, 0);
    this.#waitTimeoutMs = Math.ceil(checkNonNegative('waitTimeoutMs', options.waitTimeoutMs, 1000));
    // WAIT with timeout 0 blocks forever: every save would hang while a replica is away.
    if (this.#waitTimeoutMs < 1) {
      throw new InvalidArgumentError(
        `waitTimeoutMs must be at least 1 (WAIT 0 would block forever), got ${String(options.waitTimeoutMs)}`,
      );
    }
    if (
      options.waitForReplicas !== undefined &&
      !(Number.isInteger(options.waitForReplicas) && options.waitForReplicas >= 0)
    ) {
      throw new InvalidArgumentError(
        `waitForReplicas must be a non-negative integer, got ${String(options.waitForReplicas)}`,
      );
    }
    this.#waitForReplicas = options.waitForReplicas;
    this.#mapper = options.sessionMapper ?? defaultRedisSessionMapper;
    if (typeof this.#mapper !== 'function')
      throw new InvalidArgumentError('sessionMapper must be a function');

    // Every option is checked before a client is opened: a constructor that throws must leave no
    // connection behind (it would keep retrying and the process alive).
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.isCluster = options.client !== undefined ? isClusterClient(options.client) : isClusterUrl(url);
    if (this.isCluster && options.hashTags === false) {
      throw new InvalidArgumentError(
        'hashTags cannot be turned off on Redis Cluster: a session must live in one slot',
      );
    }
    const dueShards = features.dueShards ?? (this.isCluster ? 16 : 1);
    if (!Number.isInteger(dueShards) || dueShards < 1 || dueShards > 1024) {
      throw new InvalidArgumentError(`dueShards must be an integer from 1 to 1024, got ${String(dueShards)}`);
    }

    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createClient(url, options.redisOptions);
    if (this.ownsClient) {
      // Our own client: a connection problem surfaces in the failing call, not as an unhandled event.
      this.client.on('error', (err: unknown) => this.logger.debug('redis client error', err));
    }
    this.features = { ...features, dueShards };
    this.keys = new RedisKeyLayout(namespace, this.isCluster || options.hashTags === true, dueShards);
    this.inline = !this.isCluster;
    this.channel = features.events ? this.keys.channel : '';
    const clientOptions = (
      this.client as { options?: { keyPrefix?: string; redisOptions?: { keyPrefix?: string } } }
    ).options;
    this.scriptKeyPrefix = clientOptions?.keyPrefix ?? clientOptions?.redisOptions?.keyPrefix ?? '';
    this.#mapperContext = {
      serializer: this.settings.serializer,
      saveMode: this.settings.saveMode,
      idGenerator: this.settings.idGenerator,
    };
    defineScripts(this.client);
  }

  /** A new session with the repository's defaults. Nothing is stored (and no command sent) until `save`. */
  async createSession(): Promise<MapSession> {
    const session = createDefaultSession(this.settings);
    return this.adopt(session, {});
  }

  /**
   * The session, or `null` when absent, expired, corrupt (then it is removed and logged) or the
   * id is malformed (then Redis is not asked). One round trip that also refreshes the session's
   * last access time and TTL.
   */
  async findById(id: string): Promise<MapSession | null> {
    if (!isValidSessionId(id)) return null;
    const keys = [this.keys.session(id)];
    const due = this.features.indexed && this.inline;
    if (due) keys.push(this.keys.due(id));
    if (this.features.markers) keys.push(this.keys.marker(id));
    const args = [
      this.settings.clock(),
      this.#touchThresholdMs,
      this.features.graceMs,
      id,
      flag(due),
      flag(this.features.markers),
    ];
    const reply = (await this.run('find', keys, args)) as [number, string[]?] | null;
    if (reply === null || reply[0] === 2) return null;
    const hash = hashFromFlat(reply[1] ?? []);
    if (reply[0] === 0) {
      await this.removeCorrupt(
        id,
        new CorruptSessionDataError(
          id,
          'stored session lacks creationTime, lastAccessedTime or maxInactiveInterval',
        ),
      );
      return null;
    }
    const session = await this.decodeOrRemove(id, hash);
    return session === null ? null : this.adopt(session, recordFromHash(hash));
  }

  /**
   * Writes what changed (one round trip; with `waitForReplicas`, WAIT rides in the same one).
   * A session deleted or expired meanwhile is not brought back: then nothing is written.
   * Throws `SessionSerializationError` (before anything is sent) for unstorable values.
   */
  async save(session: MapSession): Promise<void> {
    if (!isMapSession(session)) {
      throw new InvalidArgumentError('Redis repositories save sessions they created or loaded (MapSession)');
    }
    if (this.settings.flushMode === 'immediate') await settleImmediateFlush(session);
    await this.write(session);
  }

  /** Removes the session. A malformed id is ignored without asking Redis. */
  async deleteById(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    if (this.channel !== '') await this.beforePublish();
    const keys = [this.keys.session(id)];
    const due = this.features.indexed && this.inline;
    if (due) keys.push(this.keys.due(id));
    if (this.features.markers) keys.push(this.keys.marker(id));
    if (this.isCluster) keys.push(this.keys.moving(id));
    const indexPrefix = this.inlineIndexPrefix();
    const args = [
      this.settings.clock(),
      id,
      this.channel,
      indexPrefix,
      flag(due),
      flag(this.features.markers),
      flag(this.isCluster),
    ];
    const reply = (await this.runCommitted('delete', keys, args)) as [number, string?];
    if (reply[0] === 1 && this.features.indexed && !this.inline) {
      await this.followUp([
        ...this.indexChanges(parseRecord(reply[1]), {}, id, id),
        this.client.zrem(this.keys.due(id), id),
      ]);
    }
  }

  /** Stops background work and closes the connections this repository opened. Never closes a client it was given. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.closeResources();
    return this.#closing;
  }

  /** Closes what the repository owns; subclasses stop their own work first. */
  protected async closeResources(): Promise<void> {
    if (this.ownsClient) await closeConnection(this.client);
  }

  /** The index key prefix for scripts that keep index sets themselves (standalone), else ''. */
  protected inlineIndexPrefix(): string {
    return this.features.indexed && this.inline ? this.scriptKeyPrefix + this.keys.indexPrefix : '';
  }

  /** Resolves when events this instance publishes will also reach its own listeners. */
  protected beforePublish(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs a script, turning client failures into `SessionStoreUnavailableError`. */
  protected async run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await runScript(this.client, name, keys, args);
    } catch (err) {
      throw storeError(err, name);
    }
  }

  /** Runs a write script followed by WAIT in the same round trip when replicas must acknowledge. */
  protected async runCommitted(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const replicas = this.#replicasToWait(keys[0] as string);
    if (replicas === 0) return this.run(name, keys, args);
    let results: [Error | null, unknown][] | null;
    try {
      const pipeline = this.client.pipeline();
      queueScript(pipeline, name, keys, args);
      pipeline.wait(replicas, this.#waitTimeoutMs);
      results = await pipeline.exec();
    } catch (err) {
      throw storeError(err, name);
    }
    const [scriptResult, waitResult] = results ?? [];
    if (scriptResult === undefined || scriptResult[0])
      throw storeError(scriptResult?.[0] ?? 'no reply', name);
    if (waitResult === undefined || waitResult[0] || Number(waitResult[1]) < replicas) {
      if (!this.#waitWarned) {
        this.#waitWarned = true;
        this.logger.warn(
          `WAIT ${replicas} timed out after ${this.#waitTimeoutMs} ms: a write was not yet on a replica ` +
            '(set waitForReplicas: 0 if the deployment has no replicas)',
          waitResult?.[0] ?? waitResult?.[1],
        );
      }
    }
    return scriptResult[1];
  }

  /**
   * Explicit `waitForReplicas`, else on Cluster 1 when the master serving the key has a replica
   * (as of the client's last topology refresh: a master promoted by a failover has none yet).
   */
  #replicasToWait(key: string): number {
    if (this.#waitForReplicas !== undefined) return this.#waitForReplicas;
    if (!this.isCluster) return 0;
    const owners = (this.client as Cluster).slots[keySlot(key)];
    return owners !== undefined && owners.length > 1 ? 1 : 0;
  }

  /** Applies the mapper; a session it rejects is logged and removed, and `null` returned. */
  protected async decodeOrRemove(id: string, hash: ReadonlyMap<string, string>): Promise<MapSession | null> {
    try {
      return this.decode(id, hash);
    } catch (err) {
      await this.removeCorrupt(id, err);
      return null;
    }
  }

  /** Applies the mapper; throws `CorruptSessionDataError` for unusable hashes. */
  protected decode(id: string, hash: ReadonlyMap<string, string>): MapSession {
    try {
      const session = this.#mapper(id, hash, this.#mapperContext);
      if (!isMapSession(session)) throw new TypeError('sessionMapper must return a MapSession');
      return session;
    } catch (err) {
      if (err instanceof CorruptSessionDataError) throw err;
      throw new CorruptSessionDataError(
        id,
        `stored session does not decode: ${(err as Error)?.message ?? err}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Logs a corrupt session and removes it (and its index entries), without an event. */
  protected async removeCorrupt(id: string, err: unknown): Promise<void> {
    this.logger.error(`corrupt session ${id.slice(0, 6)}… removed`, err);
    try {
      const keys = [this.keys.session(id)];
      const due = this.features.indexed && this.inline;
      if (due) keys.push(this.keys.due(id));
      if (this.features.markers) keys.push(this.keys.marker(id));
      const indexPrefix = this.inlineIndexPrefix();
      const record = (await this.run('purge', keys, [
        id,
        indexPrefix,
        flag(due),
        flag(this.features.markers),
      ])) as string;
      if (this.features.indexed && !this.inline) {
        await this.followUp([
          ...this.indexChanges(parseRecord(record), {}, id, id),
          this.client.zrem(this.keys.due(id), id),
        ]);
      }
    } catch (removeError) {
      this.logger.warn(`could not remove corrupt session ${id.slice(0, 6)}…`, removeError);
    }
  }

  /** Registers a loaded or new session: its index baseline and, for immediate flush, its writer. */
  protected adopt(session: MapSession, storedRecord: Record<string, string>): MapSession {
    if (this.features.indexed) this.#baselines.set(session, storedRecord);
    if (this.settings.flushMode === 'immediate') {
      enableImmediateFlush(session, (s) => this.write(s), this.logger);
    }
    return session;
  }

  /** The index values `session` has now, as the resolver computes them (strings only). */
  protected indexValuesOf(session: MapSession): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.settings.indexResolver.resolveIndexesFor(session))) {
      if (typeof value === 'string' && value !== '') out[name] = value;
    }
    return out;
  }

  /** SREM/SADD commands that move index entries from `before` (under `fromId`) to `after` (under `toId`). */
  protected indexChanges(
    before: Record<string, string>,
    after: Record<string, string>,
    fromId: string,
    toId: string,
  ): Promise<unknown>[] {
    const moved = fromId !== toId;
    const commands: Promise<unknown>[] = [];
    for (const [name, value] of Object.entries(before)) {
      if (moved || after[name] !== value)
        commands.push(this.client.srem(this.keys.index(name, value), fromId));
    }
    for (const [name, value] of Object.entries(after)) {
      if (moved || before[name] !== value)
        commands.push(this.client.sadd(this.keys.index(name, value), toId));
    }
    return commands;
  }

  /**
   * Runs the index and due-set updates that follow a committed cluster write. The session itself
   * is already safe; a failure here only leaves entries that reads and sweeps repair, so it is
   * logged, not thrown.
   */
  protected async followUp(commands: Promise<unknown>[]): Promise<void> {
    const results = await Promise.allSettled(commands);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.error('session index or due-time update failed', result.reason);
    }
  }

  /** Writes the session's delta. Used by `save` and by immediate flush. */
  protected async write(session: MapSession): Promise<void> {
    const delta = session.getDelta();
    if (!delta.hasChanges) return;
    if (!isValidSessionId(delta.id) || !isValidSessionId(delta.originalId)) {
      throw new InvalidSessionIdError('The session carries a malformed id; it was not saved');
    }
    const serializer = this.settings.serializer;
    const pairs: string[] = [];
    for (const [name, value] of delta.setAttributes)
      pairs.push(ATTRIBUTE_PREFIX + name, serializer.serialize(value, name));
    const removed = [...delta.removedAttributes].map((name) => ATTRIBUTE_PREFIX + name);
    let indexDelta = '';
    let indexNow: Record<string, string> | undefined;
    if (this.features.indexed) {
      indexNow = this.indexValuesOf(session);
      indexDelta = this.#indexDelta(this.#baselines.get(session) ?? {}, indexNow);
    }
    if (delta.isNew && this.channel !== '') await this.beforePublish();
    const outcome =
      delta.idChanged && !delta.isNew && this.isCluster
        ? await this.#moveAcrossSlots(delta, pairs, removed, indexDelta)
        : await this.#saveInPlace(delta, pairs, removed, indexDelta);
    if (!outcome.written) {
      this.logger.debug(
        `session ${delta.originalId.slice(0, 6)}… was deleted or expired meanwhile; not saved`,
      );
      return;
    }
    session.markSaved(delta);
    if (indexNow !== undefined) this.#baselines.set(session, indexNow);
  }

  /** `{ name: value | false }` for the index values this copy changed; '' when none. */
  #indexDelta(before: Record<string, string>, after: Record<string, string>): string {
    const changes: Record<string, string | false> = {};
    let changed = false;
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[name] !== after[name]) {
        changes[name] = after[name] ?? false;
        changed = true;
      }
    }
    return changed ? JSON.stringify(changes) : '';
  }

  #saveArgs(
    delta: SessionDelta,
    srcId: string,
    dstId: string,
    due: boolean,
    indexPrefix: string,
    indexDelta: string,
    seed: readonly string[],
    pairs: readonly string[],
    removed: readonly string[],
  ): (string | number)[] {
    return [
      this.settings.clock(),
      flag(delta.isNew),
      delta.creationTime,
      delta.isNew || delta.lastAccessedTimeChanged ? delta.lastAccessedTime : '',
      delta.isNew || delta.maxInactiveIntervalChanged ? storedInterval(delta.maxInactiveIntervalMs) : '',
      this.features.graceMs,
      srcId,
      dstId,
      flag(due),
      flag(this.features.markers),
      delta.isNew ? this.channel : '',
      indexPrefix,
      indexDelta,
      seed.length / 2,
      ...seed,
      pairs.length / 2,
      ...pairs,
      removed.length,
      ...removed,
    ];
  }

  async #saveInPlace(
    delta: SessionDelta,
    pairs: readonly string[],
    removed: readonly string[],
    indexDelta: string,
  ): Promise<SaveOutcome> {
    // A new session is written under its current id; an id change before the first save is no move.
    const srcId = delta.isNew ? delta.id : delta.originalId;
    const dstId = delta.id;
    const due = this.features.indexed && this.inline;
    const keys = [this.keys.session(srcId), this.keys.session(dstId)];
    if (due) keys.push(this.keys.due(srcId), this.keys.due(dstId));
    if (this.features.markers) keys.push(this.keys.marker(srcId), this.keys.marker(dstId));
    const indexPrefix = this.inlineIndexPrefix();
    const args = this.#saveArgs(delta, srcId, dstId, due, indexPrefix, indexDelta, [], pairs, removed);
    const reply = (await this.runCommitted('save', keys, args)) as [number, string?, string?, string?];
    if (reply[0] === -1)
      throw new InvalidSessionIdError('The new session id is already in use (id generator collision)');
    if (reply[0] !== 1) return { written: false };
    if (this.features.indexed && !this.inline) {
      await this.#clusterFollowUp(delta, srcId, dstId, reply);
    }
    return { written: true };
  }

  /**
   * Redis Cluster id change: the old and new keys live in different slots, so RENAME cannot
   * move the hash. Step 1 hides the session under a temp key in its old slot (readers now see no
   * session, never half of one), step 2 writes the whole hash plus this save's changes under the
   * new id, step 3 drops the temp key. A failed step 2 puts the session back under the old id.
   */
  async #moveAcrossSlots(
    delta: SessionDelta,
    pairs: readonly string[],
    removed: readonly string[],
    indexDelta: string,
  ): Promise<SaveOutcome> {
    const oldId = delta.originalId;
    const newId = delta.id;
    const temp = this.keys.moving(oldId);
    const outKeys = [this.keys.session(oldId), temp];
    if (this.features.markers) outKeys.push(this.keys.marker(oldId));
    const seed = (await this.run('moveOut', outKeys, [this.settings.clock(), MOVE_LEASE_MS])) as
      | string[]
      | null;
    if (seed === null) return { written: false };
    let reply: [number, string?, string?, string?];
    try {
      const inKeys = [this.keys.session(newId), this.keys.session(newId)];
      if (this.features.markers) inKeys.push(this.keys.marker(newId), this.keys.marker(newId));
      const args = this.#saveArgs(delta, oldId, newId, false, '', indexDelta, seed, pairs, removed);
      reply = (await this.runCommitted('save', inKeys, args)) as typeof reply;
    } catch (err) {
      await this.#restoreMove(oldId, temp);
      throw err;
    }
    if (reply[0] !== 1) {
      await this.#restoreMove(oldId, temp);
      if (reply[0] === -1)
        throw new InvalidSessionIdError('The new session id is already in use (id generator collision)');
      return { written: false };
    }
    let tempGone: boolean;
    try {
      tempGone = (await this.client.del(temp)) === 0;
    } catch (err) {
      this.logger.error(`could not drop the temp key of a moved session ${newId.slice(0, 6)}…`, err);
      tempGone = false;
    }
    if (tempGone) {
      // Deleted (or its lease ran out) while it moved: the copy under the new id must not outlive
      // the delete. Nothing was filed for the new id yet.
      const keys = [this.keys.session(newId)];
      if (this.features.markers) keys.push(this.keys.marker(newId));
      await this.run('purge', keys, [newId, '', '0', flag(this.features.markers)]);
      return { written: false };
    }
    if (this.features.indexed) await this.#clusterFollowUp(delta, oldId, newId, reply);
    return { written: true };
  }

  async #restoreMove(oldId: string, temp: string): Promise<void> {
    try {
      const keys = [temp, this.keys.session(oldId)];
      if (this.features.markers) keys.push(this.keys.marker(oldId));
      await this.run('moveBack', keys, [this.settings.clock(), this.features.graceMs]);
    } catch (err) {
      this.logger.error(`could not move session ${oldId.slice(0, 6)}… back after a failed id change`, err);
    }
  }

  /** On Cluster, index sets and due-time shards are updated after the session's own script. */
  async #clusterFollowUp(
    delta: SessionDelta,
    srcId: string,
    dstId: string,
    reply: [number, string?, string?, string?],
    also: Promise<unknown>[] = [],
  ): Promise<void> {
    const commands = [
      ...also,
      ...this.indexChanges(parseRecord(reply[1]), parseRecord(reply[2]), srcId, dstId),
    ];
    // Touches on Cluster leave due times early; the sweeper re-files those. Anything that can
    // move the due time earlier (new, id, interval or last-access changes) files it now.
    if (delta.isNew || srcId !== dstId || delta.maxInactiveIntervalChanged || delta.lastAccessedTimeChanged) {
      if (srcId !== dstId) commands.push(this.client.zrem(this.keys.due(srcId), srcId));
      const dueAt = Number(reply[3]);
      commands.push(
        dueAt < 0
          ? this.client.zrem(this.keys.due(dstId), dstId)
          : this.client.zadd(this.keys.due(dstId), dueAt, dstId),
      );
    }
    await this.followUp(commands);
  }
}
