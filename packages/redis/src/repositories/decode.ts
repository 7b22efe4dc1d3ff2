import {
  type AttributeCodec,
  CorruptSessionDataError,
  type MapSession,
  type StoredSessionState,
} from '@session/core';
import type { HashFormat } from '../layout/hash-format.js';

/**
 * A stored hash as a session's state, attributes decoded. Throws `CorruptSessionDataError` for a
 * hash that is not a usable session (bad data is no session: the caller removes it).
 */
export function stateFromHash(
  id: string,
  hash: ReadonlyMap<string, string>,
  format: HashFormat,
  codec: AttributeCodec,
): StoredSessionState & { record: Record<string, string> } {
  const stored = format.read(id, hash);
  return {
    id,
    creationTime: stored.creationTime,
    lastAccessedTime: stored.lastAccessedTime,
    maxInactiveIntervalMs: stored.maxInactiveIntervalMs,
    attributes: codec.deserializeAll(id, stored.attributes),
    record: stored.record,
  };
}

/** Rebuilds sessions from hashes (the kernel's `restore`, bound by the repository). */
export type Restore = (state: StoredSessionState) => MapSession;

/** The error for a hash the scripts found unusable (a key of another type, or missing timing fields). */
export function corruptFields(id: string): CorruptSessionDataError {
  return new CorruptSessionDataError(
    id,
    'stored session lacks a usable creation time, last access time or interval',
  );
}
