import { HazelcastJsonValue } from 'hazelcast-client';
import { jsonTextOf } from './document.js';
import type { MapConnection } from './map-connection.js';

// The map operations the store's modules share, on exact document text.

/** The stored JSON text under `key`, or `null`. */
export async function readText(connection: MapConnection, key: string): Promise<string | null> {
  return jsonTextOf(await connection.call('get', (map) => map.get(key)));
}

/**
 * Removes `key` and returns the text it held (`null`: nothing), with `remove` so that its
 * `removed` event carries the old value: a member sends `null` as the old value of an entry
 * removed with `delete` (IMap documents this), which would hide a move marker and strip the
 * session from real deletions. Maps without `remove` (the older `SessionMap`) fall back to `get`
 * plus `delete`.
 */
export async function removeEntry(connection: MapConnection, key: string): Promise<string | null> {
  return connection.call('remove', async (map) => {
    if (map.remove !== undefined) return jsonTextOf(await map.remove(key));
    const text = jsonTextOf(await map.get(key));
    if (text !== null) await map.delete(key);
    return text;
  });
}

/** A TTL restart (`ms`) sent after (or, `pipelined`, together with) a compare-and-set. */
export interface TtlUpdate {
  readonly ms: number;
  /**
   * Send the `setTtl` with the compare-and-set (one round trip of latency), for writes where a
   * stray TTL restart on a lost race is harmless (it only extends a session someone is using).
   */
  readonly pipelined: boolean;
}

/**
 * Compare-and-set of one entry's text, then the TTL restart (`replaceIfSame` cannot set a TTL).
 * True when the entry held `oldText` and now holds `newText`.
 */
export async function compareAndSet(
  connection: MapConnection,
  key: string,
  oldText: string,
  newText: string,
  ttl?: TtlUpdate,
): Promise<boolean> {
  const replace = () =>
    connection.call('replaceIfSame', (map) =>
      map.replaceIfSame(key, new HazelcastJsonValue(oldText), new HazelcastJsonValue(newText)),
    );
  if (ttl === undefined) return replace();
  const setTtl = () => connection.call('setTtl', (map) => map.setTtl(key, ttl.ms));
  if (ttl.pipelined) {
    const [replaced] = await Promise.all([replace(), setTtl()]);
    return replaced;
  }
  if (!(await replace())) return false;
  await setTtl();
  return true;
}
