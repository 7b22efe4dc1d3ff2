import type { ServerResponse } from 'node:http';
import {
  type AnyAttributes,
  InvalidArgumentError,
  type SessionLogger,
  SessionSaveConflictError,
  SessionStoreUnavailableError,
  shortSessionId,
} from '@session/core';
import { RequestSession } from './request-session.js';
import {
  type CommitTarget,
  type HoldResponseOptions,
  holdResponseUntilCommitted,
  snapshotResponseHeaders,
} from './response-guard.js';

/*
 * What every framework adapter (Express, Koa, Fastify, Fetch/Hono) does alike, written once.
 */

/**
 * The attribute type of an adapter's augmentable `SessionData` interface: the interface once an
 * app has augmented it, else any string-keyed attributes.
 *
 * ```ts
 * export interface SessionData {}
 * export type SessionAttributes = SessionAttributesOf<SessionData>;
 * ```
 */
export type SessionAttributesOf<D extends object> = keyof D extends never ? AnyAttributes : D;

/**
 * `value` as a {@link RequestSession}, typed with `A`; throws `InvalidArgumentError` with
 * `message` when it is not one (the adapter's middleware did not run for this request). Adapters
 * build their `getSession(req)` on it.
 */
export function requireRequestSession<A extends object>(value: unknown, message: string): RequestSession<A> {
  if (!(value instanceof RequestSession)) throw new InvalidArgumentError(message);
  return value as RequestSession<A>;
}

/** What {@link guardResponse} needs of the per-request session: a `RequestSessionController` fits. */
export interface GuardedSession extends CommitTarget {
  /** Saves changes made while the body was still being written; never throws. */
  commitAfterResponse(): Promise<void>;
  /**
   * Calls back once the session needs the response's attention (a save, an id to write). When
   * present, the guard is installed only then: requests that leave their session alone pay nothing.
   */
  whenChanged?(callback: () => void): void;
  /** Told when the guard arrives after the headers already left. */
  noteHeadersSent?(): void;
}

/**
 * Protects a Node response for one request's session: holds whatever sends the headers until the
 * session is saved (`holdResponseUntilCommitted`), and once the response has finished saves what
 * changed while the body was still being written. Every adapter on `node:http` does both.
 */
export function guardResponse(
  response: ServerResponse,
  session: GuardedSession,
  options: HoldResponseOptions = {},
): void {
  // Taken now, before the app adds headers: a failed save answers with the headers of before.
  const restoreHeaders = options.restoreHeaders ?? snapshotResponseHeaders(response);
  const install = (): void => {
    if (response.headersSent) session.noteHeadersSent?.();
    else holdResponseUntilCommitted(response, session, { ...options, restoreHeaders });
    response.once('finish', () => {
      void session.commitAfterResponse();
    });
  };
  if (typeof session.whenChanged === 'function') session.whenChanged(install);
  else install();
}

/**
 * True for the store errors an HTTP client may be told about: `SessionStoreUnavailableError`
 * (503) and `SessionSaveConflictError` (409). Their messages name no id or host, so adapters mark
 * them safe to show (Koa's `expose`, Hono's `getResponse`).
 */
export function isClientSafeSessionError(
  error: unknown,
): error is SessionStoreUnavailableError | SessionSaveConflictError {
  return error instanceof SessionStoreUnavailableError || error instanceof SessionSaveConflictError;
}

/**
 * Saves a request's session once the app has produced its response (Koa after downstream
 * middleware, Fastify in `onSend`, Hono after `next()`, a fetch handler when it returns), and says
 * what the client should get:
 * - `undefined`: the save went through (or there was nothing to save); send the app's response;
 * - an error: the save failed; discard the app's response and answer this error instead.
 *
 * When the app itself failed (`appFailed`), a failed save is only logged and `undefined` is
 * returned: the app's own error is what the client sees.
 */
export async function commitWhenAppIsDone(
  session: Pick<CommitTarget, 'commit'> & { readonly session: { readonly id: string } },
  appFailed: boolean,
  logger: SessionLogger,
): Promise<unknown> {
  try {
    await session.commit();
    return undefined;
  } catch (error) {
    if (!appFailed) return error ?? new Error('the session could not be saved');
    logger.warn(
      `saving session ${shortSessionId(session.session.id)} after a failed request also failed`,
      (error as Error)?.message,
    );
    return undefined;
  }
}
