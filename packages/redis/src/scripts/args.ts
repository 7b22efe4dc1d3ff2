/**
 * Typed argument lists of the scripts: every script's ARGV in one place, in the order its header
 * in src/scripts/lua documents, so no call site counts positions or spells '1'/'0' flags.
 */

/** What every script starts with: the repository's mode string and the shard's key prefix. */
export interface ScriptContext {
  /** See src/scripts/lua/includes/mode.lua: layout letter then flags. */
  readonly mode: string;
  /** Key prefix of the shard, with the client's keyPrefix. */
  readonly prefix: string;
}

type Arg = string | number;

/** Epoch ms as the scripts store them: whole milliseconds. */
function ms(value: number): string {
  return String(Math.round(value));
}

export function findArgs(
  c: ScriptContext,
  a: { now: number; id: string; touchThresholdMs: number; graceMs: number },
): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.id, a.touchThresholdMs, a.graceMs];
}

export interface SaveScriptArgs {
  now: number;
  isNew: boolean;
  creationTime: number;
  /** Only when changed. */
  lastAccessedTime?: number;
  /** Only when changed; negative: never expires. */
  intervalMs?: number;
  graceMs: number;
  sourceId: string;
  destinationId: string;
  /** Compact: the repository channel; Spring: its created-channel prefix; '' for none. */
  channel: string;
  /** `{ name: value | false }`, '' when the indexes did not change. */
  indexChanges: string;
  /** Spring layout: the index values the saving copy loaded (JSON), '' otherwise. */
  indexLoaded: string;
  trailMs: number;
  /** A session moving in from another shard: its whole stored hash, flat. */
  seed: readonly string[];
  /** Fields to set, flat. */
  set: readonly string[];
  /** Fields to remove. */
  removed: readonly string[];
}

export function saveArgs(c: ScriptContext, a: SaveScriptArgs): Arg[] {
  const interval = a.intervalMs === undefined ? '' : a.intervalMs < 0 ? '-1' : ms(a.intervalMs);
  return [
    c.mode,
    c.prefix,
    ms(a.now),
    a.isNew ? '1' : '',
    ms(a.creationTime),
    a.lastAccessedTime === undefined ? '' : ms(a.lastAccessedTime),
    interval,
    a.graceMs,
    a.sourceId,
    a.destinationId,
    a.channel,
    a.indexChanges,
    a.indexLoaded,
    a.trailMs,
    a.seed.length / 2,
    ...a.seed,
    a.set.length / 2,
    ...a.set,
    a.removed.length,
    ...a.removed,
  ];
}

export function deleteArgs(c: ScriptContext, a: { now: number; id: string; channel: string }): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.id, a.channel];
}

export function purgeArgs(c: ScriptContext, a: { id: string }): Arg[] {
  return [c.mode, c.prefix, a.id];
}

export function sweepArgs(
  c: ScriptContext,
  a: { now: number; limit: number; channel: string; graceMs: number },
): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.limit, a.channel, a.graceMs];
}

export function indexLookupArgs(c: ScriptContext): Arg[] {
  return [c.mode, c.prefix];
}

export function pruneArgs(c: ScriptContext, a: { now: number; members: readonly string[] }): Arg[] {
  return [c.mode, c.prefix, ms(a.now), ...a.members];
}

export function moveOutArgs(
  c: ScriptContext,
  a: { now: number; oldId: string; newId: string; leaseMs: number; trailMs: number },
): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.oldId, a.newId, a.leaseMs, a.trailMs];
}

export function moveBackArgs(c: ScriptContext, a: { now: number; oldId: string; graceMs: number }): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.oldId, a.graceMs];
}

export function springCleanupArgs(c: ScriptContext, a: { now: number; limit: number }): Arg[] {
  return [c.mode, c.prefix, ms(a.now), a.limit];
}

export function springDestroyedArgs(c: ScriptContext, a: { id: string }): Arg[] {
  return [c.mode, c.prefix, a.id];
}
