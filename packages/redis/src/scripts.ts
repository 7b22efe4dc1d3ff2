import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import {
  CLAIM_LUA,
  DELETE_LUA,
  EXPIRE_LUA,
  FIND_LUA,
  INDEX_LOOKUP_LUA,
  MOVE_BACK_LUA,
  MOVE_OUT_LUA,
  PRUNE_LUA,
  PURGE_LUA,
  SAVE_LUA,
  SETTLE_LUA,
  SWEEP_LUA,
} from './lua.js';
import type { RedisClient } from './options.js';

/** The scripts, by role. */
const SOURCES = {
  find: FIND_LUA,
  save: SAVE_LUA,
  moveOut: MOVE_OUT_LUA,
  moveBack: MOVE_BACK_LUA,
  delete: DELETE_LUA,
  purge: PURGE_LUA,
  prune: PRUNE_LUA,
  sweep: SWEEP_LUA,
  claim: CLAIM_LUA,
  expire: EXPIRE_LUA,
  settle: SETTLE_LUA,
  indexLookup: INDEX_LOOKUP_LUA,
} as const;

/** A script role. */
export type ScriptName = keyof typeof SOURCES;

/** The ioredis command name each script is defined under (versioned by content, so clients can be shared). */
const COMMAND_NAMES = Object.fromEntries(
  Object.entries(SOURCES).map(([name, lua]) => [
    name,
    `session_${name}_${createHash('sha1').update(lua).digest('hex').slice(0, 8)}`,
  ]),
) as Record<ScriptName, string>;

/** SHA1 of each script, as EVALSHA sends it (tests use it to tell sweeps from requests). */
export const SCRIPT_SHAS = Object.fromEntries(
  Object.entries(SOURCES).map(([name, lua]) => [name, createHash('sha1').update(lua).digest('hex')]),
) as Record<ScriptName, string>;

type ScriptFn = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Defines the scripts on a client with ioredis `defineCommand`: the first call on each
 * connection sends EVAL, later ones EVALSHA, and a server that lost its script cache (restart,
 * failover) gets the script again transparently.
 */
export function defineScripts(client: RedisClient): void {
  for (const name of Object.keys(SOURCES) as ScriptName[]) {
    const command = COMMAND_NAMES[name];
    if (typeof (client as unknown as Record<string, unknown>)[command] !== 'function') {
      client.defineCommand(command, { lua: SOURCES[name] });
    }
  }
}

/** Runs a script defined by {@link defineScripts}. */
export function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const fn = (client as unknown as Record<string, ScriptFn>)[COMMAND_NAMES[name]] as ScriptFn;
  return fn.call(client, keys.length, ...keys, ...args);
}

/** Queues a script on a pipeline (for a script followed by WAIT in one round trip). */
export function queueScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): ChainableCommander {
  const fn = (pipeline as unknown as Record<string, (...a: unknown[]) => ChainableCommander>)[
    COMMAND_NAMES[name]
  ];
  if (typeof fn !== 'function') throw new Error(`script ${name} is not defined on this pipeline`);
  return fn.call(pipeline, keys.length, ...keys, ...args);
}
