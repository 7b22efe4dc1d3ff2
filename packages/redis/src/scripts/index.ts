import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../options.js';
import { LUA_SOURCES } from './lua.generated.js';

/** A script, by the name of its file in src/scripts/lua. */
export type ScriptName = keyof typeof LUA_SOURCES;

/** SHA1 of each script, as EVALSHA sends it (tests use it to tell sweeps from requests). */
export const SCRIPT_SHAS = Object.fromEntries(
  Object.entries(LUA_SOURCES).map(([name, lua]) => [name, createHash('sha1').update(lua).digest('hex')]),
) as Record<ScriptName, string>;

/** The ioredis command each script is defined under (versioned by content, so clients can be shared). */
const COMMAND_NAMES = Object.fromEntries(
  Object.keys(LUA_SOURCES).map((name) => [
    name,
    `session_${name}_${SCRIPT_SHAS[name as ScriptName].slice(0, 8)}`,
  ]),
) as Record<ScriptName, string>;

type ScriptFn = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Defines the scripts on a client with ioredis `defineCommand`: the first call on each connection
 * sends EVAL, later ones EVALSHA, and a server that lost its script cache (restart, failover) gets
 * the script again transparently.
 */
export function defineScripts(client: RedisClient): void {
  for (const name of Object.keys(LUA_SOURCES) as ScriptName[]) {
    const command = COMMAND_NAMES[name];
    if (typeof (client as unknown as Record<string, unknown>)[command] !== 'function') {
      client.defineCommand(command, { lua: LUA_SOURCES[name] });
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

/** Queues a script on a pipeline (a script followed by WAIT in one round trip). */
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
