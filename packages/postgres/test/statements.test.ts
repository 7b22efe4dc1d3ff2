import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { session } from '@session/express';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresSessionRepository } from '../src/index.js';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

// Statements per request, counted by PostgreSQL itself (pg_stat_statements), over real HTTP.

let server: PostgresTestServer;
let stats: pg.Pool;
let repository: PostgresSessionRepository;
let httpServer: Server;
let base: string;
const counts: Array<[string, number]> = [];

beforeAll(async () => {
  server = await startPostgres();
  if (!server.statementStats) {
    throw new Error(
      `pg_stat_statements is not available on this ${server.kind} server: load it (shared_preload_libraries = 'pg_stat_statements') to count statements`,
    );
  }
  stats = new pg.Pool({ connectionString: server.url, max: 1 });
  stats.on('error', () => {});
  await migrate(stats);
  await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const pool = new pg.Pool({ connectionString: server.url });
  pool.on('error', () => {});
  // No sweeper: only request statements are counted.
  repository = new PostgresSessionRepository({ pool, sweepIntervalMs: 0 });
  await repository.ready();
  const app = express();
  app.use(session({ repository }));
  app.post('/cart/:item', (req, res) => {
    const cart = (req.session.get('cart') as string[] | undefined) ?? [];
    req.session.set('cart', [...cart, req.params.item]);
    res.json(req.session.get('cart'));
  });
  app.get('/cart', (req, res) => {
    res.json(req.session.get('cart') ?? []);
  });
  app.post('/login', (req, res) => {
    req.session.setPrincipal('ada');
    res.send('ok');
  });
  app.get('/public', (_req, res) => {
    res.send('hello');
  });
  httpServer = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => httpServer.once('listening', resolve));
  base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  console.log(
    `\nSQL statements per request (pg_stat_statements):\n${counts.map(([what, n]) => `  ${what.padEnd(60)} ${n}`).join('\n')}\n`,
  );
  httpServer?.closeAllConnections();
  await new Promise((resolve) => httpServer?.close(resolve));
  await repository?.close();
  await repository?.pool.end();
  await stats?.end();
  await server?.stop();
});

/** Statements PostgreSQL executed in this database while `run` ran (the counting queries left out). */
async function statementsDuring(what: string, run: () => Promise<void>): Promise<number> {
  await stats.query('SELECT pg_stat_statements_reset()');
  await run();
  const { rows } = await stats.query<{ n: string | null }>(
    `SELECT sum(calls) AS n FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT ILIKE '%pg_stat_statements%'`,
  );
  const n = Number(rows[0]?.n ?? 0);
  if (process.env.SHOW_STATEMENTS) {
    const all = await stats.query(
      `SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'`,
    );
    console.log(what, all.rows);
  }
  counts.push([what, n]);
  return n;
}

describe('statements per request, counted by PostgreSQL', () => {
  let cookie = '';

  it('a request that stores a new session: 1 statement (the insert)', async () => {
    const n = await statementsDuring('new session, one attribute set', async () => {
      const res = await fetch(`${base}/cart/apple`, { method: 'POST' });
      expect(res.status).toBe(200);
      cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    });
    expect(n).toBe(1);
  });

  it('a request that changes attributes: read 1, save 1', async () => {
    const n = await statementsDuring('existing session, attribute changed (read + save)', async () => {
      const res = await fetch(`${base}/cart/pear`, { method: 'POST', headers: { cookie } });
      expect(await res.json()).toEqual(['apple', 'pear']);
    });
    expect(n).toBe(2);
  });

  it('a request that only reads: 1 statement (the read, which records the access)', async () => {
    const n = await statementsDuring('existing session, read only', async () => {
      const res = await fetch(`${base}/cart`, { headers: { cookie } });
      expect(await res.json()).toEqual(['apple', 'pear']);
    });
    expect(n).toBe(1);
  });

  it('a request without a session that sets nothing: 0 statements', async () => {
    const n = await statementsDuring('no session, nothing set', async () => {
      expect((await fetch(`${base}/public`)).status).toBe(200);
    });
    expect(n).toBe(0);
  });

  it('a malformed session id: 0 statements', async () => {
    const n = await statementsDuring('malformed session id', async () => {
      expect((await fetch(`${base}/public`, { headers: { cookie: 'SESSION=../../etc' } })).status).toBe(200);
    });
    expect(n).toBe(0);
  });

  it('a login (principal set, id rotated): the read, then one transaction that reads what the index needs', async () => {
    const n = await statementsDuring('login: principal set and id rotated', async () => {
      const res = await fetch(`${base}/login`, { method: 'POST', headers: { cookie } });
      expect(res.status).toBe(200);
    });
    // read, BEGIN, locking read of the indexed attributes, save, COMMIT
    expect(n).toBe(5);
    expect((await repository.findByPrincipalName('ada')).size).toBe(1);
  });
});
