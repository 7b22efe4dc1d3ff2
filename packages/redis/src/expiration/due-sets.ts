import type { RedisSessionEngine } from '../engine.js';
import type { RedisKeys } from '../layout/keys.js';
import { springCleanupArgs, sweepArgs } from '../scripts/args.js';
import type { ScriptRunner } from '../scripts/runner.js';

/** Script runs per shard in one sweep, so one sweep stays bounded. */
const MAX_ROUNDS_PER_SHARD = 20;

/** What a sweep needs. */
export interface SweepTarget {
  readonly engine: RedisSessionEngine;
  readonly keys: RedisKeys;
  readonly runner: ScriptRunner;
  readonly batch: number;
  readonly graceMs: number;
  /** The compact channel `expired` is published on. */
  readonly channel: string;
  readonly clock: () => number;
  /** True once the repository is closing: a running sweep ends after its current step. */
  readonly stopped: () => boolean;
}

/**
 * One sweep of the compact layout's due sets (one per shard on Cluster, all in parallel): every
 * due session is claimed by exactly one instance, deleted with its index entries and announced
 * with `expired`. Returns how many this instance expired.
 */
export async function sweepDueSets(target: SweepTarget): Promise<number> {
  const counts = await Promise.all(target.keys.allShards().map((shard) => sweepShard(target, shard)));
  return counts.reduce((a, b) => a + b, 0);
}

async function sweepShard(target: SweepTarget, shard: number): Promise<number> {
  let expired = 0;
  for (let round = 0; round < MAX_ROUNDS_PER_SHARD && !target.stopped(); round++) {
    const reply = (await target.runner.runCommitted(
      'sweep',
      [target.keys.due(shard)],
      sweepArgs(target.engine.contextOfShard(shard), {
        now: target.clock(),
        limit: target.batch,
        channel: target.channel,
        graceMs: target.graceMs,
      }),
    )) as [number, number];
    expired += reply[0];
    if (reply[1] < target.batch) break;
  }
  return expired;
}

/**
 * Spring's clean-up job (spring layout): touches the shadow keys of sessions due by now, so Redis
 * expires them and every instance hears `expired`. Returns how many were already gone.
 */
export async function springCleanup(target: SweepTarget): Promise<number> {
  const { keys } = target;
  return (await target.runner.run(
    'springCleanup',
    [keys.springExpirations()],
    springCleanupArgs(target.engine.contextOfShard(0), { now: target.clock(), limit: target.batch }),
  )) as number;
}
