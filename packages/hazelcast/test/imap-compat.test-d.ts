/**
 * Compile-time check, run by `tsc --noEmit` (this file is in tsconfig's `include`, and vitest
 * does not collect `*.test-d.ts`): hazelcast-client's real `IMap` must be assignable to the
 * narrow `SessionMap` the store is written against. When hazelcast-client changes a signature
 * the store relies on, or `SessionMap` asks for something `IMap` does not offer, this stops
 * compiling.
 */
import type { HazelcastJsonValue, IMap } from 'hazelcast-client';
import type { SessionMap } from '../src/session-map.js';

declare const realMap: IMap<string, HazelcastJsonValue>;

// The store holds `SessionMap<string, HazelcastJsonValue>`; `client.getMap()` gives an `IMap`.
export const asSessionMap: SessionMap<string, HazelcastJsonValue> = realMap;

// Generic in the key and value too, not only for the one instantiation above.
export function widen<K, V>(map: IMap<K, V>): SessionMap<K, V> {
  return map;
}
