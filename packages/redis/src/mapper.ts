import {
  CorruptSessionDataError,
  isSessionError,
  MapSession,
  type SaveMode,
  type SessionIdGenerator,
  type SessionSerializer,
} from '@session/core';

/** Hash field names, as Spring Session writes them (plus two of ours that Spring ignores). */
export const HASH_FIELDS = {
  creationTime: 'creationTime',
  lastAccessedTime: 'lastAccessedTime',
  /** Whole seconds, as Spring stores it; -1 for "never expires". */
  maxInactiveInterval: 'maxInactiveInterval',
  /** Exact ms, only written when the interval is not whole seconds. Ours. */
  maxInactiveIntervalMs: 'maxInactiveIntervalMs',
  /** JSON `{ indexName: value }` of the indexes this session is filed under. Ours. */
  indexes: 'sessionIndexes',
} as const;

/** Attribute fields are `sessionAttr:<name>`, as in Spring Session. */
export const ATTRIBUTE_PREFIX = 'sessionAttr:';

/** What a {@link RedisSessionMapper} gets besides the hash. */
export interface RedisSessionMapperContext {
  readonly serializer: SessionSerializer;
  readonly saveMode: SaveMode;
  readonly idGenerator: SessionIdGenerator;
}

/**
 * Turns a stored hash into a session, like Spring's `RedisSessionMapper`. Throw (ideally
 * `CorruptSessionDataError`) when the hash is not a usable session: the repository then logs
 * it, removes it and answers "no session".
 */
export type RedisSessionMapper = (
  id: string,
  hash: ReadonlyMap<string, string>,
  context: RedisSessionMapperContext,
) => MapSession;

/** Reads a number field; Spring's JSON serializer writes plain numbers too. */
function numberField(id: string, hash: ReadonlyMap<string, string>, name: string): number {
  const text = hash.get(name);
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new CorruptSessionDataError(id, `stored session lacks a numeric "${name}" field`);
  }
  return value;
}

/** Spring's seconds field for an interval in ms: whole seconds rounded up, -1 for "never". */
export function intervalSeconds(ms: number): number {
  return ms < 0 ? -1 : Math.ceil(ms / 1000);
}

/**
 * The idle timeout in ms: the exact ms field while it still matches Spring's seconds field (a
 * Spring service that changed the interval wrote only the seconds), else the seconds.
 */
export function intervalFromHash(id: string, hash: ReadonlyMap<string, string>): number {
  const hasSeconds = hash.has(HASH_FIELDS.maxInactiveInterval);
  if (hash.has(HASH_FIELDS.maxInactiveIntervalMs)) {
    const ms = numberField(id, hash, HASH_FIELDS.maxInactiveIntervalMs);
    if (!hasSeconds || numberField(id, hash, HASH_FIELDS.maxInactiveInterval) === intervalSeconds(ms))
      return ms;
  }
  return numberField(id, hash, HASH_FIELDS.maxInactiveInterval) * 1000;
}

/** The default mapper: Spring's layout, attributes decoded with the repository's serializer. */
export const defaultRedisSessionMapper: RedisSessionMapper = (id, hash, context) => {
  const creationTime = numberField(id, hash, HASH_FIELDS.creationTime);
  const lastAccessedTime = numberField(id, hash, HASH_FIELDS.lastAccessedTime);
  const maxInactiveIntervalMs = intervalFromHash(id, hash);
  const attributes: Array<[string, unknown]> = [];
  for (const [field, text] of hash) {
    if (!field.startsWith(ATTRIBUTE_PREFIX)) continue;
    const name = field.slice(ATTRIBUTE_PREFIX.length);
    try {
      attributes.push([name, context.serializer.deserialize(text, name)]);
    } catch (err) {
      const reason = isSessionError(err) ? err.message : `attribute "${name}" does not decode`;
      throw new CorruptSessionDataError(id, reason, { cause: err });
    }
  }
  return new MapSession({
    id,
    creationTime,
    lastAccessedTime,
    maxInactiveIntervalMs,
    attributes,
    isNew: false,
    saveMode: context.saveMode,
    idGenerator: context.idGenerator,
  });
};

/** A flat `[field, value, field, value…]` reply as a Map. */
export function hashFromFlat(flat: readonly string[]): Map<string, string> {
  const hash = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i] as string, flat[i + 1] as string);
  return hash;
}

/** The index record a hash carries (`{}` when none or unreadable). */
export function recordFromHash(hash: ReadonlyMap<string, string>): Record<string, string> {
  return parseRecord(hash.get(HASH_FIELDS.indexes));
}

/** Parses an index record written by the scripts; anything unreadable is an empty record. */
export function parseRecord(text: string | undefined | null): Record<string, string> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && v !== '') out[k] = v;
    return out;
  } catch {
    return {};
  }
}
