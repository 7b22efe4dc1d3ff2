import type { SessionEventSource } from './events.js';
import type { Session } from './session.js';
import type { SaveOutcome } from './store/outcome.js';

/** What a repository can do beyond the basic contract. */
export interface RepositoryCapabilities {
  /** Implements {@link FindByIndexNameSessionRepository}. */
  readonly indexed: boolean;
  /** Implements {@link SessionEventSource} (`on('expired', …)` and friends). */
  readonly events: boolean;
  /**
   * `findById` records the access itself (refreshing `lastAccessedTime` and the expiry, possibly
   * throttled by the store). Callers then never save only to record an access. Absent: `false`.
   */
  readonly touchesOnRead?: boolean;
}

/**
 * Stores sessions. Every implementation follows the store rules in docs/architecture.md:
 * delta saves, atomic saves that never resurrect a deleted session, and no backend access
 * for malformed ids.
 */
export interface SessionRepository<S extends Session = Session> {
  readonly capabilities: RepositoryCapabilities;
  /** A new session in memory, with the repository's defaults. Nothing is stored until `save`. */
  createSession(): Promise<S>;
  /**
   * The same as {@link createSession}, synchronously: for repositories that make new sessions
   * without I/O (every store built on the core kernel). Optional. Where present, the HTTP layer
   * makes the session of a request that brought none only when the app first uses it, so
   * requests that never touch their session cost no session at all.
   */
  createSessionNow?(): S;
  /**
   * Writes what changed on `session` (set and removed attributes, id change, last access,
   * interval) and says what happened. A session deleted, expired or moved to another id since it
   * was loaded is not brought back: the outcome then says why nothing was written. Never reports
   * `written` for a write that did not land.
   */
  save(session: S): Promise<SaveOutcome>;
  /** The stored session, or `null` when absent, expired or the id is malformed. */
  findById(id: string): Promise<S | null>;
  /** Removes the session. A missing or malformed id is a no-op. */
  deleteById(id: string): Promise<void>;
  /**
   * True when the session stored under `id` moved to another id (a save after `changeSessionId`)
   * within the store's id-change trail (`ID_CHANGE_TRAIL_MS`): a request presenting `id` then
   * raced that change, typically a login. The HTTP layer asks only when a presented id was not
   * found and the request is about to store a new session, so that such a request never replaces
   * the login's cookie with an anonymous one. Optional; stores without a trail leave it out.
   */
  movedRecently?(id: string): Promise<boolean>;
  /** Releases timers and connections the repository created itself. Idempotent. */
  close?(): Promise<void>;
}

/** A repository that can find sessions by index, e.g. all sessions of one user. */
export interface FindByIndexNameSessionRepository<S extends Session = Session> extends SessionRepository<S> {
  /** Sessions whose index `indexName` has `value`, keyed by session id. Never expired ones. */
  findByIndexNameAndIndexValue(indexName: string, value: string): Promise<Map<string, S>>;
  /** Sessions of one principal (user), keyed by session id. */
  findByPrincipalName(principalName: string): Promise<Map<string, S>>;
}

/** A repository that also emits session events. */
export type EventedSessionRepository<S extends Session = Session> = SessionRepository<S> &
  SessionEventSource<S>;

/** True when `repository` can find sessions by index. */
export function isIndexedRepository<S extends Session>(
  repository: SessionRepository<S>,
): repository is FindByIndexNameSessionRepository<S> {
  return (
    repository.capabilities.indexed &&
    typeof (repository as FindByIndexNameSessionRepository<S>).findByIndexNameAndIndexValue === 'function'
  );
}

/** True when `repository` emits session events. */
export function supportsEvents<S extends Session>(
  repository: SessionRepository<S>,
): repository is EventedSessionRepository<S> {
  return (
    repository.capabilities.events && typeof (repository as EventedSessionRepository<S>).on === 'function'
  );
}
