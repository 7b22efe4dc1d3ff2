import {
  type FindByIndexNameSessionRepository,
  InvalidArgumentError,
  isValidSessionId,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type RepositoryCapabilities,
  SessionEventEmitter,
  type SessionEventKind,
  type SessionEventListener,
  type SessionEventSource,
  type SessionEventType,
} from '@session/core';
import type { Cluster, Redis } from 'ioredis';
import { storeError } from './client.js';
import { HASH_FIELDS, hashFromFlat, parseRecord, recordFromHash } from './mapper.js';
import type { RedisIndexedSessionRepositoryOptions } from './options.js';
import { RedisSessionRepository } from './repository.js';
import { RedisSubscriptions } from './subscriptions.js';
import { Sweeper } from './sweeper.js';

const DEFAULT_GRACE_MS = 5 * 60_000;
const DEFAULT_SWEEP_INTERVAL_MS = 1000;
const DEFAULT_SWEEP_BATCH = 100;
/** A claimed due entry comes due again after this long if its claimer dies (Cluster sweeps). */
const CLAIM_LEASE_MS = 60_000;
/** Script runs per due-set shard in one sweep, so one sweep stays bounded. */
const MAX_ROUNDS_PER_SHARD = 20;
const EVENT_KINDS = new Set<SessionEventKind>(['created', 'deleted', 'expired']);
/** Node timers fire after 1 ms instead when asked for a longer delay than this. */
const MAX_TIMER_MS = 2_147_483_647;

function checkCount(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of at least ${min}, got ${String(value)}`,
    );
  }
  return v;
}

/**
 * {@link RedisSessionRepository} plus indexes (find every session of a user) and events
 * (`created`, `deleted`, `expired`, `destroyed`), on standalone Redis and Redis Cluster.
 *
 * - Index sets `<ns>:index:<indexName>:<value>` hold session ids; each session hash records the
 *   index values it is filed under (field `sessionIndexes`), so removal and change are exact.
 *   On standalone Redis they change inside the same save script; on Cluster right after it.
 * - Expiry runs on a due-time sorted set and a sweeper (every `sweepIntervalMs`) that claims
 *   due sessions atomically: exactly one instance deletes each, prunes its index entries and
 *   publishes `expired`. The hash's own TTL is the due time plus `expiryGraceMs`, so the
 *   `expired` event still carries the session; until swept, a session past due is treated as
 *   expired by its own timestamps.
 * - Events travel over one pub/sub channel per namespace: every instance emits each event once.
 */
export class RedisIndexedSessionRepository
  extends RedisSessionRepository
  implements FindByIndexNameSessionRepository<MapSession>, SessionEventSource<MapSession>
{
  override readonly capabilities: RepositoryCapabilities = {
    indexed: true,
    events: true,
    touchesOnRead: true,
  };
  readonly #emitter: SessionEventEmitter<MapSession>;
  readonly #subscriptions: RedisSubscriptions;
  readonly #sweeper: Sweeper;
  readonly #sweepBatch: number;
  readonly #subscribed: Promise<void>;

  constructor(options: RedisIndexedSessionRepositoryOptions = {}) {
    // Checked before super() opens a client, so a rejected option leaves no connection behind.
    const graceMs = checkCount('expiryGraceMs', options.expiryGraceMs, DEFAULT_GRACE_MS, 0);
    const sweepIntervalMs = checkCount(
      'sweepIntervalMs',
      options.sweepIntervalMs,
      DEFAULT_SWEEP_INTERVAL_MS,
      0,
    );
    if (sweepIntervalMs > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `sweepIntervalMs must be at most ${MAX_TIMER_MS} (Node timers cannot wait longer), got ${sweepIntervalMs}`,
      );
    }
    const sweepBatch = Math.floor(
      checkCount('sweepBatchSize', options.sweepBatchSize, DEFAULT_SWEEP_BATCH, 1),
    );
    super(options, {
      indexed: true,
      events: true,
      graceMs,
      markers: options.keyspaceNotifications === true,
      dueShards: options.dueShards,
    });
    this.#sweepBatch = sweepBatch;
    this.#emitter = new SessionEventEmitter<MapSession>(this.logger);
    this.#sweeper = new Sweeper(
      () => this.sweepExpiredSessions().then(() => undefined),
      sweepIntervalMs,
      this.logger,
    );
    this.#subscriptions = new RedisSubscriptions(
      this.client,
      this.keys.channel,
      this.features.markers,
      {
        onEvent: (message) => this.#onEvent(message),
        onKeyExpired: (key) => {
          if (!key.startsWith(this.scriptKeyPrefix)) return;
          if (this.keys.idFromMarker(key.slice(this.scriptKeyPrefix.length)) !== undefined)
            this.#sweeper.wake();
        },
      },
      this.logger,
    );
    this.#subscribed = this.#subscriptions.ready.catch(() => undefined);
    // The first sweep waits for this instance's own subscription, or its listeners would miss
    // the events of what it expires (after downtime, that can be many sessions).
    void this.#subscribed.then(() => this.#sweeper.start());
    if (this.features.markers) void this.#checkKeyspaceConfig();
  }

  /**
   * Resolves once this instance receives events (its pub/sub subscriptions are active). While
   * Redis is unreachable it stays pending, as the subscription is retried on every reconnect;
   * it rejects only when the repository is closed first.
   */
  ready(): Promise<void> {
    return this.#subscriptions.ready;
  }

  /**
   * Subscribes to `created`, `deleted`, `expired` or `destroyed` (deleted or expired) events of
   * every instance on this namespace; each arrives here once. Returns the unsubscribe function.
   */
  on(type: SessionEventType, listener: SessionEventListener<MapSession>): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Removes a listener added with {@link on}. */
  off(type: SessionEventType, listener: SessionEventListener<MapSession>): void {
    this.#emitter.off(type, listener);
  }

  /** The sessions of one user ("log out my other devices"), by id. See {@link findByIndexNameAndIndexValue}. */
  findByPrincipalName(principalName: string): Promise<Map<string, MapSession>> {
    return this.findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, principalName);
  }

  /**
   * Sessions filed under `indexName` = `indexValue`, by id. Costs one round trip on standalone
   * Redis (SMEMBERS plus each session's hash, in one script) and in proportion to the matching
   * sessions on Cluster. Ids whose session is gone, expired or no longer has that value are
   * pruned from the index on the way. Sessions are not touched.
   */
  async findByIndexNameAndIndexValue(
    indexName: string,
    indexValue: string,
  ): Promise<Map<string, MapSession>> {
    const found = new Map<string, MapSession>();
    if (
      typeof indexName !== 'string' ||
      indexName === '' ||
      typeof indexValue !== 'string' ||
      indexValue === ''
    ) {
      return found;
    }
    const indexKey = this.keys.index(indexName, indexValue);
    const candidates = await this.#indexCandidates(indexKey);
    const now = this.settings.clock();
    const prune: string[] = [];
    for (const [id, hash] of candidates) {
      if (!isValidSessionId(id) || hash.size === 0) {
        prune.push(id);
        continue;
      }
      const session = await this.decodeOrRemove(id, hash);
      if (session === null || session.isExpired(now)) {
        prune.push(id);
        continue;
      }
      // Sessions written by Spring Session carry no record: ask the resolver instead.
      const stored = hash.has(HASH_FIELDS.indexes) ? recordFromHash(hash) : this.indexValuesOf(session);
      if (stored[indexName] !== indexValue) {
        // Names and values may contain ':', so another (name, value) of this session can map to
        // the same set ('a:b'='c' and 'a'='b:c'): that entry is not ours to prune.
        const sharesKey = Object.entries(stored).some(([n, v]) => this.keys.index(n, v) === indexKey);
        if (!sharesKey) prune.push(id);
        continue;
      }
      found.set(id, this.adopt(session, recordFromHash(hash)));
    }
    if (prune.length > 0) {
      try {
        if (this.inline) {
          await this.run(
            'prune',
            [indexKey],
            [
              this.scriptKeyPrefix + this.keys.sessionPrefix,
              this.keys.sessionSuffix,
              this.inlineIndexPrefix(),
              ...prune,
            ],
          );
        } else {
          // Cluster: the set and the hashes live in other slots, so this cannot re-check atomically;
          // an entry a save re-files in between is lost until the session's index changes again.
          await this.client.srem(indexKey, ...prune);
        }
      } catch (err) {
        this.logger.warn('could not prune dead ids from a session index', err);
      }
    }
    return found;
  }

  async #indexCandidates(indexKey: string): Promise<Array<[string, Map<string, string>]>> {
    if (this.inline) {
      const flat = (await this.run(
        'indexLookup',
        [indexKey],
        [this.scriptKeyPrefix + this.keys.sessionPrefix, this.keys.sessionSuffix],
      )) as Array<string | string[]>;
      const out: Array<[string, Map<string, string>]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        out.push([flat[i] as string, hashFromFlat(flat[i + 1] as string[])]);
      return out;
    }
    try {
      const ids = await this.client.smembers(indexKey);
      return await Promise.all(
        ids.map(async (id): Promise<[string, Map<string, string>]> => {
          if (!isValidSessionId(id)) return [id, new Map()];
          const hash = await this.client.hgetall(this.keys.session(id));
          return [id, new Map(Object.entries(hash))];
        }),
      );
    } catch (err) {
      throw storeError(err, 'index lookup');
    }
  }

  /**
   * Runs one sweep now: every due session is claimed (by exactly one instance), deleted, pruned
   * from its indexes and announced with `expired`. Returns how many this instance expired. The
   * timer calls it every `sweepIntervalMs`; call it yourself when that is 0.
   */
  async sweepExpiredSessions(): Promise<number> {
    let expired = 0;
    const shards = this.keys.allDue();
    if (this.inline) {
      for (const due of shards) if (!this.#sweeper.stopped) expired += await this.#sweepStandalone(due);
    } else {
      for (const count of await Promise.all(shards.map((shard) => this.#sweepShard(shard)))) expired += count;
    }
    return expired;
  }

  async #sweepStandalone(due: string): Promise<number> {
    let expired = 0;
    for (let round = 0; round < MAX_ROUNDS_PER_SHARD && !this.#sweeper.stopped; round++) {
      const markers = this.features.markers;
      const reply = (await this.run(
        'sweep',
        [due],
        [
          this.settings.clock(),
          this.#sweepBatch,
          this.scriptKeyPrefix + this.keys.sessionPrefix,
          this.keys.sessionSuffix,
          markers ? this.scriptKeyPrefix + this.keys.markerPrefix : '',
          markers ? this.keys.markerSuffix : '',
          this.inlineIndexPrefix(),
          this.channel,
          this.features.graceMs,
        ],
      )) as [number, number];
      expired += reply[0];
      if (reply[1] < this.#sweepBatch) break;
    }
    return expired;
  }

  /** Cluster: claim on the shard, expire on each session's slot, settle back on the shard. */
  async #sweepShard(shard: string): Promise<number> {
    let expired = 0;
    for (let round = 0; round < MAX_ROUNDS_PER_SHARD && !this.#sweeper.stopped; round++) {
      const now = this.settings.clock();
      const claimed = (await this.run('claim', [shard], [now, this.#sweepBatch, CLAIM_LEASE_MS])) as string[];
      const lease = claimed[0] as string;
      const entries: Array<[string, string]> = [];
      for (let i = 1; i + 1 < claimed.length; i += 2)
        entries.push([claimed[i] as string, claimed[i + 1] as string]);
      const outcomes = await Promise.all(
        entries.map(([id, score]) => this.#expireClaimed(shard, id, score, lease, now)),
      );
      expired += outcomes.filter(Boolean).length;
      if (entries.length < this.#sweepBatch) break;
    }
    return expired;
  }

  async #expireClaimed(
    shard: string,
    id: string,
    score: string,
    lease: string,
    now: number,
  ): Promise<boolean> {
    if (!isValidSessionId(id)) {
      await this.followUp([this.client.zrem(shard, id)]);
      return false;
    }
    const keys = [this.keys.session(id)];
    if (this.features.markers) keys.push(this.keys.marker(id));
    const [state, detail] = (await this.run('expire', keys, [
      now,
      id,
      this.channel,
      this.features.graceMs,
      score,
    ])) as [string, string?];
    if (state === 'alive') {
      await this.followUp([this.run('settle', [shard], [id, lease, detail === '-1' ? '' : (detail ?? '')])]);
      return false;
    }
    const commands: Promise<unknown>[] = [this.client.zrem(shard, id)];
    if (state === 'expired') commands.push(...this.indexChanges(parseRecord(detail), {}, id, id));
    await this.followUp(commands);
    return state === 'expired';
  }

  #onEvent(message: string): void {
    let parsed: { t?: unknown; id?: unknown; h?: unknown } | null;
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      parsed = null;
    }
    // Anyone who can PUBLISH may write here: `null` or `42` parse too, and would throw below
    // inside ioredis' event handler (an uncaught exception).
    if (parsed === null || typeof parsed !== 'object') {
      this.logger.debug('ignored a malformed session event message');
      return;
    }
    const type = parsed.t as SessionEventKind;
    const id = parsed.id;
    if (!EVENT_KINDS.has(type) || !isValidSessionId(id)) return;
    if (!this.#emitter.hasListeners(type)) return;
    let session: MapSession | null = null;
    if (Array.isArray(parsed.h) && parsed.h.length > 0) {
      try {
        session = this.decode(id, hashFromFlat(parsed.h as string[]));
      } catch (err) {
        this.logger.error(`session ${type} event: the stored session does not decode`, err);
      }
    }
    this.#emitter.emit({ type, sessionId: id, session });
  }

  async #checkKeyspaceConfig(): Promise<void> {
    try {
      await this.#subscribed;
      const target = this.isCluster ? (this.client as Cluster).nodes('master')[0] : (this.client as Redis);
      if (target === undefined) return;
      const reply = (await target.config('GET', 'notify-keyspace-events')) as string[];
      const value = reply[1] ?? '';
      const hasExpired = value.includes('E') && (value.includes('x') || value.includes('A'));
      if (!hasExpired) {
        this.logger.warn(
          'keyspaceNotifications is on but the server does not publish expired key events ' +
            '(notify-keyspace-events needs "Ex"); expiry still works through the sweeper',
        );
      }
    } catch {
      // CONFIG is often forbidden on managed Redis: nothing to check then.
    }
  }

  protected override beforePublish(): Promise<void> {
    return this.#subscribed;
  }

  protected override async closeResources(): Promise<void> {
    await this.#sweeper.stop();
    await this.#subscriptions.close();
    this.#emitter.clear();
    await super.closeResources();
  }
}
