import type { SessionEvent } from '@session/core';
import { waitFor } from '@session/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresSessionRepository, resolveTableNames } from '../src/index.js';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

let server: PostgresTestServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url });
  pool.on('error', () => {});
});

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

/** Two instances on the same tables (their own pools, as two processes would have), recording `expired`. */
async function twoInstances(tableName: string) {
  await migrate(pool, { tableName });
  const instances = [0, 1].map(() => {
    const own = new pg.Pool({ connectionString: server.url, max: 4 });
    own.on('error', () => {});
    const repository = new PostgresSessionRepository({ pool: own, tableName, sweepIntervalMs: 50 });
    const expired: string[] = [];
    repository.on('expired', (event: SessionEvent) => {
      expired.push(event.sessionId);
    });
    return { repository, expired, pool: own };
  });
  await Promise.all(instances.map((i) => i.repository.ready()));
  return {
    instances,
    async close() {
      for (const i of instances) {
        await i.repository.close();
        await i.pool.end();
      }
    },
  };
}

async function rowCount(table: string): Promise<number> {
  return Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

describe('expiry across two instances', () => {
  it("each 'expired' event reaches every instance once, and each expired row is deleted by one sweeper only", async () => {
    const { instances, close } = await twoInstances('two_instances');
    try {
      const [a] = instances;
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const session = await a!.repository.createSession();
        session.maxInactiveIntervalMs = 300;
        session.set('n', i);
        await a!.repository.save(session);
        ids.push(session.id);
      }
      for (const instance of instances) {
        await waitFor(
          () => (ids.every((id) => instance.expired.includes(id)) ? true : undefined),
          10_000,
          'not every expired event arrived',
        );
      }
      // Give duplicates time to show up before counting.
      await new Promise((r) => setTimeout(r, 300));
      for (const instance of instances) {
        expect(instance.expired.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
      }
      // Both sweepers ran; together they deleted each row exactly once.
      const swept = instances.map((i) => i.repository.stats().swept);
      expect(swept.reduce((x, y) => x + y, 0)).toBe(ids.length);
      expect(await rowCount(resolveTableNames('two_instances').sessions.sql)).toBe(0);
    } finally {
      await close();
    }
  }, 30_000);

  it('10,000 sessions expiring together leave no rows behind, and every instance hears of each once', async () => {
    const tableName = 'mass_expiry';
    const t = resolveTableNames(tableName);
    const { instances, close } = await twoInstances(tableName);
    try {
      const due = Date.now() + 1000;
      // Inserted in bulk (as many logins in one burst would leave them), each with two attributes.
      await pool.query(
        `INSERT INTO ${t.sessions.sql} (primary_id, session_id, creation_time, last_access_time, max_inactive_interval, expiry_time, principal_name)
         SELECT gen_random_uuid()::text, 'mass' || lpad(g::text, 32, '0'), $1::bigint, $1::bigint, 1, $2::bigint, 'user' || (g % 100)
         FROM generate_series(1, 10000) AS g`,
        [due - 1000, due],
      );
      await pool.query(
        `INSERT INTO ${t.attributes.sql} (session_primary_id, attribute_name, attribute_bytes)
         SELECT s.primary_id, n.name, convert_to('1', 'UTF8') FROM ${t.sessions.sql} s CROSS JOIN (VALUES ('a'), ('b')) AS n(name)`,
      );
      expect(await rowCount(t.sessions.sql)).toBe(10_000);
      for (const instance of instances) {
        await waitFor(
          () => (instance.expired.length >= 10_000 ? true : undefined),
          30_000,
          'not every expired event arrived',
        );
      }
      await new Promise((r) => setTimeout(r, 300));
      for (const instance of instances) {
        expect(instance.expired).toHaveLength(10_000);
        expect(new Set(instance.expired).size).toBe(10_000);
      }
      expect(instances.map((i) => i.repository.stats().swept).reduce((x, y) => x + y, 0)).toBe(10_000);
      expect(await rowCount(t.sessions.sql)).toBe(0);
      expect(await rowCount(t.attributes.sql)).toBe(0);
    } finally {
      await close();
    }
  }, 60_000);

  it('an expired session is never returned, even before any sweep removed it', async () => {
    await migrate(pool, { tableName: 'no_sweeper' });
    const repository = new PostgresSessionRepository({ pool, tableName: 'no_sweeper', sweepIntervalMs: 0 });
    try {
      const session = await repository.createSession();
      session.maxInactiveIntervalMs = 200;
      session.set('a', 1);
      await repository.save(session);
      await new Promise((r) => setTimeout(r, 300));
      expect(await repository.findById(session.id)).toBeNull();
      expect(await rowCount(resolveTableNames('no_sweeper').sessions.sql)).toBe(1);
      expect(await repository.sweepExpired()).toBe(1);
      expect(await rowCount(resolveTableNames('no_sweeper').sessions.sql)).toBe(0);
    } finally {
      await repository.close();
    }
  });
});
