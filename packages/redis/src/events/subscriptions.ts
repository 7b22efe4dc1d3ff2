import type { SessionLogger } from '@session/core';
import type { Cluster, Redis } from 'ioredis';
import { closeConnection, isClusterClient } from '../client.js';
import type { RedisClient } from '../options.js';

/** What to listen to. */
export interface SubscriptionTargets {
  /** Channels published with ordinary PUBLISH (reaches every node of a cluster). */
  readonly channels: readonly string[];
  /** Channel patterns (PSUBSCRIBE). */
  readonly patterns: readonly string[];
  /**
   * A keyspace-notification channel (`__keyevent@<db>__:…`). Notifications stay on the node that
   * raised them, so on a cluster every master gets its own subscriber, re-synced with the topology.
   */
  readonly perNode: readonly string[];
}

/** Receives every message, whatever connection it came in on. */
export type MessageHandler = (channel: string, message: string) => void;

/**
 * The repository's pub/sub connections, duplicated from the app's client and owned (and closed)
 * by the repository. A subscription that fails (Redis down at start) is retried on every
 * reconnect; {@link ready} settles with the first one that holds, and rejects only when closed first.
 */
export class RedisSubscriptions {
  readonly ready: Promise<void>;
  readonly #client: RedisClient;
  readonly #onMessage: MessageHandler;
  readonly #logger: SessionLogger;
  readonly #main: RedisClient;
  readonly #perNode: readonly string[];
  readonly #nodeWatchers = new Map<string, Redis>();
  #onTopology: (() => void) | undefined;
  #closed = false;
  #abandon: (err: Error) => void = () => undefined;

  constructor(
    client: RedisClient,
    targets: SubscriptionTargets,
    onMessage: MessageHandler,
    logger: SessionLogger,
  ) {
    this.#client = client;
    this.#onMessage = onMessage;
    this.#logger = logger;
    const cluster = isClusterClient(client);
    // Keyspace notifications of a standalone server arrive on the main subscriber.
    const channels = cluster ? targets.channels : [...targets.channels, ...targets.perNode];
    this.#perNode = cluster ? targets.perNode : [];

    this.#main = cluster ? (client as Cluster).duplicate() : (client as Redis).duplicate();
    this.#main.on('error', (err: unknown) =>
      this.#logger.warn('session event subscriber connection error', err),
    );
    this.#main.on('message', (channel: string, message: string) => this.#deliver(channel, message));
    this.#main.on('pmessage', (_pattern: string, channel: string, message: string) =>
      this.#deliver(channel, message),
    );

    let markSubscribed: () => void = () => undefined;
    const subscribed = new Promise<void>((resolve, reject) => {
      markSubscribed = resolve;
      this.#abandon = reject;
    });
    let state: 'pending' | 'active' | 'failed' = 'pending';
    const subscribe = (): Promise<void> => {
      state = 'pending';
      const attempt = Promise.all([
        channels.length > 0 ? this.#main.subscribe(...channels) : undefined,
        targets.patterns.length > 0 ? this.#main.psubscribe(...targets.patterns) : undefined,
      ]).then(() => undefined);
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
    // ioredis resubscribes after a reconnect only to channels whose SUBSCRIBE once succeeded.
    subscribe().catch((err: unknown) => {
      if (!this.#closed) this.#logger.warn('session event subscription failed; retrying on reconnect', err);
    });
    this.#main.on('ready', () => {
      if (state !== 'failed' || this.#closed) return;
      subscribe().catch((err: unknown) =>
        this.#logger.warn('session event subscription failed; retrying on reconnect', err),
      );
    });
    const watched = this.#perNode.length > 0 ? this.#watchMasters(client as Cluster) : undefined;
    this.ready = Promise.all([subscribed, watched]).then(() => undefined);
    // Awaited by whoever needs it; an early failure must not be an unhandled rejection.
    this.ready.catch((err) => {
      if (!this.#closed) this.#logger.warn('session event subscription failed', err);
    });
  }

  #deliver(channel: string, message: string): void {
    try {
      this.#onMessage(channel, message);
    } catch (err) {
      this.#logger.error('handling a session event message failed', err);
    }
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
    if (this.#closed) return;
    const masters = new Map(
      cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]),
    );
    for (const [address, watcher] of this.#nodeWatchers) {
      if (!masters.has(address)) {
        this.#nodeWatchers.delete(address);
        watcher.disconnect();
      }
    }
    const started: Promise<unknown>[] = [];
    for (const [address, node] of masters) {
      if (this.#nodeWatchers.has(address)) continue;
      const watcher = node.duplicate();
      watcher.on('error', (err: unknown) => this.#logger.debug(`keyspace watcher ${address} error`, err));
      watcher.on('message', (channel: string, message: string) => this.#deliver(channel, message));
      this.#nodeWatchers.set(address, watcher);
      started.push(watcher.subscribe(...this.#perNode));
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
    await Promise.all([this.#main, ...this.#nodeWatchers.values()].map((c) => closeConnection(c)));
    this.#nodeWatchers.clear();
  }
}
