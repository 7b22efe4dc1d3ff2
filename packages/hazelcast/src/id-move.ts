/**
 * `changeSessionId` on the map: the session moves from one key to another, and the old key keeps
 * a `movedTo` marker for the id-change trail (`ID_CHANGE_TRAIL_MS`, core's rule for every store):
 *
 * - a stale copy saved under the old id finds the marker and reports `moved`. It never follows
 *   it: the old id may have been planted before a login, and following would hand the
 *   post-login session to whoever holds it (session fixation);
 * - `deleteById(old)` follows the markers (a bounded number of hops) and deletes the session
 *   under its new id too, so a logout racing the login that rotated the id still signs out;
 * - reads and index queries treat a marker as no session, and its expiry or removal is no
 *   session event (events.ts).
 */

import {
  ID_CHANGE_TRAIL_MS,
  InvalidSessionIdError,
  isValidSessionId,
  MAX_ID_CHANGE_HOPS,
} from '@session/core';
import { HazelcastJsonValue } from 'hazelcast-client';
import { documentText, moveMarker, parseDocument, type SessionDocument } from './document.js';
import { compareAndSet, readText, removeEntry } from './entry-ops.js';
import { documentTtl, entryTtlUntil } from './entry-ttl.js';
import type { MapConnection } from './map-connection.js';

/** What one move needs: the old key and its exact text, the stored and the merged document, the new key. */
export interface MoveRequest {
  readonly fromKey: string;
  readonly fromText: string;
  readonly stored: SessionDocument;
  readonly toKey: string;
  /** The session after the save's changes, as it will be stored under `toKey`. */
  readonly merged: SessionDocument;
  readonly now: number;
}

/**
 * How a move ended: `moved` (the session lives under the new key, stored as `text`), `conflict`
 * (the old document changed meanwhile: read it again and retry), `deleted` (a `deleteById`
 * removed the marker while the move was under way: the session is gone).
 */
export type MoveResult =
  | { readonly status: 'moved'; readonly text: string }
  | { readonly status: 'conflict' | 'deleted' };

/**
 * Moves a session in three steps that keep concurrent writers right:
 *
 * 1. compare-and-set the old document into a marker (a session changed or deleted meanwhile is
 *    not moved; from here every reader of the old id sees "moved");
 * 2. `putIfAbsent` the new document, marked `movedFrom` (its add event is not a creation). A
 *    taken id puts the old document back and fails: the id generator repeated an id;
 * 3. give the marker the trail's TTL. `setTtl` also says whether the marker is still there: a
 *    `deleteById` that removed it between 1 and 3 found no session under the new id yet, so this
 *    move removes it itself and reports `deleted` (the logout wins).
 */
export async function moveSession(connection: MapConnection, request: MoveRequest): Promise<MoveResult> {
  const { fromKey, fromText, stored, toKey, merged, now } = request;
  const markerText = documentText(moveMarker(fromKey, stored, toKey, now));
  // Not pipelined with a TTL change: on a lost race the trail's TTL would land on a live session.
  if (!(await compareAndSet(connection, fromKey, fromText, markerText))) return { status: 'conflict' };
  const toText = documentText({ ...merged, movedFrom: fromKey });
  const existing = await connection.call('putIfAbsent', (map) =>
    map.putIfAbsent(toKey, new HazelcastJsonValue(toText), documentTtl(merged, now)),
  );
  if (existing !== null && existing !== undefined) {
    // The marker still has the session's TTL (step 3 did not run): putting the text back restores it.
    await connection.call('replaceIfSame', (map) =>
      map.replaceIfSame(fromKey, new HazelcastJsonValue(markerText), new HazelcastJsonValue(fromText)),
    );
    throw new InvalidSessionIdError(
      'The changed session id is already in use: the id generator repeated an id',
    );
  }
  if (!(await connection.call('setTtl', (map) => map.setTtl(fromKey, trailTtl(now, now))))) {
    await removeEntry(connection, toKey);
    return { status: 'deleted' };
  }
  return { status: 'moved', text: toText };
}

/** The TTL that keeps a marker written at `movedAt` until the end of the id-change trail. */
export function trailTtl(movedAt: number, now: number): number {
  return entryTtlUntil(movedAt + ID_CHANGE_TRAIL_MS, now);
}

/**
 * A save that lost its compare-and-set to a move may have restarted the old key's TTL with the
 * session's (its TTL restart travels with the compare-and-set): give the marker its trail back,
 * so it does not outlive the trail by the session's whole idle timeout.
 */
export async function restoreTrailTtl(
  connection: MapConnection,
  key: string,
  marker: SessionDocument,
  now: number,
): Promise<void> {
  await connection.call('setTtl', (map) => map.setTtl(key, trailTtl(marker.movedAt ?? now, now)));
}

/**
 * The id a stored text says its session moved to within the id-change trail, or `undefined`
 * (not a marker, unreadable, malformed target, or a marker older than the trail: its TTL is
 * rounded up, so it may outlive the trail by a second or two).
 */
export function recentMoveTarget(key: string, text: string, now: number): string | undefined {
  let doc: SessionDocument;
  try {
    doc = parseDocument(key, text);
  } catch {
    return undefined;
  }
  const to = doc.movedTo;
  if (to === undefined || !isValidSessionId(to)) return undefined;
  if (doc.movedAt !== undefined && now - doc.movedAt >= ID_CHANGE_TRAIL_MS) return undefined;
  return to;
}

/**
 * Deletes the session under `id` and, when `id` holds a recent move marker, the session under
 * the id it moved to (following up to `MAX_ID_CHANGE_HOPS` markers). The markers are removed too:
 * that is how a move still under way learns of the deletion (step 3 of {@link moveSession}).
 */
export async function deleteFollowingMoves(
  connection: MapConnection,
  id: string,
  now: number,
): Promise<void> {
  const visited = new Set<string>();
  let key: string | undefined = id;
  for (let hop = 0; key !== undefined && hop <= MAX_ID_CHANGE_HOPS && !visited.has(key); hop++) {
    visited.add(key);
    const text = await removeEntry(connection, key);
    key = text === null ? undefined : recentMoveTarget(key, text, now);
  }
}

/** True when `id` holds a move marker within the id-change trail. */
export async function movedRecently(connection: MapConnection, id: string, now: number): Promise<boolean> {
  const text = await readText(connection, id);
  return text !== null && recentMoveTarget(id, text, now) !== undefined;
}
