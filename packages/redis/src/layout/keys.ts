import { PRINCIPAL_NAME_INDEX_NAME } from '@session/core';

/**
 * How sessions are laid out in Redis:
 * - `compact` (the default): short key and field names, the interval in ms, our own index
 *   record; the smallest hashes (they stay in Redis' compact encoding) and the cheapest scripts.
 * - `spring`: Spring Session's key names, hash fields and expiry bookkeeping, so Java services
 *   running Spring Session read and write the same sessions.
 */
export type RedisLayout = 'compact' | 'spring';

/** FNV-1a over the id's characters: a stable shard number every instance computes alike. */
export function shardOf(id: string, shards: number): number {
  if (shards === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * Key names. On Redis Cluster (compact layout only) every session belongs to one of `shards`
 * shards, and every key of a shard (its sessions, their id-change trails, its due set and its
 * index sets) carries the shard's hash tag: each save, delete and sweep then touches one slot and
 * stays one atomic script. Standalone Redis has one shard and no tags.
 *
 * | compact (`sess` namespace)   | spring (`spring:session`)                      | what |
 * | --- | --- | --- |
 * | `sess:s:<id>`                | `spring:session:sessions:<id>`                 | session hash |
 * | `sess:m:<id>`                | `spring:session:sessions:moved:<id>`           | id-change trail (10 s) |
 * | `sess:u:<principal>`         | `spring:session:index:<PRINCIPAL…>:<principal>`| principal index set |
 * | `sess:i:<n>:<name>:<value>`  | `spring:session:index:<name>:<value>`          | other index sets |
 * | `sess:due`                   | `spring:session:sessions:expirations` or `spring:session:expirations:<minute>` | due times |
 * | `sess:x:<id>`                | `spring:session:sessions:expires:<id>`         | expiry marker / Spring's shadow key |
 * | `sess:events` (channel)      | `spring:session:event:<db>:created:<id>` + keyspace events | events |
 *
 * On Cluster the compact keys read `sess:{sess:<shard>}:s:<id>` and so on.
 */
export class RedisKeys {
  readonly layout: RedisLayout;
  readonly namespace: string;
  /** Shards the sessions are spread over; 1 without hash tags. */
  readonly shards: number;
  /** ioredis `keyPrefix` of the client: keys the scripts build themselves must carry it. */
  readonly clientPrefix: string;
  /** The channel of the compact layout's events. */
  readonly channel: string;

  constructor(options: { layout: RedisLayout; namespace: string; shards: number; clientPrefix: string }) {
    this.layout = options.layout;
    this.namespace = options.namespace;
    this.shards = options.shards;
    this.clientPrefix = options.clientPrefix;
    this.channel = `${options.namespace}:events`;
  }

  /** The shard a session id belongs to. */
  shardOf(id: string): number {
    return shardOf(id, this.shards);
  }

  /** Key prefix of a shard, as commands name keys (ioredis adds its `keyPrefix` itself). */
  prefix(shard: number): string {
    if (this.layout === 'spring' || this.shards === 1) return `${this.namespace}:`;
    return `${this.namespace}:{${this.namespace}:${shard}}:`;
  }

  /** Key prefix of a shard as the scripts build keys: with the client's `keyPrefix`. */
  scriptPrefix(shard: number): string {
    return this.clientPrefix + this.prefix(shard);
  }

  /** The session hash. */
  session(id: string): string {
    return this.layout === 'spring'
      ? `${this.namespace}:sessions:${id}`
      : `${this.prefix(this.shardOf(id))}s:${id}`;
  }

  /** Where an id change is remembered for a few seconds. */
  trail(id: string): string {
    return this.layout === 'spring'
      ? `${this.namespace}:sessions:moved:${id}`
      : `${this.prefix(this.shardOf(id))}m:${id}`;
  }

  /** Where a session hides during a move to another shard (compact layout, Cluster). */
  moving(id: string): string {
    return `${this.prefix(this.shardOf(id))}mv:${id}`;
  }

  /** The compact layout's expiry marker (keyspace notifications), or Spring's shadow key. */
  marker(id: string): string {
    return this.layout === 'spring'
      ? `${this.namespace}:sessions:expires:${id}`
      : `${this.prefix(this.shardOf(id))}x:${id}`;
  }

  /** The session id of a marker or shadow key (as notifications name it, with the client prefix), else undefined. */
  idFromMarker(fullKey: string): string | undefined {
    if (!fullKey.startsWith(this.clientPrefix)) return undefined;
    const key = fullKey.slice(this.clientPrefix.length);
    if (this.layout === 'spring') {
      const head = `${this.namespace}:sessions:expires:`;
      return key.startsWith(head) ? key.slice(head.length) : undefined;
    }
    const at = key.lastIndexOf(':x:');
    if (at < 0) return undefined;
    const id = key.slice(at + 3);
    return this.marker(id) === key ? id : undefined;
  }

  /** The due set of a shard (compact layout). */
  due(shard: number): string {
    return `${this.prefix(shard)}due`;
  }

  /** The index set of `name` = `value` in a shard (every shard on Cluster has its own). */
  index(name: string, value: string, shard = 0): string {
    if (this.layout === 'spring') return `${this.namespace}:index:${name}:${value}`;
    if (name === PRINCIPAL_NAME_INDEX_NAME) return `${this.prefix(shard)}u:${value}`;
    return `${this.prefix(shard)}i:${name.length}:${name}:${value}`;
  }

  /** Spring's created-event channel prefix for a database. */
  springCreatedChannel(database: number): string {
    return `${this.namespace}:event:${database}:created:`;
  }

  /** Spring's sorted-set expiration store. */
  springExpirations(): string {
    return `${this.namespace}:sessions:expirations`;
  }

  /** Spring's minute bucket of the expiration store. */
  springBucket(minute: number): string {
    return `${this.namespace}:expirations:${minute}`;
  }

  /** Every shard number. */
  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }
}
