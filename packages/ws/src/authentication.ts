import type { IncomingMessage } from 'node:http';
import type { Session } from '@session/core';
import { findRequestedSession, type SessionIdResolver } from '@session/http';
import {
  defaultUpgradeResolver,
  idsFromProtocols,
  idsFromQuery,
  idsFromResolver,
  type UpgradeIdCandidate,
  validCandidates,
} from './id-sources.js';
import type { ResolvedWebSocketSessionOptions, UpgradeIdResolver } from './options.js';
import { originAllowed } from './origin.js';
import { saveAccess } from './record-access.js';
import type { UpgradeResult } from './types.js';

/** A resolver that presents exactly `ids`, to run `findRequestedSession` over our filtered candidates. */
function presenting(ids: string[]): SessionIdResolver {
  return { resolveSessionIds: () => ids, setSessionId() {}, expireSession() {} };
}

const STORE_FAILED = { ok: false, status: 503, message: 'Session store unavailable' } as const;
const HOOK_FAILED = { ok: false, status: 500, message: 'Internal Server Error' } as const;

/**
 * Decides whether an upgrade request may open a socket, and with which session: reads the ids it
 * carries (resolver, subprotocol, query), drops cookie-borne ids from refused origins, finds the
 * live session, runs `authorize`, and records the upgrade as an access. It never touches the
 * request or socket; `WebSocketSessions` exposes the result.
 */
export class UpgradeAuthenticator<S extends Session> {
  readonly #options: ResolvedWebSocketSessionOptions<S>;
  readonly #resolver: UpgradeIdResolver;

  constructor(options: ResolvedWebSocketSessionOptions<S>) {
    this.#options = options;
    this.#resolver = options.resolver ?? defaultUpgradeResolver();
  }

  async authenticate(req: IncomingMessage): Promise<UpgradeResult<S>> {
    const { repository, logger, clock, storeTimeoutMs } = this.#options;
    let usable: UpgradeIdCandidate[];
    let refusedOrigin = false;
    try {
      const candidates = this.#candidates(req);
      // Browsers attach cookies to cross-site sockets; ids in headers, the URL or the protocol list they cannot forge.
      const cookieBorne = candidates.some((c) => c.source === 'cookie');
      const originOk = !cookieBorne || originAllowed(this.#options.allowedOrigins, req);
      usable = originOk ? candidates : candidates.filter((c) => c.source !== 'cookie');
      refusedOrigin = usable.length < candidates.length;
    } catch (err) {
      logger.error('reading the session id of a WebSocket upgrade failed', err);
      return HOOK_FAILED;
    }
    if (usable.length > 0) {
      let found: { session: S; sessionId: string } | null;
      try {
        found = await findRequestedSession(req, {
          repository,
          resolver: presenting(usable.map((c) => c.id)),
          storeTimeoutMs,
          clock,
          logger,
        });
      } catch (err) {
        logger.error('session store failed during a WebSocket upgrade', err);
        return STORE_FAILED;
      }
      if (found !== null) {
        const { session, sessionId } = found;
        if (this.#options.authorize !== undefined) {
          let allowed: boolean;
          try {
            allowed = await this.#options.authorize(session, req);
          } catch (err) {
            logger.error('the authorize hook of a WebSocket upgrade threw', err);
            return HOOK_FAILED;
          }
          if (!allowed) return { ok: false, status: 403, message: 'Forbidden' };
        }
        // The upgrade is an access; findRequestedSession set the time unless the store already did.
        let access: Awaited<ReturnType<typeof saveAccess>>;
        try {
          access = await saveAccess(repository, session, storeTimeoutMs);
        } catch (err) {
          logger.error('session store failed during a WebSocket upgrade', err);
          return STORE_FAILED;
        }
        if (access === 'saved') {
          const source = usable.find((c) => c.id === sessionId)?.source ?? 'cookie';
          return { ok: true, session, source };
        }
        // Deleted, expired or moved while we looked: there is no session to open a socket for.
      }
    }
    if (this.#options.allowAnonymous) return { ok: true, session: null, source: null };
    if (refusedOrigin) return { ok: false, status: 403, message: 'Origin not allowed' };
    return { ok: false, status: 401, message: 'Session required' };
  }

  #candidates(req: IncomingMessage): UpgradeIdCandidate[] {
    const { queryParameter, protocolPrefix } = this.#options;
    const found = idsFromResolver(req, this.#resolver);
    if (protocolPrefix !== undefined) found.push(...idsFromProtocols(req, protocolPrefix));
    if (queryParameter !== undefined) found.push(...idsFromQuery(req, queryParameter));
    return validCandidates(found);
  }
}
