import {
  defaultSerializer,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionRepositoryOptions,
} from '@session/core';
import type { StoreHarness } from '@session/testkit';
import pg from 'pg';
import {
  migrate,
  PostgresSessionRepository,
  type PostgresSessionRepositoryOptions,
  resolveTableNames,
} from '../../src/index.js';
import { freePort } from './postgres-server.js';

/** A pool whose `query` calls (the store's statements) are counted. */
export function countingPool(url: string, max = 10): { pool: pg.Pool; count: () => number } {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  let sent = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    sent++;
    return query(...args);
  };
  // pg's own pool.query checks a client out with connect(callback): only promise-style calls
  // (the store's transactions) are wrapped.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      const clientQuery = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        sent++;
        return clientQuery(...a);
      };
      return client;
    });
  };
  return { pool, count: () => sent };
}

let tableCounter = 0;

/** A table name no other harness of this process uses, with its tables created. */
export async function freshTables(pool: pg.Pool, prefix = 'ct'): Promise<string> {
  const tableName = `${prefix}_${process.pid}_${tableCounter++}`;
  await migrate(pool, { tableName });
  return tableName;
}

/**
 * Contract-suite harnesses on one database: each harness gets tables of its own (so tests never
 * see each other's rows), a counted pool, raw reads straight from the tables, peers on their own
 * pools, the damage hooks and an unreachable twin.
 */
export function postgresHarness(
  url: () => string,
  extra: PostgresSessionRepositoryOptions = {},
): (options: SessionRepositoryOptions<MapSession>) => Promise<StoreHarness<MapSession>> {
  return async (options) => {
    const counted = countingPool(url());
    const raw = new pg.Pool({ connectionString: url(), max: 2 });
    raw.on('error', () => {});
    const tableName = await freshTables(raw);
    const t = resolveTableNames(tableName);
    const settings = { sweepIntervalMs: 50, ...extra, ...options, tableName };
    const repository = new PostgresSessionRepository({ ...settings, pool: counted.pool });
    const repositories: PostgresSessionRepository[] = [repository];
    const pools: pg.Pool[] = [counted.pool, raw];
    const serializer = options.serializer ?? extra.serializer ?? defaultSerializer;
    const primaryOf = async (id: string): Promise<string | undefined> =>
      (await raw.query(`SELECT primary_id FROM ${t.sessions.sql} WHERE session_id = $1`, [id])).rows[0]
        ?.primary_id;
    return {
      repository,
      raw: {
        async exists(id) {
          return (await primaryOf(id)) !== undefined;
        },
        async readAttribute(id, name) {
          const { rows } = await raw.query(
            `SELECT a.attribute_bytes FROM ${t.sessions.sql} s JOIN ${t.attributes.sql} a ON a.session_primary_id = s.primary_id
             WHERE s.session_id = $1 AND a.attribute_name = $2`,
            [id, name],
          );
          const bytes = rows[0]?.attribute_bytes as Buffer | undefined;
          return bytes === undefined ? undefined : serializer.deserialize(bytes.toString('utf8'), name);
        },
        async readPrincipalIndex(principal) {
          const { rows } = await raw.query(
            `SELECT session_id::text AS id FROM ${t.sessions.sql} WHERE principal_name = $1
             UNION SELECT s.session_id::text FROM ${t.sessions.sql} s JOIN ${t.indexes.sql} i ON i.session_primary_id = s.primary_id
             WHERE i.index_name = $2 AND i.index_value = $1`,
            [principal, PRINCIPAL_NAME_INDEX_NAME],
          );
          return rows.map((r) => r.id as string).sort();
        },
      },
      backendOperations: counted.count,
      async createPeer() {
        const peerPool = new pg.Pool({ connectionString: url() });
        peerPool.on('error', () => {});
        pools.push(peerPool);
        const peer = new PostgresSessionRepository({ ...settings, pool: peerPool });
        repositories.push(peer);
        await peer.ready();
        return peer;
      },
      corrupt: {
        async attribute(id, name) {
          // Bytes that are not UTF-8 text: no serializer can read them.
          await raw.query(
            `UPDATE ${t.attributes.sql} SET attribute_bytes = '\\xfffe00'::bytea WHERE session_primary_id = $1 AND attribute_name = $2`,
            [await primaryOf(id), name],
          );
        },
        async record(id) {
          // A creation time no Date can hold.
          await raw.query(
            `UPDATE ${t.sessions.sql} SET creation_time = -9223372036854775807 WHERE session_id = $1`,
            [id],
          );
        },
      },
      async createUnreachable() {
        const port = await freePort();
        const down = new PostgresSessionRepository({
          ...settings,
          connectionString: `postgres://postgres@127.0.0.1:${port}/none`,
          pool: undefined,
          events: false,
          sweepIntervalMs: 0,
        });
        repositories.push(down);
        return down;
      },
      async close() {
        await Promise.all(repositories.map((r) => r.close()));
        await Promise.all(pools.map((p) => p.end().catch(() => {})));
      },
    };
  };
}
