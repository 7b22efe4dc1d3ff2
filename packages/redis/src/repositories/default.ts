import {
  type MapSession,
  type PreparedSave,
  type RepositoryCapabilities,
  type SaveOutcome,
  SessionStoreBase,
} from '@session/core';
import { storeError } from '../client.js';
import { RedisSessionEngine } from '../engine.js';
import type { RedisKeys } from '../layout/keys.js';
import { type RedisClient, type RedisSessionRepositoryOptions, resolveRedisOptions } from '../options.js';
import { connect, type RedisConnection } from './connection.js';
import { corruptFields, stateFromHash } from './decode.js';

/**
 * Sessions in Redis through ioredis, standalone or Redis Cluster: the plain repository, with no
 * indexes and no events, the fastest path.
 *
 * - `findById`: one script (one round trip) that reads the hash and records the access.
 * - `save`: one script that writes only the changed fields, renames the hash on an id change,
 *   sets the TTL only when the session's timing changed, and writes nothing when the session was
 *   deleted, expired or moved meanwhile (the outcome says which).
 * - A session that is created and never saved costs nothing.
 *
 * ```ts
 * const repository = new RedisSessionRepository({ client: new Redis(process.env.REDIS_URL) });
 * ```
 */
export class RedisSessionRepository extends SessionStoreBase {
  readonly capabilities: RepositoryCapabilities = Object.freeze({
    indexed: false,
    events: false,
    touchesOnRead: true,
  });
  /** The ioredis client in use. */
  readonly client: RedisClient;
  /** The key names this repository uses. */
  readonly keys: RedisKeys;
  readonly #connection: RedisConnection;
  readonly #engine: RedisSessionEngine;
  #closing: Promise<void> | undefined;

  constructor(options: RedisSessionRepositoryOptions = {}) {
    const resolved = resolveRedisOptions(options, false);
    super(resolved, 'Redis');
    this.#connection = connect(options, resolved, this.logger);
    this.client = this.#connection.client;
    this.keys = this.#connection.keys;
    this.#engine = new RedisSessionEngine({
      options: resolved,
      keys: this.keys,
      runner: this.#connection.runner,
      indexed: false,
      isCluster: this.#connection.isCluster,
      createdChannel: '',
      eventChannel: '',
      logger: this.logger,
    });
  }

  /** Stops background work and closes the connections this repository opened (never a client it was given). Idempotent. */
  override close(): Promise<void> {
    this.#closing ??= this.#connection.close();
    return this.#closing;
  }

  protected async readSession(id: string): Promise<MapSession | null> {
    const found = await this.#engine.read(id, this.options.clock());
    if (found.state === 'absent' || found.state === 'expired') return null;
    try {
      if (found.state === 'corrupt') throw corruptFields(id);
      return this.restore(stateFromHash(id, found.hash, this.#engine.format, this.codec));
    } catch (err) {
      await this.discardCorrupt(id, err, () => this.#engine.purge(id));
      return null;
    }
  }

  protected writeSession(save: PreparedSave<string>): Promise<SaveOutcome> {
    return this.#engine.write(save, undefined);
  }

  protected async deleteSession(id: string): Promise<void> {
    await this.#engine.delete(id, this.options.clock());
  }

  protected override lookupMove(id: string): Promise<boolean> {
    return this.#engine.movedRecently(id);
  }

  protected override storeFailure(err: unknown, operation: string): Error {
    return storeError(err, operation);
  }
}
