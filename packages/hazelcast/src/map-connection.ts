import { type SessionLogger, SessionStoreUnavailableError } from '@session/core';
import type { ClientConfig, HazelcastJsonValue, IndexConfig } from 'hazelcast-client';
import { type HazelcastClient, startClient } from './client.js';
import { INDEX_VALUES_FIELD, PRINCIPAL_FIELD } from './document.js';
import type { HazelcastSessionMap, SessionMapListener } from './session-map.js';

/** Where the map comes from: exactly one of them. */
export type MapSource =
  | { readonly map: HazelcastSessionMap }
  | { readonly client: HazelcastClient }
  | { readonly clientConfig: ClientConfig };

/** What {@link MapConnection} needs. */
export interface MapConnectionOptions {
  readonly source: MapSource;
  readonly mapName: string;
  readonly connectTimeoutMs: number;
  /** Add the HASH indexes on start. */
  readonly createIndexes: boolean;
  /** Entry listener to register on every (re)start, or `undefined` for none. */
  readonly listener: SessionMapListener<string, HazelcastJsonValue> | undefined;
  readonly logger: SessionLogger;
  /** The error a failed map call surfaces as (the repository's `SessionStoreUnavailableError` mapping). */
  readonly failure: (err: unknown, operation: string) => Error;
}

/**
 * The client and map lifecycle: starts a client when the repository owns one, gets the map, adds
 * the indexes and the entry listener, hands the map to every call, and undoes it all on `close`.
 * A client the repository started that stopped (hazelcast-client shuts down after the connect
 * timeout without a member) is forgotten, so the next call starts a new one instead of failing
 * forever. A client or map given by the caller is never shut down or replaced.
 */
export class MapConnection {
  readonly #options: MapConnectionOptions;
  #map: HazelcastSessionMap | undefined;
  #ownClient: HazelcastClient | undefined;
  #listenerId: string | undefined;
  #starting: Promise<HazelcastSessionMap> | undefined;
  #closed = false;

  constructor(options: MapConnectionOptions) {
    this.#options = options;
    if ('map' in options.source) this.#map = options.source.map;
  }

  /** The started map. Idempotent; a failed start is retried by the next call. */
  ready(): Promise<HazelcastSessionMap> {
    if (this.#closed) return Promise.reject(closedError());
    this.#starting ??= this.#start().catch((err) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  /** Runs one map operation; failures surface through the `failure` mapping. */
  async call<T>(operation: string, run: (map: HazelcastSessionMap) => Promise<T>): Promise<T> {
    const map = await this.ready();
    try {
      return await run(map);
    } catch (err) {
      this.#forgetStoppedClient();
      throw this.#options.failure(err, operation);
    }
  }

  /** Unsubscribes, and shuts down the client if the connection started it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const starting = this.#starting;
    if (starting !== undefined) {
      try {
        await this.#removeListener(await starting);
      } catch {
        // A start that failed left nothing behind.
      }
    }
    await this.#shutdownOwnClient();
  }

  async #start(): Promise<HazelcastSessionMap> {
    const { source, mapName } = this.#options;
    let map = this.#map;
    if (map === undefined) {
      let client: HazelcastClient;
      if ('client' in source) {
        client = source.client;
      } else {
        const config = 'clientConfig' in source ? source.clientConfig : {};
        client = await startClient(config, this.#options.connectTimeoutMs);
        this.#ownClient = client;
      }
      try {
        map = await client.getMap<string, HazelcastJsonValue>(mapName);
      } catch (err) {
        await this.#shutdownOwnClient();
        throw this.#options.failure(err, 'getMap');
      }
    }
    try {
      if (this.#options.createIndexes) await this.#addIndexes(map);
      if (this.#options.listener !== undefined) {
        this.#listenerId = await map.addEntryListener(this.#options.listener, undefined, true);
      }
    } catch (err) {
      await this.#shutdownOwnClient();
      throw this.#options.failure(err, 'start');
    }
    if (this.#closed) {
      // close() ran while starting: undo what this start did.
      await this.#removeListener(map);
      await this.#shutdownOwnClient();
      throw closedError();
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
          `could not add the index on ${index.attributes?.join(',')} to map "${this.#options.mapName}"`,
          err,
        );
      }
    }
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

  /**
   * A client this connection started shuts itself down after `connectTimeoutMs` without a
   * member. Forget it, so the next call starts a new one instead of failing forever.
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

function closedError(): SessionStoreUnavailableError {
  return new SessionStoreUnavailableError('The Hazelcast session repository is closed', { retryable: false });
}
