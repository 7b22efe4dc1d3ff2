import type { HazelcastJsonValue, IndexConfig, Predicate } from 'hazelcast-client';

/**
 * One entry event as the store reads it: a subset of hazelcast-client's `EntryEvent`. Values are
 * `null` when the event has none (for example `value` of a removal). With the client's default
 * JSON policy (`EAGER`) values arrive parsed; with `NO_DESERIALIZATION` as `HazelcastJsonValue`.
 */
export interface SessionMapEntryEvent<K, V> {
  readonly key: K;
  readonly value: V | null;
  readonly oldValue: V | null;
}

/** Receives one kind of entry event. */
export type SessionMapEventHandler<K, V> = (event: SessionMapEntryEvent<K, V>) => void;

/**
 * The entry events the store listens to: a subset of hazelcast-client's `MapListener`. A type
 * alias (not an interface) so it fits `MapListener`'s string index signature.
 */
export type SessionMapListener<K, V> = {
  added?: SessionMapEventHandler<K, V>;
  updated?: SessionMapEventHandler<K, V>;
  removed?: SessionMapEventHandler<K, V>;
  expired?: SessionMapEventHandler<K, V>;
  evicted?: SessionMapEventHandler<K, V>;
};

/**
 * The part of hazelcast-client's `IMap` the session store uses, with the same signatures (only
 * narrower where the store needs less). A real `IMap<string, HazelcastJsonValue>` is assignable to
 * it; test/imap-compat.test-d.ts fails to compile when the two drift apart. Members are function
 * properties, not methods, so TypeScript checks their parameters strictly.
 *
 * Time values are milliseconds. A 5.x member keeps an entry's expiration instant in whole seconds
 * of its wall clock, rounded down, so an entry may live up to a second less than its TTL (see
 * entry-ttl.ts for how the store compensates).
 */
export interface SessionMap<K, V> {
  /** The value, or `null` when there is none. */
  readonly get: (key: K) => Promise<V | null>;
  /** Stores `value` with `ttl` (ms; `0` = forever) unless the key exists; returns the existing value or `null`. */
  readonly putIfAbsent: (key: K, value: V, ttl?: number) => Promise<V | null>;
  /** Compare-and-set: replaces only when the stored value equals `oldValue` (serialized form). */
  readonly replaceIfSame: (key: K, oldValue: V, newValue: V) => Promise<boolean>;
  /** Restarts the entry's TTL from now (ms; `0` = forever). `false` when the entry is gone. */
  readonly setTtl: (key: K, ttl: number) => Promise<boolean>;
  /**
   * Removes the entry without returning it. On a real member its `removed` event carries a `null`
   * old value (IMap's documented exception to the listener contract), so the store uses it only
   * where no event matters.
   */
  readonly delete: (key: K) => Promise<void>;
  /**
   * Removes the entry and returns its value; its `removed` event carries the old value, which the
   * store needs to tell a deletion from the last step of a `changeSessionId`. Optional for maps
   * written against the older interface; without it the store falls back to `delete` and peers
   * may see a `deleted` event (without a session) for the old id of a changed session.
   */
  readonly remove?: (key: K) => Promise<V | boolean | null>;
  /** Entries matching `predicate`. */
  readonly entrySetWithPredicate: (predicate: Predicate) => Promise<Array<[K, V]>>;
  /** Adds an index; adding the same index again is a no-op on the member. */
  readonly addIndex: (indexConfig: IndexConfig) => Promise<void>;
  /** Subscribes to entry events; returns the registration id. */
  readonly addEntryListener: (
    listener: SessionMapListener<K, V>,
    key?: K,
    includeValue?: boolean,
  ) => Promise<string>;
  /** Unsubscribes a listener added with `addEntryListener`. */
  readonly removeEntryListener: (listenerId: string) => Promise<boolean>;
}

/** The map the store works on: session id to JSON document. */
export type HazelcastSessionMap = SessionMap<string, HazelcastJsonValue>;
