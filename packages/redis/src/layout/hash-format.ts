import {
  CorruptSessionDataError,
  MAX_INACTIVE_INTERVAL_MS,
  MAX_SESSION_TIME_MS,
  PRINCIPAL_NAME_INDEX_NAME,
} from '@session/core';
import type { RedisLayout } from './keys.js';

/** A stored session's fields, its attributes still as stored text. */
export interface StoredHash {
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
  readonly attributes: Array<[name: string, text: string]>;
  /** The compact layout's index record ({ name: value }), `{}` when none. */
  readonly record: Record<string, string>;
}

/**
 * The hash fields of a layout, and reading a hash back. Compact: `c`, `l`, `i` (ms), `x` (index
 * record), the principal at `p` and other attributes at `:<name>`. Spring: `creationTime`,
 * `lastAccessedTime`, `maxInactiveInterval` (seconds) and `sessionAttr:<name>`.
 */
export class HashFormat {
  readonly layout: RedisLayout;
  readonly created: string;
  readonly lastAccessed: string;
  readonly interval: string;
  /** Milliseconds in one unit of the stored interval. */
  readonly intervalUnitMs: number;
  readonly record: string | undefined;

  constructor(layout: RedisLayout) {
    this.layout = layout;
    const spring = layout === 'spring';
    this.created = spring ? 'creationTime' : 'c';
    this.lastAccessed = spring ? 'lastAccessedTime' : 'l';
    this.interval = spring ? 'maxInactiveInterval' : 'i';
    this.intervalUnitMs = spring ? 1000 : 1;
    this.record = spring ? undefined : 'x';
  }

  /** The hash field of an attribute. */
  attributeField(name: string): string {
    if (this.layout === 'spring') return `sessionAttr:${name}`;
    // The principal's 99-character name alone would push every logged-in hash out of Redis'
    // compact encoding.
    return name === PRINCIPAL_NAME_INDEX_NAME ? 'p' : `:${name}`;
  }

  /** The attribute a hash field holds, or `undefined` for the session's own fields. */
  attributeName(field: string): string | undefined {
    if (this.layout === 'spring') return field.startsWith('sessionAttr:') ? field.slice(12) : undefined;
    if (field === 'p') return PRINCIPAL_NAME_INDEX_NAME;
    return field.startsWith(':') ? field.slice(1) : undefined;
  }

  /**
   * Reads a stored hash. Throws {@link CorruptSessionDataError} when a required field is missing
   * or not a finite number in range (bad data is no session). An attribute stored as `''` is
   * absent: Spring writes that when an attribute is removed.
   */
  read(id: string, hash: ReadonlyMap<string, string>): StoredHash {
    const creationTime = this.#number(id, hash, this.created, MAX_SESSION_TIME_MS);
    const lastAccessedTime = this.#number(id, hash, this.lastAccessed, MAX_SESSION_TIME_MS);
    const stored = this.#number(id, hash, this.interval, MAX_INACTIVE_INTERVAL_MS / this.intervalUnitMs);
    const maxInactiveIntervalMs = stored < 0 ? -1 : stored * this.intervalUnitMs;
    const attributes: Array<[string, string]> = [];
    let record: Record<string, string> = {};
    for (const [field, text] of hash) {
      if (field === this.record) {
        record = parseRecord(text);
        continue;
      }
      const name = this.attributeName(field);
      if (name !== undefined && text !== '') attributes.push([name, text]);
    }
    return { creationTime, lastAccessedTime, maxInactiveIntervalMs, attributes, record };
  }

  #number(id: string, hash: ReadonlyMap<string, string>, field: string, limit: number): number {
    const text = hash.get(field);
    const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value) || Math.abs(value) > limit) {
      throw new CorruptSessionDataError(id, `stored session lacks a usable "${field}" field`);
    }
    return value;
  }
}

/** A flat `[field, value, field, value…]` reply as a Map. */
export function hashFromFlat(flat: readonly string[]): Map<string, string> {
  const hash = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i] as string, flat[i + 1] as string);
  return hash;
}

/**
 * Parses an index record (compact layout; the principal index is stored under the name `''`);
 * anything unreadable is an empty record.
 */
export function parseRecord(text: string | undefined | null): Record<string, string> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && v !== '') out[k === '' ? PRINCIPAL_NAME_INDEX_NAME : k] = v;
    }
    return out;
  } catch {
    return {};
  }
}
