import type { SessionLogger } from '@session/core';
import type { Cluster, Redis } from 'ioredis';
import { closeConnection, isClusterClient } from './client.js';
import type { RedisClient } from './options.js';

/** What the subscriptions deliver. */
export interface SubscriptionHandlers {
  /** A message on the repository's event channel. */
  onEvent(message: string): void;
  /** A key expired (keyspace notification), when watching is on. */
  onKeyExpired(key: string): void;
}

/**
 * The repository's pub/sub connections, all duplicated from the app's client and owned (and
 * closed) by the repository:
 *
 * - the event channel: ordinary PUBLISH reaches every node of a cluster, so one subscription
 *   (which ioredis moves to another node if its node fails) hears every instance's events;
 * - optionally `__keyevent@<db>__:expired`: keyspace notifications are local to each node, so on
 *   a cluster every master gets its own subscriber, re-synced whenever the topology changes.
 */
export class RedisSubscriptions {
  readonly ready: Promise<void>;
  readonly #client: RedisClient;
  readonly #handlers: SubscriptionHandlers;
  readonly #logger: SessionLogger;
  readonly #events: RedisClient;
  readonly #keyeventChannel: string | undefined;
  readonly #masterWatchers = new Map<string, Redis>();
  #onTopology: (() => void) | undefined;
  #closed = false;
  #abandon: (err: Error) => void = () => undefined;

  constructor(
    client: RedisClient,
    channel: string,
    watchKeyExpiry: boolean,
    handlers: SubscriptionHandlers,
    logger: SessionLogger,
  ) {
    this.#client = client;
    this.#handlers = handlers;
    this.#logger = logger;
    const cluster = isClusterClient(client);
    const db = cluster ? 0 : ((client as Redis).options.db ?? 0);
    this.#keyeventChannel = watchKeyExpiry ? `__keyevent@${db}__:expired` : undefined;

    this.#events = cluster ? (client as Cluster).duplicate() : (client as Redis).duplicate();
    this.#events.on('error', (err: unknown) =>
      this.#logger.warn('session event subscriber connection error', err),
    );
    this.#events.on('message', (ch: string, message: string) => {
      if (ch === channel) this.#handlers.onEvent(message);
      else if (ch === this.#keyeventChannel) this.#handlers.onKeyExpired(message);
    });
    const channels =
      !cluster && this.#keyeventChannel !== undefined ? [channel, this.#keyeventChannel] : [channel];
    // ioredis resubscribes after a reconnect only to channels whose SUBSCRIBE once succeeded; one
    // that failed (Redis down at startup) is retried on every new connection until it holds.
    // `ready` settles with the first attempt that holds, not the first attempt: while Redis is away
    // it stays pending, and only closing the repository first rejects it.
    let markSubscribed: () => void = () => undefined;
    const subscribed = new Promise<void>((resolve, reject) => {
      markSubscribed = resolve;
      this.#abandon = reject;
    });
    let state: 'pending' | 'active' | 'failed' = 'pending';
    const subscribe = (): Promise<void> => {
      state = 'pending';
      const attempt = this.#events.subscribe(...channels).then(() => undefined);
      attempt.then(
        () => {
          state = 'active';
          markSubscribed();
        },
        () => {
          state = 'failed';
        },
      );
      return attempt;
    };
    subscribe().catch((err: unknown) => {
      if (!this.#closed) this.#logger.warn('session event subscription failed; retrying on reconnect', err);
    });
    this.#events.on('ready', () => {
      if (state !== 'failed' || this.#closed) return;
      subscribe().catch((err: unknown) =>
        this.#logger.warn('session event subscription failed; retrying on reconnect', err),
      );
    });
    const watched =
      cluster && this.#keyeventChannel !== undefined ? this.#watchMasters(client as Cluster) : undefined;
    this.ready = Promise.all([subscribed, watched]).then(() => undefined);
    // `ready` is awaited by whoever needs it; an early failure must not be an unhandled rejection.
    this.ready.catch((err) => {
      // Closing before the subscription held cuts it short: nothing to report then.
      if (!this.#closed) this.#logger.warn('session event subscription failed', err);
    });
  }

  async #watchMasters(cluster: Cluster): Promise<void> {
    if (cluster.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        cluster.once('ready', resolve);
        cluster.once('end', () => reject(new Error('cluster connection ended')));
      });
    }
    this.#onTopology = () => {
      this.#syncMasters(cluster).catch((err) => this.#logger.warn('keyspace watcher resync failed', err));
    };
    cluster.on('refresh', this.#onTopology);
    cluster.on('+node', this.#onTopology);
    cluster.on('-node', this.#onTopology);
    await this.#syncMasters(cluster);
  }

  async #syncMasters(cluster: Cluster): Promise<void> {
    if (this.#closed || this.#keyeventChannel === undefined) return;
    const channel = this.#keyeventChannel;
    const masters = new Map(
      cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]),
    );
    for (const [address, watcher] of this.#masterWatchers) {
      if (!masters.has(address)) {
        this.#masterWatchers.delete(address);
        watcher.disconnect();
      }
    }
    const started: Promise<unknown>[] = [];
    for (const [address, node] of masters) {
      if (this.#masterWatchers.has(address)) continue;
      const watcher = node.duplicate();
      watcher.on('error', (err: unknown) => this.#logger.debug(`keyspace watcher ${address} error`, err));
      watcher.on('message', (ch: string, key: string) => {
        if (ch === channel) this.#handlers.onKeyExpired(key);
      });
      this.#masterWatchers.set(address, watcher);
      started.push(watcher.subscribe(channel));
    }
    await Promise.all(started);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abandon(new Error('the repository was closed before its event subscription held'));
    if (this.#onTopology !== undefined) {
      const cluster = this.#client as Cluster;
      cluster.off('refresh', this.#onTopology);
      cluster.off('+node', this.#onTopology);
      cluster.off('-node', this.#onTopology);
    }
    const events = this.#events;
    await Promise.all([events, ...this.#masterWatchers.values()].map((c) => closeConnection(c)));
    this.#masterWatchers.clear();
  }
}
