import { MAX_INACTIVE_INTERVAL_MS } from '@session/core';
import { COOKIE_FIELD, METADATA_FIELD } from './attribute-codec.js';
import type { BridgeMetadata, ExpressSessionCookieData, StoredSessionRecord } from './store-types.js';

/** The range of a JavaScript `Date`, in epoch ms. */
const MAX_DATE_MS = 8.64e15;

/** A session's timing as read from a stored record. */
export interface RecordTiming {
  /** From the bridge metadata; `undefined` for sessions written by express-session itself. */
  readonly creationTime: number | undefined;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
}

/** True for what a store may hand back as a session: a plain object whose `cookie`, if any, is an object. */
export function isStoredRecord(value: unknown): value is StoredSessionRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const cookie = (value as StoredSessionRecord).cookie;
  return cookie === undefined || cookie === null || (typeof cookie === 'object' && !Array.isArray(cookie));
}

/** Names of the attributes in a record (everything but the cookie and the bridge metadata). */
export function recordAttributeNames(record: StoredSessionRecord): string[] {
  return Object.keys(record).filter((name) => name !== COOKIE_FIELD && name !== METADATA_FIELD);
}

function readMetadata(record: StoredSessionRecord): BridgeMetadata | undefined {
  const meta = record[METADATA_FIELD] as Partial<BridgeMetadata> | null | undefined;
  if (meta === null || typeof meta !== 'object') return undefined;
  const { creationTime, lastAccessedTime, maxInactiveIntervalMs } = meta;
  if (!Number.isFinite(creationTime) || !Number.isFinite(lastAccessedTime)) return undefined;
  if (!Number.isFinite(maxInactiveIntervalMs)) return undefined;
  return meta as BridgeMetadata;
}

function epochMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string'
        ? Date.parse(value)
        : typeof value === 'number'
          ? value
          : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Reads a record's timing. The cookie is what express-session apps read and change, so it wins
 * where it disagrees with the bridge metadata; the metadata adds what the cookie cannot say
 * (creation time, exact last access, intervals that never expire).
 *
 * - Interval: the metadata's when the cookie's `originalMaxAge` agrees with it (a negative
 *   interval is stored as `originalMaxAge: null`) or there is no cookie, else `originalMaxAge`,
 *   else never expires; at most `MAX_INACTIVE_INTERVAL_MS`.
 * - Last access: the later of the metadata's and `cookie.expires - originalMaxAge` (express-session
 *   moves `expires` on every request it saves or touches in place); `now` when neither is known.
 */
export function readTiming(record: StoredSessionRecord, now: number): RecordTiming {
  const cookie = (record.cookie ?? undefined) as ExpressSessionCookieData | undefined;
  const cookieMaxAge =
    typeof cookie?.originalMaxAge === 'number' && Number.isFinite(cookie.originalMaxAge)
      ? cookie.originalMaxAge
      : undefined;
  const meta = readMetadata(record);
  // No cookie at all says nothing about the interval; a cookie without a max age says "never".
  const metaAgrees =
    meta !== undefined &&
    (cookie === undefined ||
      (cookieMaxAge === undefined
        ? meta.maxInactiveIntervalMs < 0
        : cookieMaxAge === meta.maxInactiveIntervalMs));
  // express-session takes any maxAge; core's sessions hold at most 2^31-1 seconds (68 years).
  const maxInactiveIntervalMs = Math.min(
    metaAgrees ? meta.maxInactiveIntervalMs : (cookieMaxAge ?? -1),
    MAX_INACTIVE_INTERVAL_MS,
  );

  const expires = epochMs(cookie?.expires);
  const fromCookie = cookieMaxAge !== undefined && expires !== undefined ? expires - cookieMaxAge : undefined;
  const candidates = [meta?.lastAccessedTime, fromCookie].filter((t): t is number => t !== undefined);
  const lastAccessedTime = candidates.length > 0 ? Math.max(...candidates) : now;
  return { creationTime: meta?.creationTime, lastAccessedTime, maxInactiveIntervalMs };
}

/** True once the idle timeout has passed (never for a negative interval). */
export function isTimingExpired(timing: RecordTiming, now: number): boolean {
  return timing.maxInactiveIntervalMs >= 0 && now - timing.lastAccessedTime >= timing.maxInactiveIntervalMs;
}

/** The exact timing the bridge writes. */
export interface WriteTiming {
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
}

/** Cookie fields written on sessions the bridge creates, before any stored cookie's. */
export type CookieDefaults = Omit<ExpressSessionCookieData, 'originalMaxAge' | 'expires'>;

/** What a save changes in a record: values already encoded by the attribute codec. */
export interface RecordChanges {
  readonly set: ReadonlyMap<string, unknown>;
  readonly removed: ReadonlySet<string>;
}

/** Sets a property; `__proto__` becomes an own property, never the object's prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * The record to store: `base` (the stored record, or nothing for a new session) with `changes`
 * applied and the cookie and metadata rewritten for `timing`. `base` itself is not modified.
 * Other cookie fields (path, domain, sameSite…) set by an express-session app are kept.
 */
export function buildRecord(
  base: StoredSessionRecord | undefined,
  timing: WriteTiming,
  changes: RecordChanges,
  cookieDefaults: CookieDefaults,
): StoredSessionRecord {
  const { creationTime, lastAccessedTime } = timing;
  // JSON has no Infinity: an unbounded interval is stored as "never expires".
  const interval = Number.isFinite(timing.maxInactiveIntervalMs) ? timing.maxInactiveIntervalMs : -1;
  const expires =
    interval < 0
      ? null
      : new Date(Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, lastAccessedTime + interval))).toISOString();
  const storedCookie = base?.cookie ?? {};
  const cookie: ExpressSessionCookieData = {
    ...cookieDefaults,
    ...storedCookie,
    originalMaxAge: interval < 0 ? null : interval,
    expires,
  };
  const metadata: BridgeMetadata = { creationTime, lastAccessedTime, maxInactiveIntervalMs: interval };
  // Same property order as express-session's own records: cookie first.
  const record: Record<string, unknown> = { [COOKIE_FIELD]: cookie };
  if (base !== undefined) {
    for (const name of recordAttributeNames(base)) {
      if (!changes.removed.has(name) && !changes.set.has(name)) assign(record, name, base[name]);
    }
  }
  for (const [name, value] of changes.set) assign(record, name, value);
  record[METADATA_FIELD] = metadata;
  return record as StoredSessionRecord;
}
