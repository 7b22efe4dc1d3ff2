import type { TableNames } from './schema.js';

/**
 * Every SQL statement the repository sends, built once per table set. Each request-path operation
 * is one statement (a data-modifying CTE), so it is atomic without a transaction and costs one
 * round trip: read-with-touch, delta save, delete, index query, sweep.
 *
 * Session ids are compared with the `SESSION_ID` column through untyped parameters, so PostgreSQL
 * gives them the column's own type and uses its unique index (`CHAR(36)` in Spring's schema; a
 * `text` cast there would turn the lookup into a scan). Ids are read back as `::text`, which drops
 * `CHAR` padding.
 */
export interface Statements {
  /** $1 id, $2 now. Touches the session (never backwards) and returns it with its attributes. */
  readonly read: string;
  /** See {@link insertParams}. A new session, its attributes and indexes; notifies `created`. */
  readonly insert: string;
  /** See {@link updateParams}. A delta save of a stored session; one status row. */
  readonly update: string;
  /** $1 id, $2 id (text), $3 now, $4 trail start. Why a save found nothing (after a race). */
  readonly classify: string;
  /** $1 id, $2 now, $3 attribute names or null for all. Locks the row and reads attributes the index resolver needs. */
  readonly lockForIndexes: string;
  /** $1 id, $2 id (text), $3 now, $4 trail start. Deletes the session (and its moved successor); notifies. */
  readonly delete: string;
  /** $1 principal, $2 now. Live sessions by the `PRINCIPAL_NAME` column. */
  readonly byPrincipalColumn: string;
  /** $1 index name, $2 value, $3 now. Live sessions by the index table. */
  readonly byIndexTable: string;
  /** $1 now, $2 batch size, $3 trail prune bound. Claims due sessions (SKIP LOCKED), deletes them, notifies `expired`. */
  readonly sweep: string;
  /** $1 id (text), $2 trail start. */
  readonly movedRecently: string;
  /** $1 primary id. Removes one unreadable session without an event. */
  readonly discard: string;
  /** Schema check: $1 schema or null, $2 table names. */
  readonly columns: string;
}

/** `EXPIRY_TIME` of a session that never expires (Spring: `Long.MAX_VALUE`). */
export const NEVER_EXPIRES = '9223372036854775807';

/** The idle timeout in ms of row `x`: exact when `EXPIRY_TIME - LAST_ACCESS_TIME` agrees with the seconds column. */
function intervalMs(x: string): string {
  return `(CASE WHEN ${x}.max_inactive_interval < 0 THEN ${x}.max_inactive_interval::bigint * 1000
    WHEN ${x}.expiry_time - ${x}.last_access_time > (${x}.max_inactive_interval::bigint - 1) * 1000
     AND ${x}.expiry_time - ${x}.last_access_time <= ${x}.max_inactive_interval::bigint * 1000
    THEN ${x}.expiry_time - ${x}.last_access_time
    ELSE ${x}.max_inactive_interval::bigint * 1000 END)`;
}

/** Builds the statements for one table set; `events` adds the NOTIFY calls. */
export function buildStatements(tables: TableNames, events: boolean): Statements {
  const T = tables.sessions.sql;
  const A = tables.attributes.sql;
  const I = tables.indexes.sql;
  const M = tables.idChanges.sql;
  const channel = `'${tables.channel}'`;
  const notify = (prefix: string, id: string) =>
    events ? `pg_notify(${channel}, '${prefix}:' || ${id})` : 'NULL';
  const sessionColumns = (x: string) =>
    `${x}.creation_time, ${x}.last_access_time, ${intervalMs(x)} AS interval_ms, a.attribute_name, a.attribute_bytes`;

  return {
    read: `WITH s AS (
  UPDATE ${T} AS x SET
    last_access_time = GREATEST(x.last_access_time, $2::bigint),
    expiry_time = CASE WHEN x.max_inactive_interval < 0 THEN x.expiry_time
      ELSE GREATEST(x.last_access_time, $2::bigint) + ${intervalMs('x')} END
  WHERE x.session_id = $1 AND x.expiry_time > $2::bigint
  RETURNING x.primary_id, x.creation_time, x.last_access_time, x.max_inactive_interval, x.expiry_time
)
SELECT s.primary_id, ${sessionColumns('s')}
FROM s LEFT JOIN ${A} AS a ON a.session_primary_id = s.primary_id`,

    insert: `WITH s AS (
  INSERT INTO ${T} (primary_id, session_id, creation_time, last_access_time, max_inactive_interval, expiry_time, principal_name)
  VALUES ($1, $2, $3::bigint, $4::bigint, $5::int, $6::bigint, $7)
  RETURNING primary_id, session_id::text AS id
), written AS (
  INSERT INTO ${A} (session_primary_id, attribute_name, attribute_bytes)
  SELECT s.primary_id, u.n, u.b FROM s CROSS JOIN unnest($8::text[], $9::bytea[]) AS u(n, b)
), indexed AS (
  INSERT INTO ${I} (session_primary_id, index_name, index_value)
  SELECT s.primary_id, u.n, u.v FROM s CROSS JOIN unnest($10::text[], $11::text[]) AS u(n, v)
)
SELECT s.id, ${notify('c', 's.id')} AS notified FROM s`,

    update: `WITH s AS (
  UPDATE ${T} AS x SET
    session_id = $2,
    last_access_time = COALESCE($4::bigint, x.last_access_time),
    max_inactive_interval = COALESCE($6::int, x.max_inactive_interval),
    expiry_time = CASE WHEN COALESCE($5::bigint, ${intervalMs('x')}) < 0 THEN ${NEVER_EXPIRES}
      ELSE COALESCE($4::bigint, x.last_access_time) + COALESCE($5::bigint, ${intervalMs('x')}) END,
    principal_name = CASE WHEN $10::boolean THEN $11 ELSE x.principal_name END
  WHERE x.session_id = $1 AND x.expiry_time > $3::bigint
  RETURNING x.primary_id
), removed AS (
  DELETE FROM ${A} AS a USING s
  WHERE a.session_primary_id = s.primary_id AND a.attribute_name = ANY($9::text[])
), written AS (
  INSERT INTO ${A} (session_primary_id, attribute_name, attribute_bytes)
  SELECT s.primary_id, u.n, u.b FROM s CROSS JOIN unnest($7::text[], $8::bytea[]) AS u(n, b)
  ON CONFLICT (session_primary_id, attribute_name) DO UPDATE SET attribute_bytes = EXCLUDED.attribute_bytes
), index_removed AS (
  DELETE FROM ${I} AS i USING s
  WHERE $10::boolean AND i.session_primary_id = s.primary_id AND NOT (i.index_name = ANY($12::text[]))
), index_written AS (
  INSERT INTO ${I} (session_primary_id, index_name, index_value)
  SELECT s.primary_id, u.n, u.v FROM s CROSS JOIN unnest($12::text[], $13::text[]) AS u(n, v) WHERE $10::boolean
  ON CONFLICT (session_primary_id, index_name) DO UPDATE SET index_value = EXCLUDED.index_value
), moved AS (
  INSERT INTO ${M} (old_session_id, session_primary_id, changed_at)
  SELECT $14::text, s.primary_id, $3::bigint FROM s WHERE $16::boolean
  ON CONFLICT (old_session_id) DO UPDATE
    SET session_primary_id = EXCLUDED.session_primary_id, changed_at = EXCLUDED.changed_at
)
SELECT CASE
  WHEN EXISTS (SELECT 1 FROM s) THEN 'written'
  WHEN EXISTS (SELECT 1 FROM ${M} AS m WHERE m.old_session_id = $14::text AND m.changed_at > $15::bigint) THEN 'moved'
  WHEN EXISTS (SELECT 1 FROM ${T} AS y WHERE y.session_id = $1 AND y.expiry_time <= $3::bigint) THEN 'expired'
  WHEN EXISTS (SELECT 1 FROM ${T} AS y WHERE y.session_id = $1) THEN 'raced'
  ELSE 'deleted' END AS status`,

    classify: `SELECT CASE
  WHEN EXISTS (SELECT 1 FROM ${M} AS m WHERE m.old_session_id = $2::text AND m.changed_at > $4::bigint) THEN 'moved'
  WHEN EXISTS (SELECT 1 FROM ${T} AS y WHERE y.session_id = $1 AND y.expiry_time <= $3::bigint) THEN 'expired'
  WHEN EXISTS (SELECT 1 FROM ${T} AS y WHERE y.session_id = $1) THEN 'raced'
  ELSE 'deleted' END AS status`,

    lockForIndexes: `SELECT x.primary_id, x.creation_time, a.attribute_name, a.attribute_bytes
FROM ${T} AS x LEFT JOIN ${A} AS a
  ON a.session_primary_id = x.primary_id AND ($3::text[] IS NULL OR a.attribute_name = ANY($3::text[]))
WHERE x.session_id = $1 AND x.expiry_time > $2::bigint
FOR UPDATE OF x`,

    delete: `WITH d AS (
  DELETE FROM ${T} AS x
  WHERE x.primary_id IN (
    SELECT y.primary_id FROM ${T} AS y WHERE y.session_id = $1
    UNION
    SELECT m.session_primary_id FROM ${M} AS m WHERE m.old_session_id = $2::text AND m.changed_at > $4::bigint
  )
  RETURNING x.session_id::text AS id, x.expiry_time <= $3::bigint AS expired
)
SELECT d.id, d.expired, ${events ? `pg_notify(${channel}, CASE WHEN d.expired THEN 'x:' ELSE 'd:' END || d.id)` : 'NULL'} AS notified FROM d`,

    byPrincipalColumn: `SELECT x.primary_id, x.session_id::text AS id, ${sessionColumns('x')}
FROM ${T} AS x LEFT JOIN ${A} AS a ON a.session_primary_id = x.primary_id
WHERE x.principal_name = $1 AND x.expiry_time > $2::bigint
ORDER BY x.primary_id`,

    byIndexTable: `SELECT x.primary_id, x.session_id::text AS id, ${sessionColumns('x')}
FROM ${T} AS x LEFT JOIN ${A} AS a ON a.session_primary_id = x.primary_id
WHERE x.primary_id IN (
  SELECT i.session_primary_id FROM ${I} AS i
  WHERE i.index_name = $1 AND md5(i.index_value) = md5($2::text) AND i.index_value = $2::text
) AND x.expiry_time > $3::bigint
ORDER BY x.primary_id`,

    sweep: `WITH due AS (
  SELECT x.primary_id FROM ${T} AS x
  WHERE x.expiry_time <= $1::bigint
  ORDER BY x.expiry_time
  LIMIT $2::int
  FOR UPDATE SKIP LOCKED
), d AS (
  DELETE FROM ${T} AS x USING due WHERE x.primary_id = due.primary_id
  RETURNING x.session_id::text AS id
), pruned AS (
  DELETE FROM ${M} AS m WHERE m.changed_at <= $3::bigint
)
SELECT d.id, ${notify('x', 'd.id')} AS notified FROM d`,

    movedRecently: `SELECT 1 FROM ${M} AS m WHERE m.old_session_id = $1::text AND m.changed_at > $2::bigint`,

    discard: `DELETE FROM ${T} WHERE primary_id = $1`,

    columns: `SELECT c.table_name, c.column_name, c.character_maximum_length
FROM information_schema.columns AS c
WHERE c.table_schema = COALESCE($1::text, current_schema()) AND c.table_name = ANY($2::text[])`,
  };
}
