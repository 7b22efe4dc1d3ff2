import type { ResolvedRepositoryOptions } from '../options.js';
import { MapSession } from '../session.js';

/** The options {@link createDefaultSession} and {@link restoreSession} read. */
export type SessionDefaults = Pick<
  ResolvedRepositoryOptions,
  'defaultMaxInactiveIntervalMs' | 'saveMode' | 'idGenerator' | 'clock'
>;

/**
 * A new, unsaved {@link MapSession} carrying a repository's defaults (idle timeout, save mode,
 * id generator, clock). What every store's `createSession` starts from.
 */
export function createDefaultSession(options: SessionDefaults): MapSession {
  return new MapSession({
    maxInactiveIntervalMs: options.defaultMaxInactiveIntervalMs,
    saveMode: options.saveMode,
    idGenerator: options.idGenerator,
    now: options.clock(),
  });
}

/** A session as a store read it back: its fields and decoded attributes. */
export interface StoredSessionState {
  readonly id: string;
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
  readonly attributes: Iterable<readonly [string, unknown]>;
}

/**
 * Rebuilds a stored session: not new, nothing to save, tracking changes with the repository's
 * save mode and giving new ids with its generator. Throws `InvalidArgumentError` for times or an
 * interval out of range (stores treat that as corrupt data).
 */
export function restoreSession(
  state: StoredSessionState,
  options: Pick<ResolvedRepositoryOptions, 'saveMode' | 'idGenerator'>,
): MapSession {
  return new MapSession({
    id: state.id,
    creationTime: state.creationTime,
    lastAccessedTime: state.lastAccessedTime,
    maxInactiveIntervalMs: state.maxInactiveIntervalMs,
    attributes: state.attributes,
    isNew: false,
    saveMode: options.saveMode,
    idGenerator: options.idGenerator,
  });
}
