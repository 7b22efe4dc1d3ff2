import {
  CorruptSessionDataError,
  consoleLogger,
  InvalidSessionIdError,
  type Session,
  type SessionLogger,
  type SessionRepository,
  shortSessionId,
} from '@session/core';
import { CookieSessionIdResolver } from './cookie-resolver.js';
import type { SessionRequest } from './exchange.js';
import type { SessionIdResolver } from './resolver.js';
import { callStore, checkStoreTimeout } from './store-call.js';

/**
 * At most this many presented ids are looked up per request; further ones are ignored, so a
 * client sending dozens of session cookies cannot multiply store traffic.
 */
export const MAX_SESSION_ID_CANDIDATES = 4;

let defaultResolver: CookieSessionIdResolver | undefined;

function resolverOrDefault(resolver: SessionIdResolver | undefined): SessionIdResolver {
  if (resolver !== undefined) return resolver;
  defaultResolver ??= new CookieSessionIdResolver();
  return defaultResolver;
}

/**
 * The session ids a request presents, valid ones only, in the order they are tried (at most
 * {@link MAX_SESSION_ID_CANDIDATES}). Works on any `http.IncomingMessage`, including a WebSocket
 * upgrade request. Default resolver: a {@link CookieSessionIdResolver} with default options.
 */
export function resolveRequestedSessionIds(request: SessionRequest, resolver?: SessionIdResolver): string[] {
  return resolverOrDefault(resolver).resolveSessionIds(request).slice(0, MAX_SESSION_ID_CANDIDATES);
}

/** How {@link findRequestedSession} looks a session up. */
export interface FindRequestedSessionOptions<S extends Session = Session> {
  repository: SessionRepository<S>;
  /** Default: a {@link CookieSessionIdResolver} with default options. */
  resolver?: SessionIdResolver;
  /** Bound on each store call, ms. Default 2000. */
  storeTimeoutMs?: number;
  /** Epoch ms clock. Default `Date.now`. */
  clock?: () => number;
  /** Where unreadable stored sessions are reported. Default: console warnings. */
  logger?: SessionLogger;
}

/** A session found from a request, with the id it was found under. */
export interface RequestedSession<S extends Session = Session> {
  readonly session: S;
  readonly sessionId: string;
}

/**
 * Finds the session a request presents: each valid id in turn (see
 * {@link resolveRequestedSessionIds}) until the store has one. Malformed ids never reach the store.
 * The found session's `lastAccessedTime` is set to now unless the store already touched it while
 * reading, so saving it persists the access. Returns `null` when no presented id exists.
 *
 * Throws `SessionStoreUnavailableError` (status 503) when the store fails or exceeds the timeout.
 * Meant for the HTTP layer and for WebSocket upgrades:
 *
 * ```ts
 * server.on('upgrade', async (req, socket) => {
 *   const found = await findRequestedSession(req, { repository, resolver });
 *   if (found === null) return socket.destroy();
 * });
 * ```
 */
export async function findRequestedSession<S extends Session>(
  request: SessionRequest,
  options: FindRequestedSessionOptions<S>,
): Promise<RequestedSession<S> | null> {
  return findWithResolvedOptions(request, {
    repository: options.repository,
    resolver: resolverOrDefault(options.resolver),
    storeTimeoutMs: checkStoreTimeout(options.storeTimeoutMs),
    clock: options.clock ?? Date.now,
    logger: options.logger ?? consoleLogger,
  });
}

/**
 * {@link findRequestedSession} for callers whose options are already validated and defaulted
 * (`HttpSessionManager`, once per request): nothing is checked or defaulted again.
 */
export async function findWithResolvedOptions<S extends Session>(
  request: SessionRequest,
  options: Required<FindRequestedSessionOptions<S>>,
): Promise<RequestedSession<S> | null> {
  const { repository, resolver, storeTimeoutMs: timeoutMs, clock, logger } = options;
  for (const id of resolveRequestedSessionIds(request, resolver)) {
    const startedAt = clock();
    let session: S | null;
    try {
      session = await callStore('findById', timeoutMs, () => repository.findById(id));
    } catch (err) {
      // Unreadable data is no session (the store rules say so); anything else is the store failing.
      if (err instanceof CorruptSessionDataError || err instanceof InvalidSessionIdError) {
        logger.warn(`ignoring unreadable session ${shortSessionId(id)}`, err.message);
        continue;
      }
      throw err;
    }
    if (session === null || session === undefined) continue;
    const now = clock();
    if (session.isExpired(now)) continue;
    // A store that records accesses itself (possibly throttled) must not be made to write again;
    // for other stores, setting the time here is what makes the next save persist the access.
    if (repository.capabilities.touchesOnRead !== true && session.lastAccessedTime < startedAt) {
      session.lastAccessedTime = now;
    }
    return { session, sessionId: id };
  }
  return null;
}
