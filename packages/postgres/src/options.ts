import {
  InvalidArgumentError,
  type MapSession,
  type ResolvedRepositoryOptions,
  randomSessionIdGenerator,
  resolveRepositoryOptions,
  type SessionRepositoryOptions,
  springJsonSerializer,
} from '@session/core';
import type { Pool } from 'pg';
import { resolveTableNames, type TableNames } from './schema.js';

/** Default batching of the expiry sweeper; see {@link PostgresSessionRepositoryOptions.sweepIntervalMs}. */
export const DEFAULT_SWEEP_INTERVAL_MS = 1000;

/** Default number of expired sessions one sweep statement claims. */
export const DEFAULT_SWEEP_BATCH_SIZE = 1000;

/**
 * Random bytes of this store's default session ids: 27 bytes are exactly 36 base64url characters,
 * the width of Spring Session JDBC's `CHAR(36)` `SESSION_ID` column, so ids are never padded
 * (216 bits, above core's 192).
 */
export const POSTGRES_SESSION_ID_BYTES = 27;

/** Options of {@link PostgresSessionRepository}: the shared store options plus PostgreSQL's own. */
export interface PostgresSessionRepositoryOptions extends SessionRepositoryOptions<MapSession> {
  /**
   * The connection: a `pg` `Pool` you own (the repository never ends it) or a connection string
   * (`postgres://user:pass@host:5432/db`), for which the repository creates a pool and ends it on
   * `close()`. Exactly one of `pool` and `connectionString` is required.
   */
  pool?: Pool;
  /** See {@link pool}. */
  connectionString?: string;
  /**
   * Most connections of the pool the repository creates from `connectionString`. Default 10.
   * The event listener holds one more connection of its own.
   */
  maxConnections?: number;
  /**
   * Spring Session JDBC's table name: `SPRING_SESSION` (the default) stores sessions in
   * `spring_session` and attributes in `spring_session_attributes`, as Spring's
   * `JdbcIndexedSessionRepository#setTableName` does. May be schema-qualified (`app.sessions`).
   * Unquoted SQL identifier rules apply: letters, digits and `_`, case-insensitive.
   */
  tableName?: string;
  /**
   * Share sessions with a Spring Session JDBC service: attribute bytes are written as Spring's
   * JSON (`springJsonSerializer` from `@session/core`, unless `serializer` is given). Default
   * `false`: core's default serializer (tagged JSON that keeps Date, BigInt, Map, Set…).
   */
  springCompatible?: boolean;
  /**
   * Run the idempotent {@link migrate} before first use (in `ready()`). Default `false`: the tables
   * must exist, and `ready()` fails with a message naming the missing ones.
   */
  createSchema?: boolean;
  /**
   * How often each instance sweeps expired sessions, in ms. Each sweep claims due rows with
   * `FOR UPDATE SKIP LOCKED` (one instance wins each), deletes them and notifies every instance,
   * so `expired` events arrive at most this late. Default 1000; 0 turns the sweeper off (expired
   * sessions are then still never returned, only kept until another instance sweeps).
   */
  sweepIntervalMs?: number;
  /** Expired sessions one sweep statement claims; sweeps repeat until none is due. Default 1000. */
  sweepBatchSize?: number;
  /**
   * Listen for `created`, `deleted` and `expired` events (LISTEN/NOTIFY on one extra connection).
   * Default `true`; `false` makes `capabilities.events` false and skips the extra connection.
   */
  events?: boolean;
}

/** Options with every default applied. */
export interface ResolvedPostgresOptions extends ResolvedRepositoryOptions<MapSession> {
  readonly tables: TableNames;
  readonly springCompatible: boolean;
  readonly createSchema: boolean;
  readonly sweepIntervalMs: number;
  readonly sweepBatchSize: number;
  readonly events: boolean;
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new InvalidArgumentError(`${name} must be a boolean, got ${String(value)}`);
  return value;
}

function checkInteger(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and validates, throwing `InvalidArgumentError` naming the bad option. */
export function resolvePostgresOptions(
  options: PostgresSessionRepositoryOptions = {},
): ResolvedPostgresOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('PostgresSessionRepository options must be an object');
  }
  const tables = resolveTableNames(options.tableName);
  const springCompatible = checkBoolean('springCompatible', options.springCompatible, false);
  const shared = resolveRepositoryOptions<MapSession>(
    {
      ...options,
      idGenerator: options.idGenerator ?? randomSessionIdGenerator(POSTGRES_SESSION_ID_BYTES),
      serializer: options.serializer ?? (springCompatible ? springJsonSerializer : undefined),
    },
    { namespace: tables.sessions.name },
  );
  return {
    ...shared,
    tables,
    springCompatible,
    createSchema: checkBoolean('createSchema', options.createSchema, false),
    sweepIntervalMs: checkInteger(
      'sweepIntervalMs',
      options.sweepIntervalMs,
      DEFAULT_SWEEP_INTERVAL_MS,
      0,
      3_600_000,
    ),
    sweepBatchSize: checkInteger(
      'sweepBatchSize',
      options.sweepBatchSize,
      DEFAULT_SWEEP_BATCH_SIZE,
      1,
      100_000,
    ),
    events: checkBoolean('events', options.events, true),
  };
}
