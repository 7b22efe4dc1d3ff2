import {
  InvalidArgumentError,
  type MapSession,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionRepositoryOptions,
} from '@session/core';
import type { ClientConfig } from 'hazelcast-client';
import { DEFAULT_CONNECT_TIMEOUT_MS, type HazelcastClient } from './client.js';
import type { MapSource } from './map-connection.js';
import type { HazelcastSessionMap } from './session-map.js';

/**
 * The default map name: our own. Spring Session's Hazelcast store uses `spring:session:sessions`
 * with Java-serialized `MapSession` values that a JSON document store cannot read or write, so
 * sharing that map with a Java service would corrupt both sides; this store never uses it unless
 * told to (`mapName`).
 */
export const DEFAULT_MAP_NAME = 'session:sessions';

/** How often a save retries its compare-and-set before giving up, unless configured. */
export const DEFAULT_MAX_SAVE_ATTEMPTS = 100;

/** Options of {@link HazelcastSessionRepository}. Give at most one of `client`, `clientConfig` and `map`. */
export interface HazelcastSessionRepositoryOptions extends SessionRepositoryOptions<MapSession> {
  /** A started hazelcast-client instance. The repository uses it and never shuts it down. */
  client?: HazelcastClient;
  /**
   * Config for a client the repository starts (and shuts down on `close`). Default when neither
   * `client` nor `map` is given: `{}` (a member on localhost, cluster `dev`).
   */
  clientConfig?: ClientConfig;
  /** A map object to use directly (anything implementing {@link SessionMap}, such as an `IMap`). Never closed. */
  map?: HazelcastSessionMap;
  /** Map name. Default: `${namespace}:sessions` when `namespace` is given, else {@link DEFAULT_MAP_NAME}. */
  mapName?: string;
  /**
   * How long a client the repository starts may try to reach the cluster, in ms (default 10 s).
   * Sets `connectionStrategy.connectionRetry.clusterConnectTimeoutMillis` unless `clientConfig`
   * sets it. hazelcast-client applies the same limit to reconnects: after that long without a
   * member the client shuts down and the repository reports the store unavailable.
   */
  connectTimeoutMs?: number;
  /** Compare-and-set attempts per save before it fails with `SessionStoreUnavailableError`. Default 100. */
  maxSaveAttempts?: number;
  /** `findById` writes the new `lastAccessedTime` and restarts the TTL (default true). False: the next save does. */
  touchOnRead?: boolean;
  /** Subscribe to map entry events and emit session events (default true). */
  events?: boolean;
  /** Add the HASH indexes on `principal` and `indexValues[any]` at start (default true; idempotent). */
  createIndexes?: boolean;
}

/** {@link HazelcastSessionRepositoryOptions} validated, with every default applied. */
export interface ResolvedHazelcastOptions extends ResolvedRepositoryOptions<MapSession> {
  readonly source: MapSource;
  readonly mapName: string;
  readonly connectTimeoutMs: number;
  readonly maxSaveAttempts: number;
  readonly touchOnRead: boolean;
  readonly events: boolean;
  readonly createIndexes: boolean;
}

/** Applies defaults and validates; throws `InvalidArgumentError` naming the option. */
export function resolveHazelcastOptions(
  options: HazelcastSessionRepositoryOptions,
): ResolvedHazelcastOptions {
  const given = [options.client, options.clientConfig, options.map].filter((v) => v !== undefined);
  if (given.length > 1) throw new InvalidArgumentError('Give at most one of client, clientConfig and map');
  const shared = resolveRepositoryOptions<MapSession>(options, { namespace: '' });
  const mapName = options.mapName ?? (options.namespace ? `${options.namespace}:sessions` : DEFAULT_MAP_NAME);
  if (typeof mapName !== 'string' || mapName.length === 0)
    throw new InvalidArgumentError('mapName must be a non-empty string');
  let source: MapSource;
  if (options.map !== undefined) source = { map: options.map };
  else if (options.client !== undefined) source = { client: options.client };
  else source = { clientConfig: options.clientConfig ?? {} };
  return {
    ...shared,
    source,
    mapName,
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    maxSaveAttempts: positiveInteger('maxSaveAttempts', options.maxSaveAttempts, DEFAULT_MAX_SAVE_ATTEMPTS),
    touchOnRead: options.touchOnRead ?? true,
    events: options.events ?? true,
    createIndexes: options.createIndexes ?? true,
  };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}
