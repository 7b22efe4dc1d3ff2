/**
 * Entry TTLs that never end a session early.
 *
 * A Hazelcast 5.x member does not keep the TTL it is given but the expiration instant, in whole
 * seconds of its wall clock, rounded down: a 2,000 ms TTL set 900 ms into a second lives about
 * 1,100 ms. Sending the session's remaining life as the TTL would drop the entry (and fire
 * `expired`) up to a second before the session is due. So the TTL is
 *
 *     ceil(due / 1 s) * 1 s - now + 1 s
 *
 * - the first part ends on a whole second at or after the due time, which rounding down keeps
 *   when the member's clock agrees with ours;
 * - the extra second absorbs clock differences: the member rounds on its own second boundaries
 *   (its clock's sub-second offset from ours, and the time the request travels, move the
 *   instant), and the due time was stamped by whichever app instance last touched the session.
 *
 * An entry therefore outlives its session by one to two seconds. Nothing sees that: reads check
 * the stored times and never return an expired session, and `expired` events are held back
 * until the due time anyway (events.ts).
 */

import { documentDueAt, type SessionDocument } from './document.js';

/** The member's expiry resolution: expiration instants are whole seconds, rounded down. */
export const MEMBER_EXPIRY_RESOLUTION_MS = 1000;

/** Added to every entry TTL for clock differences between the member and the app instances. */
export const ENTRY_TTL_CLOCK_MARGIN_MS = 1000;

/**
 * The entry TTL (ms) that keeps an entry at least until `dueAt` on a member that rounds expiry
 * down to whole seconds; `0` (forever) for `null`. Never below 1 ms (`0` would mean forever).
 */
export function entryTtlUntil(dueAt: number | null, now: number): number {
  if (dueAt === null) return 0;
  const wholeSecond = Math.ceil(dueAt / MEMBER_EXPIRY_RESOLUTION_MS) * MEMBER_EXPIRY_RESOLUTION_MS;
  return Math.max(1, wholeSecond - now + ENTRY_TTL_CLOCK_MARGIN_MS);
}

/** The entry TTL for a session document: until its due time (see above); `0` (forever) when it never expires. */
export function documentTtl(doc: SessionDocument, now: number): number {
  return entryTtlUntil(documentDueAt(doc), now);
}
