/**
 * Key layout. Standalone (Spring Session's names):
 *
 * - `<ns>:sessions:<id>`: the session hash
 * - `<ns>:sessions:expires:<id>`: expiry marker (only with keyspace notifications)
 * - `<ns>:index:<indexName>:<value>`: set of session ids
 * - `<ns>:expirations`: sorted set of session ids by due time (indexed repository)
 * - `<ns>:events`: pub/sub channel
 *
 * With hash tags (always on Redis Cluster) the id is wrapped in `{…}` so a session's keys share
 * one slot, and the due-time set is split into shards with their own tags.
 */
export class RedisKeyLayout {
  readonly namespace: string;
  readonly hashTags: boolean;
  readonly dueShards: number;
  /** Lua builds session keys as `sessionPrefix .. id .. sessionSuffix`. */
  readonly sessionPrefix: string;
  readonly sessionSuffix: string;
  readonly markerPrefix: string;
  readonly markerSuffix: string;
  /** Index keys are `indexPrefix + name + ':' + value`. */
  readonly indexPrefix: string;
  readonly channel: string;

  constructor(namespace: string, hashTags: boolean, dueShards: number) {
    this.namespace = namespace;
    this.hashTags = hashTags;
    this.dueShards = dueShards;
    const open = hashTags ? '{' : '';
    const close = hashTags ? '}' : '';
    this.sessionPrefix = `${namespace}:sessions:${open}`;
    this.sessionSuffix = close;
    this.markerPrefix = `${namespace}:sessions:expires:${open}`;
    this.markerSuffix = close;
    this.indexPrefix = `${namespace}:index:`;
    this.channel = `${namespace}:events`;
  }

  /** The session hash. */
  session(id: string): string {
    return this.sessionPrefix + id + this.sessionSuffix;
  }

  /** Where a session hides during a cross-slot id change (same slot as {@link session}). */
  moving(id: string): string {
    return `${this.session(id)}:moving`;
  }

  /** The expiry marker key (keyspace notifications only). */
  marker(id: string): string {
    return this.markerPrefix + id + this.markerSuffix;
  }

  /** The session id a marker key belongs to, or `undefined` for other keys. */
  idFromMarker(key: string): string | undefined {
    if (!key.startsWith(this.markerPrefix) || !key.endsWith(this.markerSuffix)) return undefined;
    return key.slice(this.markerPrefix.length, key.length - this.markerSuffix.length);
  }

  /** The set of session ids filed under index `name` = `value`. */
  index(name: string, value: string): string {
    return `${this.indexPrefix}${name}:${value}`;
  }

  /** The due-time set (shard) that holds `id`. */
  due(id: string): string {
    return this.dueShards === 1
      ? `${this.namespace}:expirations`
      : this.dueShard(shardOf(id, this.dueShards));
  }

  /** Every due-time set shard, for the sweeper. */
  allDue(): string[] {
    if (this.dueShards === 1) return [`${this.namespace}:expirations`];
    return Array.from({ length: this.dueShards }, (_, i) => this.dueShard(i));
  }

  private dueShard(shard: number): string {
    return `${this.namespace}:expirations:{${this.namespace}:due:${shard}}`;
  }
}

/** FNV-1a over the id's characters: a stable shard number every instance computes alike. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
