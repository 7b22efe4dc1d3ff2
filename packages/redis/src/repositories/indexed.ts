import {
  IndexedSessionStoreBase,
  type IndexValues,
  indexesMayChange,
  isValidSessionId,
  type MapSession,
  NO_INDEX_VALUES,
  type PreparedSave,
  type RepositoryCapabilities,
  type SaveOutcome,
  type SessionEventKind,
  shortSessionId,
} from '@session/core';
import type { Redis } from 'ioredis';
import { storeError } from '../client.js';
import { RedisSessionEngine } from '../engine.js';
import { type ParsedEvent, parseCompactEvent, parseSpringCreated } from '../events/messages.js';
import { SelfEvents } from '../events/self-events.js';
import { RedisSubscriptions } from '../events/subscriptions.js';
import { type SweepTarget, springCleanup, sweepDueSets } from '../expiration/due-sets.js';
import { Sweeper } from '../expiration/sweeper.js';
import { hashFromFlat } from '../layout/hash-format.js';
import type { RedisKeys } from '../layout/keys.js';
import {
  type RedisClient,
  type RedisIndexedSessionRepositoryOptions,
  type ResolvedRedisOptions,
  resolveRedisOptions,
} from '../options.js';
import { indexLookupArgs, pruneArgs, springDestroyedArgs } from '../scripts/args.js';
import { connect, type RedisConnection } from './connection.js';
import { corruptFields, stateFromHash } from './decode.js';

/** An index set member as an id: bare, or a JSON string (Spring's serializer quotes them). */
function memberId(member: string): string | undefined {
  const id =
    member.length > 1 && member.startsWith('"') && member.endsWith('"') ? member.slice(1, -1) : member;
  return isValidSessionId(id) ? id : undefined;
}

/** `{ name: value | false }` for what changed between two index value maps; '' when nothing did. */
function indexChanges(before: IndexValues, after: IndexValues): string {
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

/**
 * {@link RedisSessionRepository} plus indexes (find every session of a user) and events
 * (`created`, `deleted`, `expired`, `destroyed`), on standalone Redis and Redis Cluster.
 *
 * Compact layout (default):
 * - Index sets (`<ns>:u:<principal>`, `<ns>:i:…`) hold session ids; each hash records the index
 *   values it is filed under, so removal and change are exact. Every save keeps them in the same
 *   script: on Cluster the session, its index entries and its due entry share their shard's slot.
 * - Expiry runs on a due-time sorted set and a sweeper (every `sweepIntervalMs`) that claims due
 *   sessions atomically: exactly one instance deletes each, prunes its index entries and publishes
 *   `expired` with the session. Keyspace notifications are not needed.
 * - Events travel on one pub/sub channel per namespace; an instance delivers its own `created` and
 *   `deleted` at once, whatever the state of its subscription.
 *
 * Spring layout (`layout: 'spring'`, standalone Redis): Spring Session's keys and bookkeeping
 * (shadow keys, its expiration store, its created channel, keyspace notifications for `deleted`
 * and `expired`), so Java and Node instances share sessions and agree on every event. Needs
 * `notify-keyspace-events` with `Egx`, as Spring does.
 */
export class RedisIndexedSessionRepository extends IndexedSessionStoreBase {
  readonly capabilities: RepositoryCapabilities = Object.freeze({
    indexed: true,
    events: true,
    touchesOnRead: true,
  });
  /** The ioredis client in use. */
  readonly client: RedisClient;
  /** The key names this repository uses. */
  readonly keys: RedisKeys;
  readonly #redis: ResolvedRedisOptions;
  readonly #connection: RedisConnection;
  readonly #engine: RedisSessionEngine;
  readonly #spring: boolean;
  /** Index values each session copy loaded, to send only its own index changes. */
  readonly #baselines = new WeakMap<MapSession, IndexValues>();
  readonly #self = new SelfEvents();
  readonly #subscriptions: RedisSubscriptions;
  readonly #sweeper: Sweeper;
  readonly #springCreatedPrefix: string;
  #closing: Promise<void> | undefined;

  constructor(options: RedisIndexedSessionRepositoryOptions = {}) {
    const resolved = resolveRedisOptions(options, true);
    super(resolved, 'Redis');
    this.#redis = resolved;
    this.#spring = resolved.layout === 'spring';
    this.#connection = connect(options, resolved, this.logger);
    this.client = this.#connection.client;
    this.keys = this.#connection.keys;
    const database = options.springDatabase ?? this.#connection.database;
    this.#springCreatedPrefix = this.keys.springCreatedChannel(database);
    this.#engine = new RedisSessionEngine({
      options: resolved,
      keys: this.keys,
      runner: this.#connection.runner,
      indexed: true,
      isCluster: this.#connection.isCluster,
      createdChannel: this.#spring ? this.#springCreatedPrefix : this.keys.channel,
      eventChannel: this.#spring ? '' : this.keys.channel,
      logger: this.logger,
    });
    const keyevents = [`__keyevent@${database}__:expired`];
    if (this.#spring) keyevents.push(`__keyevent@${database}__:del`);
    this.#subscriptions = new RedisSubscriptions(
      this.client,
      {
        channels: this.#spring ? [] : [this.keys.channel],
        patterns: this.#spring ? [`${this.#springCreatedPrefix}*`] : [],
        perNode: this.#spring || resolved.keyspaceNotifications ? keyevents : [],
      },
      (channel, message) => this.#onMessage(channel, message),
      this.logger,
    );
    const target: SweepTarget = {
      engine: this.#engine,
      keys: this.keys,
      runner: this.#connection.runner,
      batch: resolved.sweepBatchSize,
      graceMs: resolved.expiryGraceMs,
      channel: this.keys.channel,
      clock: resolved.clock,
      stopped: () => this.#sweeper.stopped,
    };
    this.#sweeper = new Sweeper(
      async () => {
        await (this.#spring ? springCleanup(target) : sweepDueSets(target));
      },
      resolved.sweepIntervalMs,
      this.logger,
    );
    // The first sweep waits for this instance's own subscription, or its listeners would miss the
    // events of what it expires (after downtime, that can be many sessions).
    void this.#subscriptions.ready.then(
      () => this.#sweeper.start(),
      () => undefined,
    );
    if (this.#spring || resolved.keyspaceNotifications) void this.#checkKeyspaceConfig();
  }

  /**
   * Resolves once this instance receives events (its pub/sub subscriptions are active). While Redis
   * is unreachable it stays pending (the subscription is retried on every reconnect); it rejects
   * only when the repository is closed first. No other operation waits for it.
   */
  ready(): Promise<void> {
    return this.#subscriptions.ready;
  }

  /**
   * Runs one expiry pass now. Compact layout: every due session is claimed (by exactly one
   * instance), deleted, pruned from its indexes and announced with `expired`; returns how many
   * this instance expired. Spring layout: Spring's clean-up job (the `expired` events follow from
   * Redis' keyspace notifications); returns how many due shadow keys were already gone. The timer
   * calls it every `sweepIntervalMs`; call it yourself when that is 0.
   */
  sweepExpiredSessions(): Promise<number> {
    return this.guard('sweep', () =>
      this.#spring ? springCleanup(this.#sweepTarget()) : sweepDueSets(this.#sweepTarget()),
    );
  }

  #sweepTarget(): SweepTarget {
    return {
      engine: this.#engine,
      keys: this.keys,
      runner: this.#connection.runner,
      batch: this.#redis.sweepBatchSize,
      graceMs: this.#redis.expiryGraceMs,
      channel: this.keys.channel,
      clock: this.options.clock,
      stopped: () => false,
    };
  }

  /** Stops the sweeper and subscriptions and closes the connections this repository opened. Idempotent. */
  override close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#sweeper.stop();
      await this.#subscriptions.close();
      await super.close();
      await this.#connection.close();
    })();
    return this.#closing;
  }

  // --- the kernel's store operations ---

  protected async readSession(id: string): Promise<MapSession | null> {
    const found = await this.#engine.read(id, this.options.clock());
    if (found.state === 'absent' || found.state === 'expired') return null;
    const session = await this.#decodeOrDiscard(id, found.hash, found.state === 'corrupt');
    return session;
  }

  protected async writeSession(save: PreparedSave<string>): Promise<SaveOutcome> {
    const { session, delta } = save;
    const baseline = this.#baselines.get(session) ?? NO_INDEX_VALUES;
    let after = baseline;
    let changes = '';
    if (delta.isNew || indexesMayChange(this.options.indexResolver, delta)) {
      after = this.indexValuesOf(session);
      changes = indexChanges(delta.isNew ? NO_INDEX_VALUES : baseline, after);
    }
    const announce = delta.isNew;
    if (announce) this.#self.expect('created', delta.id, save.now);
    let outcome: SaveOutcome;
    try {
      outcome = await this.#engine.write(save, {
        changes,
        loaded: this.#spring && !delta.isNew ? JSON.stringify(baseline) : '',
      });
    } catch (err) {
      if (announce) this.#self.forget('created', delta.id);
      throw err;
    }
    if (outcome.status !== 'written') {
      if (announce) this.#self.forget('created', delta.id);
      return outcome;
    }
    this.#baselines.set(session, after);
    if (announce && this.events.hasListeners('created')) {
      this.events.emit({ type: 'created', sessionId: delta.id, session: this.#detachedCopy(save) });
    }
    return outcome;
  }

  protected async deleteSession(id: string): Promise<void> {
    const now = this.options.clock();
    // Registered before the command: its echo may overtake the reply.
    this.#self.expect('destroyed', id, now);
    let deleted: Array<[string, Map<string, string>]>;
    try {
      deleted = await this.#engine.delete(id, now);
    } finally {
      this.#self.forget('destroyed', id);
    }
    for (const [deletedId, hash] of deleted) {
      // The echo of this delete (and of a followed id change) is ours: skip it when it arrives.
      this.#self.expect('destroyed', deletedId, now);
      this.#emitDestroyed(deletedId, hash, now, 'deleted');
    }
  }

  protected async queryIndex(indexName: string, indexValue: string): Promise<Map<string, MapSession>> {
    const found = new Map<string, MapSession>();
    const now = this.options.clock();
    const shards = this.#spring ? [0] : this.keys.allShards();
    await Promise.all(
      shards.map(async (shard) => {
        const key = this.keys.index(indexName, indexValue, shard);
        const flat = (await this.#connection.runner.run(
          'indexLookup',
          [key],
          indexLookupArgs(this.#engine.contextOfShard(shard)),
        )) as Array<string | string[]>;
        const stale: string[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const member = flat[i] as string;
          const id = memberId(member);
          const hash = hashFromFlat(flat[i + 1] as string[]);
          const session =
            id === undefined || hash.size === 0 ? null : await this.#decodeOrDiscard(id, hash, false);
          if (id === undefined || session === null || session.isExpired(now)) {
            stale.push(member);
            continue;
          }
          const filed = this.#baselines.get(session) ?? NO_INDEX_VALUES;
          if (filed[indexName] !== indexValue) {
            stale.push(member);
            continue;
          }
          found.set(id, session);
        }
        if (stale.length > 0) await this.#prune(key, shard, stale, now);
      }),
    );
    return found;
  }

  protected override lookupMove(id: string): Promise<boolean> {
    return this.#engine.movedRecently(id);
  }

  protected override storeFailure(err: unknown, operation: string): Error {
    return storeError(err, operation);
  }

  // --- helpers ---

  /** Decodes a hash into a session with its index baseline; bad data is removed and reads as absent. */
  async #decodeOrDiscard(
    id: string,
    hash: Map<string, string>,
    corrupt: boolean,
  ): Promise<MapSession | null> {
    try {
      if (corrupt) throw corruptFields(id);
      const state = stateFromHash(id, hash, this.#engine.format, this.codec);
      const session = this.restore(state);
      const hasRecord = Object.keys(state.record).length > 0;
      // Sessions written by Spring carry no record: ask the resolver instead.
      this.#baselines.set(session, hasRecord ? Object.freeze(state.record) : this.indexValuesOf(session));
      return session;
    } catch (err) {
      await this.discardCorrupt(id, err, () => this.#engine.purge(id));
      return null;
    }
  }

  /** Prunes members proven dead (re-checked by the script: a save may have re-filed them since). */
  async #prune(key: string, shard: number, members: string[], now: number): Promise<void> {
    try {
      await this.#connection.runner.run(
        'prune',
        [key],
        pruneArgs(this.#engine.contextOfShard(shard), { now, members }),
      );
    } catch (err) {
      this.logger.warn('could not prune dead ids from a session index', err);
    }
  }

  /** A copy of a just-created session, decoded from what was stored (listeners cannot change the app's). */
  #detachedCopy(save: PreparedSave<string>): MapSession | null {
    try {
      const { delta } = save;
      return this.restore({
        id: delta.id,
        creationTime: delta.creationTime,
        lastAccessedTime: delta.lastAccessedTime,
        maxInactiveIntervalMs: delta.maxInactiveIntervalMs,
        attributes: this.codec.deserializeAll(delta.id, save.encoded),
      });
    } catch {
      return null;
    }
  }

  #emitDestroyed(id: string, hash: Map<string, string>, now: number, kind: 'deleted' | 'expired'): void {
    const type = kind === 'deleted' ? 'deleted' : 'expired';
    if (!this.events.hasListeners(type)) return;
    let session: MapSession | null = null;
    if (hash.size > 0) {
      try {
        session = this.restore(stateFromHash(id, hash, this.#engine.format, this.codec));
      } catch (err) {
        this.logger.error(`session ${type} event: the stored session does not decode`, err);
      }
    }
    // Deleting a session already past due is its expiry (the compact delete script says so too).
    const actual: SessionEventKind =
      kind === 'deleted' && session !== null && !this.#spring && session.isExpired(now) ? 'expired' : type;
    this.events.emit({ type: actual, sessionId: id, session });
  }

  #onMessage(channel: string, message: string): void {
    const now = this.options.clock();
    if (!this.#spring) {
      if (channel === this.keys.channel) {
        const event = parseCompactEvent(message);
        if (event === undefined) {
          this.logger.debug('ignored a malformed session event message');
          return;
        }
        this.#deliver(event, now);
        return;
      }
      // An expiry marker expired (keyspace notifications): sweep now instead of on the next tick.
      if (this.keys.idFromMarker(message) !== undefined) this.#sweeper.wake();
      return;
    }
    if (channel.startsWith(this.#springCreatedPrefix)) {
      const event = parseSpringCreated(channel, this.#springCreatedPrefix, message);
      if (event !== undefined) this.#deliver(event, now);
      return;
    }
    // Spring's shadow key was deleted or expired: the session's `deleted` or `expired` event.
    const id = this.keys.idFromMarker(message);
    if (id === undefined || !isValidSessionId(id)) return;
    const kind = channel.endsWith(':del') ? 'deleted' : 'expired';
    void this.#springDestroyed(id, kind, now);
  }

  #deliver(event: ParsedEvent, now: number): void {
    const echo = event.type === 'created' ? 'created' : 'destroyed';
    if (this.#self.isEcho(echo, event.id, now)) return;
    if (event.type === 'created') {
      if (!this.events.hasListeners('created')) return;
      let session: MapSession | null = null;
      if (event.hash.size > 0) {
        try {
          session = this.restore(stateFromHash(event.id, event.hash, this.#engine.format, this.codec));
        } catch (err) {
          this.logger.error('session created event: the stored session does not decode', err);
        }
      }
      this.events.emit({ type: 'created', sessionId: event.id, session });
      return;
    }
    this.#emitDestroyed(event.id, event.hash, now, event.type);
  }

  /** What every instance does when Spring's shadow key of a session goes: clean up, then the event. */
  async #springDestroyed(id: string, kind: 'deleted' | 'expired', now: number): Promise<void> {
    if (this.#self.isEcho('destroyed', id, now)) return;
    try {
      const flat = (await this.#connection.runner.run(
        'springDestroyed',
        [this.keys.session(id)],
        springDestroyedArgs(this.#engine.contextOfShard(0), { id }),
      )) as string[];
      // A shadow key renamed away by an id change leaves nothing behind: no event.
      if (flat.length === 0) return;
      this.#emitDestroyed(id, hashFromFlat(flat), now, kind);
    } catch (err) {
      this.logger.warn(`could not handle the end of session ${shortSessionId(id)}`, err);
    }
  }

  async #checkKeyspaceConfig(): Promise<void> {
    try {
      await this.#subscriptions.ready;
      const target = this.#connection.isCluster
        ? (this.client as import('ioredis').Cluster).nodes('master')[0]
        : (this.client as Redis);
      if (target === undefined) return;
      const reply = (await target.config('GET', 'notify-keyspace-events')) as string[];
      const value = reply[1] ?? '';
      const all = value.includes('A');
      const needed = this.#spring ? ['E', 'g', 'x'] : ['E', 'x'];
      const missing = needed.filter((flag) => !(value.includes(flag) || (flag !== 'E' && all)));
      if (missing.length > 0) {
        this.logger.warn(
          this.#spring
            ? 'the spring layout needs keyspace notifications, as Spring Session does (notify-keyspace-events "Egx"): without them no `deleted` or `expired` events arrive'
            : 'keyspaceNotifications is on but the server does not publish expired key events (notify-keyspace-events needs "Ex"); expiry still works through the sweeper',
        );
      }
    } catch {
      // CONFIG is often forbidden on managed Redis: nothing to check then.
    }
  }
}
