import type { SessionLogger } from '@session/core';
import type { Cluster } from 'ioredis';
import { storeError } from '../client.js';
import { ReplicaTracker } from '../cluster/replicas.js';
import { keySlot } from '../cluster/slot.js';
import type { RedisClient } from '../options.js';
import { defineScripts, queueScript, runScript, type ScriptName } from './index.js';

/** Durability of writes: WAIT for replicas after each committed write. */
export interface WaitPolicy {
  /** Fixed replica count; `undefined`: on Cluster, what the key's master has (at most 1). */
  readonly replicas: number | undefined;
  readonly timeoutMs: number;
}

/**
 * Runs the scripts on one client: failures become `SessionStoreUnavailableError`, and writes can
 * be followed by `WAIT` in the same round trip so a failover loses no acknowledged save.
 */
export class ScriptRunner {
  readonly client: RedisClient;
  readonly #logger: SessionLogger;
  readonly #wait: WaitPolicy;
  readonly #replicas: ReplicaTracker | undefined;
  #waitWarned = false;

  constructor(client: RedisClient, isCluster: boolean, wait: WaitPolicy, logger: SessionLogger) {
    this.client = client;
    this.#logger = logger;
    this.#wait = wait;
    defineScripts(client);
    this.#replicas =
      isCluster && wait.replicas === undefined ? new ReplicaTracker(client as Cluster, logger) : undefined;
  }

  /** Runs a script. */
  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await runScript(this.client, name, keys, args);
    } catch (err) {
      throw storeError(err, name);
    }
  }

  /** Runs a write script and, where replicas must acknowledge it, WAIT in the same round trip. */
  async runCommitted(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const replicas = await this.#replicasToWait(keys[0] as string);
    if (replicas === 0) return this.run(name, keys, args);
    let results: [Error | null, unknown][] | null;
    try {
      const pipeline = this.client.pipeline();
      queueScript(pipeline, name, keys, args);
      pipeline.wait(replicas, this.#wait.timeoutMs);
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
        this.#logger.warn(
          `WAIT ${replicas} timed out after ${this.#wait.timeoutMs} ms: a write was not yet on a replica ` +
            '(set waitForReplicas: 0 if the deployment has no replicas)',
          waitResult?.[0] ?? waitResult?.[1],
        );
      }
    }
    return scriptResult[1];
  }

  async #replicasToWait(key: string): Promise<number> {
    if (this.#wait.replicas !== undefined) return this.#wait.replicas;
    if (this.#replicas === undefined) return 0;
    const owners = (this.client as Cluster).slots[keySlot(key)];
    const master = owners?.[0];
    if (master === undefined) return 0;
    return Math.min(1, await this.#replicas.replicasOf(master));
  }

  close(): void {
    this.#replicas?.close();
  }
}
