import type { IndexValues } from '@session/core';
import type { AccessOrdered } from './access-order.js';
import type { StoredValue } from './attribute-codec.js';
import type { DueItem } from './due-heap.js';

/** One session as the memory store keeps it: timestamps, encoded attributes, its index values. */
/**
 * `dueAt` (from {@link DueItem}) is when the sweeper next looks at the record: never later than
 * its expiry ({@link dueTimeOf}), earlier after reads extended it.
 */
export interface StoredSession extends DueItem, AccessOrdered {
  id: string;
  readonly creationTime: number;
  lastAccessedTime: number;
  maxInactiveIntervalMs: number;
  readonly attributes: Map<string, StoredValue>;
  /** The index values last resolved for this session, so they can be removed later. */
  indexes: IndexValues;
}

/** Epoch ms when `record` expires, `Infinity` for a negative interval. */
export function dueTimeOf(record: Pick<StoredSession, 'lastAccessedTime' | 'maxInactiveIntervalMs'>): number {
  return record.maxInactiveIntervalMs < 0
    ? Number.POSITIVE_INFINITY
    : record.lastAccessedTime + record.maxInactiveIntervalMs;
}

/** A read-only look at a stored session, for diagnostics and tests (see `MemorySessionRepository.peekStored`). */
export interface StoredSessionView {
  readonly id: string;
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
  /** Decoded copies of the stored attribute values. */
  readonly attributes: Map<string, unknown>;
  /** Index values the store holds for the session. */
  readonly indexes: Readonly<Record<string, string>>;
}
