import { isValidSessionId, type SessionEventKind } from '@session/core';
import { hashFromFlat } from '../layout/hash-format.js';

const KINDS = new Set<SessionEventKind>(['created', 'deleted', 'expired']);

/** One event as the compact layout publishes it: `{ t: kind, id, h: flat hash }`. */
export interface ParsedEvent {
  readonly type: SessionEventKind;
  readonly id: string;
  readonly hash: Map<string, string>;
}

/**
 * Reads a message from the compact layout's channel. Anyone who can PUBLISH may write there, so
 * anything that is not exactly an event of ours is ignored (`undefined`).
 */
export function parseCompactEvent(message: string): ParsedEvent | undefined {
  let parsed: { t?: unknown; id?: unknown; h?: unknown } | null;
  try {
    parsed = JSON.parse(message) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const type = parsed.t as SessionEventKind;
  const id = parsed.id;
  if (!KINDS.has(type) || !isValidSessionId(id)) return undefined;
  const flat =
    Array.isArray(parsed.h) && parsed.h.every((v) => typeof v === 'string') ? (parsed.h as string[]) : [];
  return { type, id, hash: hashFromFlat(flat) };
}

/**
 * Reads Spring Session's created event: the channel ends with the session id, the body is the new
 * hash as a Java map in Jackson's JSON. Values come back as the text the hash holds (numbers as
 * digits, attributes as their JSON), so the hash decodes like one read from Redis.
 */
export function parseSpringCreated(channel: string, prefix: string, body: string): ParsedEvent | undefined {
  if (!channel.startsWith(prefix)) return undefined;
  const id = channel.slice(prefix.length);
  if (!isValidSessionId(id)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const hash = new Map<string, string>();
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [field, value] of Object.entries(parsed)) {
      if (field === '@class') continue;
      hash.set(field, typeof value === 'number' ? String(value) : JSON.stringify(value));
    }
  }
  return { type: 'created', id, hash };
}
