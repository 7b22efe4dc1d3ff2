import { InvalidArgumentError, type Session, type SessionLogger, shortSessionId } from '@session/core';
import type { SessionExchange } from '../exchange.js';
import { callStore } from '../store-call.js';
import type { LegacySession, LegacySessionSource } from './source.js';

/** A legacy session this request moved into its new session, and where it came from. */
export interface Migration {
  readonly source: LegacySessionSource;
  readonly legacy: LegacySession;
  /** The new session was stored (or the session invalidated): the legacy cookie goes. */
  settled: boolean;
}

/** Checks the `migrateFrom` option: a source or a list of them. */
export function checkMigrations(
  value: LegacySessionSource | readonly LegacySessionSource[] | undefined,
): readonly LegacySessionSource[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value as LegacySessionSource];
  for (const source of list) {
    if (
      typeof source?.find !== 'function' ||
      typeof source.remove !== 'function' ||
      typeof source.expireCookies !== 'function'
    ) {
      throw new InvalidArgumentError(
        'migrateFrom must be a legacy session source (expressSessionSource(...), koaSessionSource(...)) or a list of them',
      );
    }
  }
  return Object.freeze([...list]);
}

/**
 * Asks each source in turn for the legacy session `exchange` presents; the first one found is
 * copied into `fresh` (the new session the controller stores with this response). Store calls
 * are bounded by `storeTimeoutMs`; a failing source rejects with `SessionStoreUnavailableError`.
 */
export async function moveLegacySession(
  sources: readonly LegacySessionSource[],
  exchange: SessionExchange,
  fresh: Session,
  storeTimeoutMs: number,
  logger: SessionLogger,
): Promise<Migration | undefined> {
  for (const source of sources) {
    const legacy = await callStore(`find ${source.name} session`, storeTimeoutMs, () =>
      source.find(exchange.request),
    );
    if (legacy === null || legacy === undefined) continue;
    const target = fresh as Session<Record<string, unknown>>;
    for (const [name, value] of legacy.attributes) {
      if (typeof name === 'string' && name.length > 0 && value !== undefined) target.set(name, value);
    }
    logger.debug(`moving the ${source.name} session ${shortSessionId(legacy.key)} into a new session`);
    return { source, legacy, settled: false };
  }
  return undefined;
}

/**
 * Deletes the legacy session once its data is stored in the new one. A failure is logged and left
 * alone: the user already has the new session, and the legacy one can no longer be reached once
 * its cookie is gone (it ends with its own store's expiry).
 */
export async function removeLegacySession(
  migration: Migration,
  storeTimeoutMs: number,
  logger: SessionLogger,
): Promise<void> {
  migration.settled = true;
  try {
    await callStore('remove legacy session', storeTimeoutMs, () => migration.source.remove(migration.legacy));
  } catch (err) {
    logger.warn(
      `the ${migration.source.name} session ${shortSessionId(migration.legacy.key)} was moved but could not be removed from its store`,
      (err as Error)?.message,
    );
  }
}
