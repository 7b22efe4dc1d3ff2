import type { SessionLogger } from '@session/core';
import type { Cluster, Redis } from 'ioredis';

/** How often the replica counts are re-read, besides topology changes. */
const REFRESH_INTERVAL_MS = 10_000;
/** How long a save waits for a first reading before deciding without one. */
const FIRST_READING_WAIT_MS = 1000;

/** Online replicas in an `INFO replication` reply (`slaveN:…,state=online,…` lines). */
export function onlineReplicas(info: string): number {
  let count = 0;
  for (const line of info.split('\n')) {
    if (/^slave\d+:/.test(line) && line.includes('state=online')) count++;
  }
  return count;
}

/**
 * How many online replicas each cluster master has, read from the masters themselves (`INFO
 * replication`) and kept fresh: on topology changes, every 10 s, and whenever a save meets a master
 * it has no reading for. ioredis' slot table only knows the replicas that were attached when it
 * was last loaded, so on a fresh cluster it says "no replica" for masters that have one, and
 * `WAIT` would never be sent.
 */
export class ReplicaTracker {
  readonly #cluster: Cluster;
  readonly #logger: SessionLogger;
  readonly #counts = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  readonly #onTopology: () => void;
  #refreshing: Promise<void> | undefined;
  #closed = false;

  constructor(cluster: Cluster, logger: SessionLogger) {
    this.#cluster = cluster;
    this.#logger = logger;
    this.#onTopology = () => void this.refresh();
    cluster.on('refresh', this.#onTopology);
    cluster.on('+node', this.#onTopology);
    cluster.on('-node', this.#onTopology);
    this.#timer = setInterval(this.#onTopology, REFRESH_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Online replicas of the master at `address` (`host:port`); reads them first when unknown. */
  async replicasOf(address: string): Promise<number> {
    const known = this.#counts.get(address);
    if (known !== undefined) return known;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.refresh(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, FIRST_READING_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    return this.#counts.get(address) ?? 0;
  }

  /** Re-reads every master's replica count (one refresh at a time). */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#refreshing ??= this.#read().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #read(): Promise<void> {
    const masters: Redis[] = this.#cluster.nodes('master');
    await Promise.all(
      masters.map(async (node) => {
        const address = `${node.options.host}:${node.options.port}`;
        try {
          this.#counts.set(address, onlineReplicas(await node.info('replication')));
        } catch (err) {
          this.#logger.debug(`could not read the replicas of ${address}`, err);
        }
      }),
    );
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#cluster.off('refresh', this.#onTopology);
    this.#cluster.off('+node', this.#onTopology);
    this.#cluster.off('-node', this.#onTopology);
  }
}
