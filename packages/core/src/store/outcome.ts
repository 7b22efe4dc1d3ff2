import { SessionError } from '../errors.js';

/**
 * Why a save wrote nothing although the session had changes:
 * - `deleted`: the stored session is gone (deleted, evicted, or removed by the backend's TTL);
 * - `expired`: it is stored but past its idle timeout;
 * - `moved`: another copy changed its id meanwhile (the session lives on under an id this copy
 *   must not learn: following it would defeat session fixation protection).
 */
export type SaveRejection = 'deleted' | 'expired' | 'moved';

/**
 * What `SessionRepository.save` did. A save never reports success for a write that did not land:
 *
 * - `written`: the changes are stored, under `id`;
 * - `unchanged`: there was nothing to write (the stored session already holds this state);
 * - `deleted` | `expired` | `moved`: nothing was written, see {@link SaveRejection}.
 */
export type SaveOutcome =
  | { readonly status: 'written'; readonly id: string }
  | { readonly status: 'unchanged'; readonly id: string }
  | { readonly status: SaveRejection; readonly id: string };

/** Every status a {@link SaveOutcome} can have. */
export const SAVE_STATUSES: readonly SaveOutcome['status'][] = [
  'written',
  'unchanged',
  'deleted',
  'expired',
  'moved',
];

/** The outcome of a save that stored its changes under `id`. */
export function writtenOutcome(id: string): SaveOutcome {
  return { status: 'written', id };
}

/** The outcome of a save that had nothing to write. */
export function unchangedOutcome(id: string): SaveOutcome {
  return { status: 'unchanged', id };
}

/** The outcome of a save that found its session `deleted`, `expired` or `moved`; `id` is the id it was saved under. */
export function rejectedOutcome(status: SaveRejection, id: string): SaveOutcome {
  return { status, id };
}

/** True when the save's changes are in the store (`written`, or `unchanged`: nothing needed writing). */
export function isSaved(outcome: SaveOutcome): boolean {
  return outcome.status === 'written' || outcome.status === 'unchanged';
}

/** True for a well-formed {@link SaveOutcome} (checks values that come from other packages' stores). */
export function isSaveOutcome(value: unknown): value is SaveOutcome {
  const v = value as { status?: unknown; id?: unknown } | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    SAVE_STATUSES.includes(v.status as SaveOutcome['status']) &&
    typeof v.id === 'string'
  );
}

/**
 * A save that changed something did not land because the session was deleted, expired or moved
 * to another id meanwhile. HTTP integrations answer it with `status` (409 Conflict) unless the
 * app handles it: the request's write is not in the store, and the client should retry with the
 * session it has now.
 */
export class SessionSaveConflictError extends SessionError {
  readonly status = 409;
  /** Why nothing was written. */
  readonly reason: SaveRejection;
  /** The id the save was made under. */
  readonly sessionId: string;

  constructor(outcome: { status: SaveRejection; id: string }, message?: string) {
    super(
      'SESSION_SAVE_CONFLICT',
      message ??
        `The session changes were not saved: the session was ${outcome.status === 'moved' ? 'moved to another id' : outcome.status} meanwhile`,
    );
    this.reason = outcome.status;
    this.sessionId = outcome.id;
  }
}
