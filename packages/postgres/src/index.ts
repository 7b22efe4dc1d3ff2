/**
 * `@session/postgres`: a PostgreSQL session store on the `pg` driver, in Spring Session JDBC's
 * schema, with principal and custom indexes, delta saves in one statement, and expiry swept with
 * `FOR UPDATE SKIP LOCKED` and announced to every instance with LISTEN/NOTIFY.
 */
export { parseNotification } from './listener.js';
export {
  DEFAULT_SWEEP_BATCH_SIZE,
  DEFAULT_SWEEP_INTERVAL_MS,
  POSTGRES_SESSION_ID_BYTES,
  type PostgresSessionRepositoryOptions,
  type ResolvedPostgresOptions,
  resolvePostgresOptions,
} from './options.js';
export { parsePostgresUrl, sessionStore } from './provider.js';
export { intervalSeconds, PostgresSessionRepository } from './repository.js';
export {
  DEFAULT_TABLE_NAME,
  migrate,
  type Queryable,
  resolveTableNames,
  schemaStatements,
  type TableName,
  type TableNames,
} from './schema.js';
