import type { IndexResolver } from '../index-resolver.js';
import type { SaveMode } from '../modes.js';
import { MapSession, type SessionDelta } from '../session.js';

/** Index values of one session: `{ indexName: value }`. */
export type IndexValues = Readonly<Record<string, string>>;

/** The shared empty {@link IndexValues}. */
export const NO_INDEX_VALUES: IndexValues = Object.freeze({});

/** What `resolver` says about `session`, keeping only non-empty string values. */
export function resolveIndexValues<S extends MapSession>(
  resolver: IndexResolver<S>,
  session: S,
): IndexValues {
  let out: Record<string, string> | undefined;
  const resolved = resolver.resolveIndexesFor(session);
  for (const name of Object.keys(resolved)) {
    const value = resolved[name];
    if (typeof value !== 'string' || value === '') continue;
    out ??= {};
    out[name] = value;
  }
  return out === undefined ? NO_INDEX_VALUES : Object.freeze(out);
}

/** True when two {@link IndexValues} hold the same entries. */
export function sameIndexValues(a: IndexValues, b: IndexValues): boolean {
  let count = 0;
  for (const name in a) {
    if (b[name] !== a[name]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/**
 * True when a save of `delta` may change the session's indexes: it changes an attribute the
 * resolver reads (any attribute, for resolvers that do not say which they read).
 */
export function indexesMayChange(resolver: IndexResolver<MapSession>, delta: SessionDelta): boolean {
  if (delta.setAttributes.size === 0 && delta.removedAttributes.size === 0) return false;
  const read = resolver.attributes;
  if (read === undefined) return true;
  return read.some((name) => delta.setAttributes.has(name) || delta.removedAttributes.has(name));
}

/** What {@link resolveMergedIndexValues} needs to know of the stored session. */
export interface StoredForIndexing {
  readonly creationTime: number;
  /** Names of the stored attributes. */
  names(): Iterable<string>;
  /** Decodes one stored attribute; may throw for unreadable data (that attribute is then left out). */
  read(name: string): unknown;
}

/**
 * The indexes of the session a save leaves behind: the stored attributes with the save's changes
 * applied, not the saved copy alone (a copy loaded before another request set the principal must
 * not drop that principal's index entry). Only attributes the resolver reads are decoded.
 */
export function resolveMergedIndexValues(
  resolver: IndexResolver<MapSession>,
  stored: StoredForIndexing,
  delta: SessionDelta,
  saveMode: SaveMode,
): IndexValues {
  const wanted = resolver.attributes === undefined ? undefined : new Set(resolver.attributes);
  const merged = new Map<string, unknown>();
  for (const name of stored.names()) {
    if (wanted !== undefined && !wanted.has(name)) continue;
    if (delta.setAttributes.has(name) || delta.removedAttributes.has(name)) continue;
    try {
      merged.set(name, stored.read(name));
    } catch {
      // Unreadable attributes index nothing; reads report them.
    }
  }
  for (const [name, value] of delta.setAttributes) {
    if (wanted === undefined || wanted.has(name)) merged.set(name, value);
  }
  const view = new MapSession({
    id: delta.id,
    creationTime: stored.creationTime,
    lastAccessedTime: delta.lastAccessedTime,
    maxInactiveIntervalMs: delta.maxInactiveIntervalMs,
    attributes: merged,
    isNew: false,
    saveMode,
  });
  return resolveIndexValues(resolver, view);
}
