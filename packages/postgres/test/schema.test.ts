import {
  InvalidArgumentError,
  InvalidSessionIdError,
  PRINCIPAL_NAME_INDEX_NAME,
  springJsonSerializer,
} from '@session/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  intervalSeconds,
  migrate,
  PostgresSessionRepository,
  parsePostgresUrl,
  resolveTableNames,
  sessionStore,
} from '../src/index.js';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

let server: PostgresTestServer;
let pool: pg.Pool;
const open: PostgresSessionRepository[] = [];

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url });
  pool.on('error', () => {});
});

afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
  await pool?.end();
  await server?.stop();
});

function repository(
  options: ConstructorParameters<typeof PostgresSessionRepository>[0],
): PostgresSessionRepository {
  const repo = new PostgresSessionRepository({ pool, sweepIntervalMs: 0, events: false, ...options });
  open.push(repo);
  return repo;
}

describe('schema', () => {
  it("creates Spring Session JDBC's tables: same columns, types, nullability, keys and index names", async () => {
    await migrate(pool);
    const { rows } = await pool.query(
      `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable
       FROM information_schema.columns WHERE table_name IN ('spring_session', 'spring_session_attributes')
       ORDER BY table_name, ordinal_position`,
    );
    expect(
      rows.map((r) => [r.table_name, r.column_name, r.data_type, r.character_maximum_length, r.is_nullable]),
    ).toEqual([
      ['spring_session', 'primary_id', 'character', 36, 'NO'],
      ['spring_session', 'session_id', 'character', 36, 'NO'],
      ['spring_session', 'creation_time', 'bigint', null, 'NO'],
      ['spring_session', 'last_access_time', 'bigint', null, 'NO'],
      ['spring_session', 'max_inactive_interval', 'integer', null, 'NO'],
      ['spring_session', 'expiry_time', 'bigint', null, 'NO'],
      ['spring_session', 'principal_name', 'character varying', 100, 'YES'],
      ['spring_session_attributes', 'session_primary_id', 'character', 36, 'NO'],
      ['spring_session_attributes', 'attribute_name', 'character varying', 200, 'NO'],
      ['spring_session_attributes', 'attribute_bytes', 'bytea', null, 'NO'],
    ]);
    const indexes = await pool.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('spring_session', 'spring_session_attributes') ORDER BY indexname`,
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      'spring_session_attributes_pk',
      'spring_session_ix1',
      'spring_session_ix2',
      'spring_session_ix3',
      'spring_session_pk',
    ]);
    expect(indexes.rows.find((r) => r.indexname === 'spring_session_ix1')?.indexdef).toContain('UNIQUE');
    const fk = await pool.query(
      `SELECT confdeltype FROM pg_constraint WHERE conname = 'spring_session_attributes_fk'`,
    );
    expect(fk.rows).toEqual([{ confdeltype: 'c' }]);
  });

  it('migrate is idempotent and safe when several instances run it at once', async () => {
    await Promise.all([1, 2, 3, 4].map(() => migrate(pool, { tableName: 'concurrent_migrate' })));
    await migrate(pool, { tableName: 'concurrent_migrate' });
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'concurrent_migrate%'`,
    );
    expect(rows[0].n).toBe(4);
  });

  it('takes Spring-style table names, schema-qualified too, and rejects anything else', async () => {
    await migrate(pool, { tableName: 'auth.App_Session' });
    const repo = repository({ tableName: 'auth.APP_SESSION' });
    await repo.ready();
    const session = await repo.createSession();
    session.set('a', 1);
    expect((await repo.save(session)).status).toBe('written');
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM auth.app_session_attributes');
    expect(rows[0].n).toBe(1);
    for (const bad of ['a;drop table x', 'a.b.c', '"quoted"', '', 'x'.repeat(60)]) {
      expect(() => resolveTableNames(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('ready() names missing tables and how to create them', async () => {
    const repo = repository({ tableName: 'not_migrated' });
    await expect(repo.ready()).rejects.toThrow(/not_migrated.*migrate\(\).*createSchema/);
  });
});

describe('sharing the tables with Spring Session JDBC', () => {
  it('reads a session a Java service wrote (UUID ids, seconds, Spring JSON, empty bytes as absent)', async () => {
    await migrate(pool);
    const repo = repository({ springCompatible: true });
    const id = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const now = Date.now();
    await pool.query(
      `INSERT INTO spring_session VALUES ('0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f', $1, $2, $2, 1800, $3, 'ada')`,
      [id, now, now + 1800 * 1000],
    );
    const attributes: Array<[string, string]> = [
      [PRINCIPAL_NAME_INDEX_NAME, '"ada"'],
      ['cart', '["java.util.ArrayList",["sku-1","sku-2"]]'],
      ['since', '["java.util.Date",1700000000000]'],
      ['removedBySpring', ''],
    ];
    for (const [name, json] of attributes) {
      await pool.query(
        `INSERT INTO spring_session_attributes VALUES ('0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f', $1, convert_to($2, 'UTF8'))`,
        [name, json],
      );
    }
    const session = await repo.findById(id);
    expect(session?.maxInactiveIntervalMs).toBe(1800 * 1000);
    expect(session?.get('cart')).toEqual(['sku-1', 'sku-2']);
    expect(session?.get('since')).toEqual(new Date(1700000000000));
    expect(session?.names().sort()).toEqual([PRINCIPAL_NAME_INDEX_NAME, 'cart', 'since'].sort());
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([id]);
  });

  it('writes what a Java service reads: seconds rounded up, EXPIRY_TIME exact, Spring JSON bytes, 36-character ids', async () => {
    await migrate(pool);
    const repo = repository({ springCompatible: true });
    const session = await repo.createSession();
    expect(session.id).toHaveLength(36);
    session.maxInactiveIntervalMs = 90_500;
    session.set('cart', ['sku-1']);
    await repo.save(session);
    const { rows } = await pool.query(
      `SELECT s.max_inactive_interval, s.expiry_time - s.last_access_time AS window, convert_from(a.attribute_bytes, 'UTF8') AS json
       FROM spring_session s JOIN spring_session_attributes a ON a.session_primary_id = s.primary_id WHERE s.session_id = $1`,
      [session.id],
    );
    expect(rows).toEqual([
      { max_inactive_interval: 91, window: '90500', json: springJsonSerializer.serialize(['sku-1'], 'cart') },
    ]);
    expect(rows[0].json).toBe('["java.util.ArrayList",["sku-1"]]');
    // Read back to the millisecond.
    expect((await repo.findById(session.id))?.maxInactiveIntervalMs).toBe(90_500);
  });

  it("a session that never expires carries Spring's Long.MAX_VALUE EXPIRY_TIME", async () => {
    await migrate(pool);
    const repo = repository({});
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = -1;
    session.set('a', 1);
    await repo.save(session);
    const { rows } = await pool.query(
      'SELECT max_inactive_interval, expiry_time FROM spring_session WHERE session_id = $1',
      [session.id],
    );
    expect(rows).toEqual([{ max_inactive_interval: -1, expiry_time: '9223372036854775807' }]);
    expect(intervalSeconds(-1)).toBe(-1);
    expect(intervalSeconds(1)).toBe(1);
    expect(intervalSeconds(1000)).toBe(1);
    expect(intervalSeconds(1001)).toBe(2);
  });

  it('an id longer than the SESSION_ID column is refused with a typed error and never sent', async () => {
    await migrate(pool);
    const repo = repository({ idGenerator: () => 'x'.repeat(40) });
    const session = await repo.createSession();
    session.set('a', 1);
    await expect(repo.save(session)).rejects.toBeInstanceOf(InvalidSessionIdError);
    expect(await repo.findById('y'.repeat(40))).toBeNull();
  });

  it('attribute names longer than ATTRIBUTE_NAME fail the save as a serialization error, writing nothing', async () => {
    await migrate(pool);
    const repo = repository({});
    const session = await repo.createSession();
    session.set('n'.repeat(201), 1);
    await expect(repo.save(session)).rejects.toMatchObject({ code: 'SESSION_SERIALIZATION' });
    expect(await repo.findById(session.id)).toBeNull();
  });

  it('principals longer than PRINCIPAL_NAME are indexed in the index table', async () => {
    await migrate(pool);
    const repo = repository({});
    const long = `user-${'x'.repeat(200)}`;
    const session = await repo.createSession();
    session.set(PRINCIPAL_NAME_INDEX_NAME, long);
    await repo.save(session);
    expect([...(await repo.findByPrincipalName(long)).keys()]).toEqual([session.id]);
  });
});

describe('configuration', () => {
  it('postgres:// URLs: the store options are taken out, the rest is the connection string', () => {
    expect(
      parsePostgresUrl(
        'postgres://u:p@db:5432/app?sslmode=require&tableName=app_session&createSchema=true&namespace=x&sweepIntervalMs=500',
      ),
    ).toEqual({
      connectionString: 'postgres://u:p@db:5432/app?sslmode=require',
      tableName: 'app_session',
      createSchema: true,
      sweepIntervalMs: 500,
    });
    expect(() => parsePostgresUrl('postgres://db/app?createSchema=maybe')).toThrow(/createSchema/);
    expect(() => parsePostgresUrl('redis://db')).toThrow(/postgres/);
  });

  it('the provider resolves a ready repository, and rejects (closing it) when the database cannot be reached', async () => {
    const repo = (await sessionStore.create({
      store: 'postgres',
      url: `${server.url}?createSchema=true&tableName=from_config`,
    })) as PostgresSessionRepository;
    open.push(repo);
    expect(repo.capabilities).toEqual({ indexed: true, events: true, touchesOnRead: true });
    await expect(
      sessionStore.create({ store: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }),
    ).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
  });
});
