import { InvalidStoreConfigError, type SessionStoreProvider, type StoreConfig } from '@session/core';
import type { PostgresSessionRepositoryOptions } from './options.js';
import { PostgresSessionRepository } from './repository.js';

const parseBoolean = (text: string, name: string): boolean => {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new InvalidStoreConfigError(`postgres: "${name}" must be true or false, got "${text}"`);
};

const parseNumber = (text: string, name: string): number => {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) {
    throw new InvalidStoreConfigError(`postgres: "${name}" must be a number, got "${text}"`);
  }
  return value;
};

/** The store's own query parameters in a `postgres://` URL; every other one is left for `pg`. */
const URL_OPTIONS: Record<string, (text: string, name: string) => unknown> = {
  tableName: (text) => text,
  springCompatible: parseBoolean,
  createSchema: parseBoolean,
  events: parseBoolean,
  sweepIntervalMs: parseNumber,
  sweepBatchSize: parseNumber,
  maxConnections: parseNumber,
  defaultMaxInactiveIntervalMs: parseNumber,
  flushMode: (text) => text,
  saveMode: (text) => text,
};

/**
 * Reads `postgres://user:pass@host/db?tableName=app_session&createSchema=true` into options: the
 * store's own parameters ({@link URL_OPTIONS}; `namespace` is accepted and ignored, so one URL
 * pattern fits every store) become options, and the URL without them is the `connectionString`
 * (so `pg`'s own parameters, such as `sslmode`, still reach `pg`).
 */
export function parsePostgresUrl(url: string): PostgresSessionRepositoryOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new InvalidStoreConfigError(
      'Invalid postgres store URL (it is not shown: it may hold a password)',
      {
        cause: err,
      },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InvalidStoreConfigError(
      `The postgres store needs a postgres: or postgresql: URL, got "${parsed.protocol}"`,
    );
  }
  const options: Record<string, unknown> = {};
  for (const [name, text] of [...parsed.searchParams]) {
    if (name === 'namespace') {
      parsed.searchParams.delete(name);
      continue;
    }
    const read = Object.hasOwn(URL_OPTIONS, name) ? URL_OPTIONS[name] : undefined;
    if (read === undefined) continue;
    options[name] = read(text, name);
    parsed.searchParams.delete(name);
  }
  options.connectionString = parsed.toString();
  return options as PostgresSessionRepositoryOptions;
}

/**
 * Lets `createRepositoryFromConfig` build this store: `'postgres://…'`, `'postgresql://…'` or
 * `{ store: '@session/postgres', url: 'postgres://…', tableName: 'app_session' }`. Keys given in
 * the object win over URL parameters. Resolves once the store is `ready()`, so an unreachable
 * database or missing tables fail the app's start, not its first request.
 */
export const sessionStore: SessionStoreProvider = {
  name: 'postgres',
  async create(config: StoreConfig): Promise<PostgresSessionRepository> {
    const { store: _store, url, namespace: _namespace, ...rest } = config;
    const fromUrl = typeof url === 'string' ? parsePostgresUrl(url) : {};
    const options = Object.assign(Object.create(null) as Record<string, unknown>, fromUrl);
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) options[key] = value;
    const repository = new PostgresSessionRepository(options as PostgresSessionRepositoryOptions);
    try {
      await repository.ready();
    } catch (err) {
      await repository.close();
      throw err;
    }
    return repository;
  },
};
