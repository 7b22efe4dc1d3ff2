import { InvalidArgumentError } from '@session/core';
import type { Pool, PoolClient } from 'pg';

/** Spring Session JDBC's default table name. */
export const DEFAULT_TABLE_NAME = 'SPRING_SESSION';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_LENGTH = 63;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One table, as PostgreSQL names it (lower case, like an unquoted identifier) and as SQL text. */
export interface TableName {
  /** Unqualified name, lower-cased. */
  readonly name: string;
  /** Schema, lower-cased, or `undefined` for the search path. */
  readonly schema: string | undefined;
  /** Quoted (and qualified) for SQL text. */
  readonly sql: string;
}

/** The tables of one store and the LISTEN/NOTIFY channel its instances share. */
export interface TableNames {
  /** Spring's `SPRING_SESSION`: one row per session. */
  readonly sessions: TableName;
  /** Spring's `SPRING_SESSION_ATTRIBUTES`: one row per attribute. */
  readonly attributes: TableName;
  /** Ours: index values other than a principal that fits Spring's `PRINCIPAL_NAME` column. */
  readonly indexes: TableName;
  /** Ours: recent id changes (old id → session), the id-change trail. */
  readonly idChanges: TableName;
  /** Prefix of constraint and index names (Spring's `SPRING_SESSION_PK`, `SPRING_SESSION_IX1`…). */
  readonly prefix: string;
  /** NOTIFY channel of the store's events. */
  readonly channel: string;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function table(schema: string | undefined, name: string): TableName {
  return { name, schema, sql: schema === undefined ? quote(name) : `${quote(schema)}.${quote(name)}` };
}

/**
 * The store's table names from Spring's `tableName` (default `SPRING_SESSION`): sessions in it,
 * attributes in `<name>_ATTRIBUTES`, and this store's two extra tables in `<name>_INDEXES` and
 * `<name>_ID_CHANGES`. Names follow unquoted SQL identifier rules (lower-cased), so Spring's
 * `SPRING_SESSION` and PostgreSQL's `spring_session` are the same table. Throws
 * `InvalidArgumentError` for names that are not plain identifiers.
 */
export function resolveTableNames(tableName: string = DEFAULT_TABLE_NAME): TableNames {
  if (typeof tableName !== 'string') throw new InvalidArgumentError('tableName must be a string');
  const parts = tableName.split('.');
  if (parts.length > 2 || parts.some((p) => !IDENTIFIER.test(p))) {
    throw new InvalidArgumentError(
      `tableName must be an SQL identifier (letters, digits, _), optionally schema-qualified, got "${tableName}"`,
    );
  }
  const lower = parts.map((p) => p.toLowerCase());
  const name = lower[lower.length - 1] as string;
  const schema = lower.length === 2 ? lower[0] : undefined;
  const longest = `${name}_attributes_ix1`;
  if (longest.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidArgumentError(
      `tableName "${tableName}" is too long: "${longest}" must fit PostgreSQL's ${MAX_IDENTIFIER_LENGTH} characters`,
    );
  }
  return {
    sessions: table(schema, name),
    attributes: table(schema, `${name}_attributes`),
    indexes: table(schema, `${name}_indexes`),
    idChanges: table(schema, `${name}_id_changes`),
    prefix: name,
    channel: `${schema === undefined ? '' : `${schema}_`}${name}_events`.slice(0, MAX_IDENTIFIER_LENGTH),
  };
}

/**
 * The DDL {@link migrate} runs, every statement idempotent. The first two tables and their indexes
 * are Spring Session JDBC's `schema-postgresql.sql` (same columns, types, constraint and index
 * names for the default table name), so a Java service using `JdbcIndexedSessionRepository` shares
 * them; the last two are this store's and Spring never reads them (their rows go with the session
 * through `ON DELETE CASCADE`).
 */
export function schemaStatements(tables: TableNames): string[] {
  const { sessions: s, attributes: a, indexes: i, idChanges: m, prefix: p } = tables;
  const ix = (suffix: string) => quote(`${p}_${suffix}`);
  const schemaSql = (n: TableName) => (n.schema === undefined ? '' : `${quote(n.schema)}.`);
  // A table whose rows belong to one session: `<prefix>_<name>_pk` on `key`, and `<prefix>_<name>_fk`
  // deleting them with the session.
  const sessionOwned = (t: TableName, name: string, columns: string[], key: string) =>
    `CREATE TABLE IF NOT EXISTS ${t.sql} (
  ${columns.join(',\n  ')},
  CONSTRAINT ${ix(`${name}_pk`)} PRIMARY KEY (${key}),
  CONSTRAINT ${ix(`${name}_fk`)} FOREIGN KEY (SESSION_PRIMARY_ID) REFERENCES ${s.sql}(PRIMARY_ID) ON DELETE CASCADE
)`;
  return [
    ...(s.schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quote(s.schema)}`]),
    `CREATE TABLE IF NOT EXISTS ${s.sql} (
  PRIMARY_ID CHAR(36) NOT NULL,
  SESSION_ID CHAR(36) NOT NULL,
  CREATION_TIME BIGINT NOT NULL,
  LAST_ACCESS_TIME BIGINT NOT NULL,
  MAX_INACTIVE_INTERVAL INT NOT NULL,
  EXPIRY_TIME BIGINT NOT NULL,
  PRINCIPAL_NAME VARCHAR(100),
  CONSTRAINT ${ix('pk')} PRIMARY KEY (PRIMARY_ID)
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${ix('ix1')} ON ${s.sql} (SESSION_ID)`,
    `CREATE INDEX IF NOT EXISTS ${ix('ix2')} ON ${s.sql} (EXPIRY_TIME)`,
    `CREATE INDEX IF NOT EXISTS ${ix('ix3')} ON ${s.sql} (PRINCIPAL_NAME)`,
    sessionOwned(
      a,
      'attributes',
      [
        'SESSION_PRIMARY_ID CHAR(36) NOT NULL',
        'ATTRIBUTE_NAME VARCHAR(200) NOT NULL',
        'ATTRIBUTE_BYTES BYTEA NOT NULL',
      ],
      'SESSION_PRIMARY_ID, ATTRIBUTE_NAME',
    ),
    sessionOwned(
      i,
      'indexes',
      [
        'SESSION_PRIMARY_ID CHAR(36) NOT NULL',
        'INDEX_NAME VARCHAR(200) NOT NULL',
        'INDEX_VALUE TEXT NOT NULL',
      ],
      'SESSION_PRIMARY_ID, INDEX_NAME',
    ),
    // md5: a btree entry must stay under ~2.7 kB, index values need not.
    `CREATE INDEX IF NOT EXISTS ${ix('indexes_ix1')} ON ${schemaSql(i)}${quote(i.name)} (INDEX_NAME, md5(INDEX_VALUE))`,
    sessionOwned(
      m,
      'id_changes',
      [
        'OLD_SESSION_ID VARCHAR(128) NOT NULL',
        'SESSION_PRIMARY_ID CHAR(36) NOT NULL',
        'CHANGED_AT BIGINT NOT NULL',
      ],
      'OLD_SESSION_ID',
    ),
    `CREATE INDEX IF NOT EXISTS ${ix('id_changes_ix1')} ON ${m.sql} (SESSION_PRIMARY_ID)`,
    `CREATE INDEX IF NOT EXISTS ${ix('id_changes_ix2')} ON ${m.sql} (CHANGED_AT)`,
  ];
}

/** Something `migrate` can run statements on: a `pg` `Pool`. */
export type Queryable = Pick<Pool, 'connect'>;

/**
 * Creates the store's tables and indexes where they are missing (Spring Session JDBC's two tables,
 * plus `<table>_INDEXES` and `<table>_ID_CHANGES`). Idempotent and safe to run from several
 * instances at once (one transaction under an advisory lock); never drops or alters anything, so
 * tables Spring's own script created are kept as they are.
 *
 * ```ts
 * import pg from 'pg';
 * import { migrate } from '@session/postgres';
 * await migrate(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export async function migrate(pool: Queryable, options: { tableName?: string } = {}): Promise<void> {
  const tables = resolveTableNames(options.tableName);
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `@session/postgres:${tables.sessions.sql}`,
    ]);
    for (const statement of schemaStatements(tables)) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
