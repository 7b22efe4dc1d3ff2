import {
  ID_CHANGE_TRAIL_MS,
  InvalidSessionIdError,
  MAX_ID_CHANGE_HOPS,
  type PreparedSave,
  rejectedOutcome,
  type SaveOutcome,
  type SaveRejection,
  type SessionLogger,
  shortSessionId,
  writtenOutcome,
} from '@session/core';
import { HashFormat, hashFromFlat } from './layout/hash-format.js';
import type { RedisKeys } from './layout/keys.js';
import type { ResolvedRedisOptions } from './options.js';
import {
  deleteArgs,
  findArgs,
  moveBackArgs,
  moveOutArgs,
  purgeArgs,
  type ScriptContext,
  saveArgs,
} from './scripts/args.js';
import type { ScriptRunner } from './scripts/runner.js';

/** How long a session may hide under its temp key during a move to another shard. */
const MOVE_LEASE_MS = 60_000;

/** What {@link RedisSessionEngine.read} found. */
export type ReadResult =
  | { readonly state: 'live'; readonly hash: Map<string, string> }
  | { readonly state: 'corrupt'; readonly hash: Map<string, string> }
  | { readonly state: 'absent' }
  | { readonly state: 'expired' };

/** The index part of a save (indexed repositories): what changed, and what the copy loaded. */
export interface IndexWrite {
  /** `{ name: value | false }` as JSON, '' when nothing changed. */
  readonly changes: string;
  /** The index values the saving copy loaded, as JSON (the Spring layout keeps no record). */
  readonly loaded: string;
}

/** What the two repositories share: the layout, the scripts and how each operation drives them. */
export interface EngineSettings {
  readonly options: ResolvedRedisOptions;
  readonly keys: RedisKeys;
  readonly runner: ScriptRunner;
  readonly indexed: boolean;
  readonly isCluster: boolean;
  /** Where a new session is announced: the compact channel, Spring's created-channel prefix, or ''. */
  readonly createdChannel: string;
  /** The compact layout's channel for `deleted`, or ''. */
  readonly eventChannel: string;
  readonly logger: SessionLogger;
}

/**
 * Every session operation as one script on the session's slot: read with touch, save (delta,
 * create, id change, with its index and expiry bookkeeping), delete (following a fresh id
 * change), and removal of corrupt data. On Redis Cluster an id change to another shard is the only
 * multi-step operation: the session hides under a temp key while it moves, so no reader sees half
 * of it and a failed step puts it back.
 */
export class RedisSessionEngine {
  readonly format: HashFormat;
  readonly #settings: EngineSettings;
  readonly #mode: string;

  constructor(settings: EngineSettings) {
    this.#settings = settings;
    const { options, indexed } = settings;
    this.format = new HashFormat(options.layout);
    let mode = options.layout === 'spring' ? 's' : 'c';
    if (indexed) mode += 'i';
    if (indexed && options.keyspaceNotifications) mode += 'm';
    if (indexed && options.layout === 'spring' && options.springExpirationStore === 'sorted-set') mode += 'z';
    this.#mode = mode;
  }

  /** The script context of the shard `id` belongs to. */
  context(id: string): ScriptContext {
    return this.contextOfShard(this.#settings.keys.shardOf(id));
  }

  contextOfShard(shard: number): ScriptContext {
    return { mode: this.#mode, prefix: this.#settings.keys.scriptPrefix(shard) };
  }

  /** Reads a session and records the access (one round trip). */
  async read(id: string, now: number): Promise<ReadResult> {
    const { keys, runner, options } = this.#settings;
    const reply = (await runner.run(
      'find',
      [keys.session(id)],
      findArgs(this.context(id), {
        now,
        id,
        touchThresholdMs: options.touchThresholdMs,
        graceMs: options.expiryGraceMs,
      }),
    )) as [number, string[]?] | null;
    if (reply === null) return { state: 'absent' };
    if (reply[0] === 2) return { state: 'expired' };
    const hash = hashFromFlat(reply[1] ?? []);
    return reply[0] === 1 ? { state: 'live', hash } : { state: 'corrupt', hash };
  }

  /** Applies a prepared save (one round trip, plus WAIT where replicas must acknowledge it). */
  async write(save: PreparedSave<string>, index: IndexWrite | undefined): Promise<SaveOutcome> {
    const { delta } = save;
    const { keys, isCluster } = this.#settings;
    const set: string[] = [];
    for (const [name, text] of save.encoded) set.push(this.format.attributeField(name), text);
    const removed = [...delta.removedAttributes].map((name) => this.format.attributeField(name));
    const moving =
      isCluster &&
      delta.idChanged &&
      !delta.isNew &&
      keys.shardOf(delta.originalId) !== keys.shardOf(delta.id);
    if (moving) return this.#moveToShard(save, set, removed, index);
    const sourceId = delta.isNew ? delta.id : delta.originalId;
    const reply = (await this.#settings.runner.runCommitted(
      'save',
      [keys.session(sourceId)],
      saveArgs(this.context(sourceId), this.#saveScriptArgs(save, sourceId, [], set, removed, index)),
    )) as [number, string?];
    return this.#outcome(reply, save);
  }

  #saveScriptArgs(
    save: PreparedSave<string>,
    sourceId: string,
    seed: readonly string[],
    set: readonly string[],
    removed: readonly string[],
    index: IndexWrite | undefined,
  ) {
    const { delta, now } = save;
    const { options } = this.#settings;
    return {
      now,
      isNew: delta.isNew,
      creationTime: delta.creationTime,
      lastAccessedTime: delta.isNew || delta.lastAccessedTimeChanged ? delta.lastAccessedTime : undefined,
      intervalMs: delta.isNew || delta.maxInactiveIntervalChanged ? delta.maxInactiveIntervalMs : undefined,
      graceMs: options.expiryGraceMs,
      sourceId,
      destinationId: delta.id,
      channel: delta.isNew ? this.#settings.createdChannel : '',
      indexChanges: index?.changes ?? '',
      indexLoaded: index?.loaded ?? '',
      trailMs: ID_CHANGE_TRAIL_MS,
      seed,
      set,
      removed,
    };
  }

  #outcome(reply: [number, string?], save: PreparedSave<string>): SaveOutcome {
    if (reply[0] === 1) return writtenOutcome(save.delta.id);
    if (reply[0] === -1) {
      throw new InvalidSessionIdError('The new session id is already in use (id generator collision)');
    }
    return rejectedOutcome((reply[1] ?? 'deleted') as SaveRejection, save.delta.originalId);
  }

  /**
   * Redis Cluster id change to another shard: RENAME cannot cross slots. Step 1 hides the session
   * under a temp key in its old slot (taking it out of that shard's due and index sets, and leaving
   * the id-change trail), step 2 writes the whole hash plus this save's changes under the new id,
   * step 3 drops the temp key. A failed step 2 puts the session back under the old id.
   */
  async #moveToShard(
    save: PreparedSave<string>,
    set: readonly string[],
    removed: readonly string[],
    index: IndexWrite | undefined,
  ): Promise<SaveOutcome> {
    const { keys, runner } = this.#settings;
    const { delta, now } = save;
    const oldId = delta.originalId;
    const newId = delta.id;
    const out = (await runner.runCommitted(
      'moveOut',
      [keys.session(oldId)],
      moveOutArgs(this.context(oldId), {
        now,
        oldId,
        newId,
        leaseMs: MOVE_LEASE_MS,
        trailMs: ID_CHANGE_TRAIL_MS,
      }),
    )) as [string, string[]?];
    if (out[0] !== 'moved') {
      return rejectedOutcome(out[0] === 'moved-before' ? 'moved' : (out[0] as SaveRejection), oldId);
    }
    let reply: [number, string?];
    try {
      reply = (await runner.runCommitted(
        'save',
        [keys.session(newId)],
        saveArgs(this.context(newId), this.#saveScriptArgs(save, oldId, out[1] ?? [], set, removed, index)),
      )) as [number, string?];
    } catch (err) {
      await this.#moveBack(oldId, now);
      throw err;
    }
    if (reply[0] !== 1) {
      await this.#moveBack(oldId, now);
      return this.#outcome(reply, save);
    }
    let tempGone: boolean;
    try {
      tempGone = (await runner.client.del(keys.moving(oldId))) === 0;
    } catch (err) {
      this.#settings.logger.error(
        `could not drop the temp key of moved session ${shortSessionId(newId)}`,
        err,
      );
      tempGone = false;
    }
    if (tempGone) {
      // Deleted (or its lease ran out) while it moved: the copy under the new id must not outlive it.
      await this.purge(newId);
      return rejectedOutcome('deleted', oldId);
    }
    return writtenOutcome(newId);
  }

  async #moveBack(oldId: string, now: number): Promise<void> {
    const { keys, runner, options } = this.#settings;
    try {
      await runner.runCommitted(
        'moveBack',
        [keys.moving(oldId)],
        moveBackArgs(this.context(oldId), { now, oldId, graceMs: options.expiryGraceMs }),
      );
    } catch (err) {
      this.#settings.logger.error(
        `could not move session ${shortSessionId(oldId)} back after a failed id change`,
        err,
      );
    }
  }

  /**
   * Deletes a session, following an id change made within the id-change trail (so a logout racing
   * the login that rotated the id still wins). Returns the ids deleted with the hash each had.
   */
  async delete(id: string, now: number): Promise<Array<[string, Map<string, string>]>> {
    const { keys, runner } = this.#settings;
    const deleted: Array<[string, Map<string, string>]> = [];
    let current: string | undefined = id;
    for (let hop = 0; current !== undefined && hop <= MAX_ID_CHANGE_HOPS; hop++) {
      const target: string = current;
      const reply = (await runner.runCommitted(
        'delete',
        [keys.session(target)],
        deleteArgs(this.context(target), { now, id: target, channel: this.#settings.eventChannel }),
      )) as [number, (string[] | string)?];
      current = undefined;
      if (reply[0] === 1) deleted.push([target, hashFromFlat((reply[1] as string[] | undefined) ?? [])]);
      else if (reply[0] === 2 && typeof reply[1] === 'string' && reply[1] !== target) current = reply[1];
    }
    return deleted;
  }

  /** Removes a corrupt session with what it is filed under, without an event. */
  async purge(id: string): Promise<void> {
    const { keys, runner } = this.#settings;
    await runner.runCommitted('purge', [keys.session(id)], purgeArgs(this.context(id), { id }));
  }

  /** True while `id`'s id-change trail says it moved moments ago. */
  async movedRecently(id: string): Promise<boolean> {
    return (await this.#settings.runner.client.exists(this.#settings.keys.trail(id))) === 1;
  }
}
