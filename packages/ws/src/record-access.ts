import {
  isMapSession,
  isSaved,
  isSaveOutcome,
  type SaveRejection,
  type Session,
  type SessionRepository,
} from '@session/core';
import { callStore } from '@session/http';

/**
 * True when a save of `session` has anything to write. A `MapSession` knows (core's change
 * tracking); any other `Session` is saved every time and its store decides what to write.
 */
export function hasUnsavedChanges(session: Session): boolean {
  return isMapSession(session) ? session.hasChanges() : true;
}

/**
 * Stores the access recorded on `session` (its refreshed `lastAccessedTime`), unless there is
 * nothing to write (stores that touch while reading). Resolves `'saved'`, or why the store wrote
 * nothing because the session is gone: `deleted`, `expired`, or `moved` to another id meanwhile.
 * Store failures reject, as `callStore` maps them.
 */
export async function saveAccess<S extends Session>(
  repository: SessionRepository<S>,
  session: S,
  storeTimeoutMs: number,
): Promise<'saved' | SaveRejection> {
  if (!hasUnsavedChanges(session)) return 'saved';
  const outcome: unknown = await callStore('save', storeTimeoutMs, () => repository.save(session));
  // A store written against the old contract (`save(): Promise<void>`) says nothing: take its word.
  if (!isSaveOutcome(outcome) || isSaved(outcome)) return 'saved';
  return outcome.status as SaveRejection;
}
