import {
  InvalidArgumentError,
  type MapSession,
  type ResolvedRepositoryOptions,
  resolveRepositoryOptions,
  type SessionRepositoryOptions,
} from '@session/core';

/** Default bound on stored sessions; see {@link MemorySessionRepositoryOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 100_000;

/** Default batching window of the expiry timer; see {@link MemorySessionRepositoryOptions.sweepIntervalMs}. */
export const DEFAULT_SWEEP_INTERVAL_MS = 100;

/**
 * Options of {@link MemorySessionRepository}: the shared store options plus the memory store's own.
 * There is no `namespace`: each repository object is its own store.
 */
export interface MemorySessionRepositoryOptions
  extends Omit<SessionRepositoryOptions<MapSession>, 'namespace'> {
  /**
   * Most sessions kept at once. Saving a new session into a full store first drops expired
   * sessions, then evicts the least recently accessed one (emitting `deleted` for it) and logs
   * a warning the first time it happens. Default 100 000; `Infinity` for no bound.
   */
  maxSessions?: number;
  /**
   * Expiry timer granularity in ms: the timer wakes at due times rounded up to a multiple of
   * this, so sessions due close together expire in one sweep. `expired` events arrive at most
   * this late. Default 100; 0 wakes at each exact due time.
   */
  sweepIntervalMs?: number;
}

/** Options with every default applied. */
export interface ResolvedMemoryOptions extends ResolvedRepositoryOptions<MapSession> {
  maxSessions: number;
  sweepIntervalMs: number;
}

/** Applies defaults and validates, throwing `InvalidArgumentError` naming the bad option. */
export function resolveMemoryOptions(options: MemorySessionRepositoryOptions = {}): ResolvedMemoryOptions {
  const shared = resolveRepositoryOptions<MapSession>(
    { ...options, namespace: undefined },
    { namespace: '' },
  );
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  if (
    typeof maxSessions !== 'number' ||
    !(maxSessions >= 1) ||
    (Number.isFinite(maxSessions) && !Number.isInteger(maxSessions))
  ) {
    throw new InvalidArgumentError(
      `maxSessions must be a positive integer or Infinity, got ${String(maxSessions)}`,
    );
  }
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  if (typeof sweepIntervalMs !== 'number' || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new InvalidArgumentError(
      `sweepIntervalMs must be a finite number of ms >= 0, got ${String(sweepIntervalMs)}`,
    );
  }
  return { ...shared, maxSessions, sweepIntervalMs };
}
