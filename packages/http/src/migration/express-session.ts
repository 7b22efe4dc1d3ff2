import { InvalidArgumentError, type Session, type SessionRepository } from '@session/core';
import { readCookieValues } from '../cookie-header.js';
import type { SessionExchange, SessionRequest } from '../exchange.js';
import { MAX_SESSION_ID_CANDIDATES } from '../find-session.js';
import { checkSecrets, unsignExpressSessionCookie } from '../signed-cookie.js';
import { checkLegacyCookie, expireLegacyCookie, type LegacyCookieScope } from './legacy-cookie.js';
import type { LegacySession, LegacySessionSource } from './source.js';

/** Options of {@link expressSessionSource}: the express-session settings the app ran with. */
export interface ExpressSessionSourceOptions {
  /**
   * The express-session store as a repository, through `@session/express-session-bridge`:
   * `fromExpressSessionStore(new RedisStore({ client, prefix }), { trustStoreExpiry: true })`
   * (the store's own TTL then decides what is still alive, as it did for express-session).
   */
  repository: Pick<SessionRepository<Session>, 'findById' | 'deleteById'>;
  /** express-session's `secret`: one secret or the list (every one is tried, as express-session does). */
  secret: string | readonly string[];
  /** express-session's `name`. Default `connect.sid`. */
  cookieName?: string;
  /** express-session's `cookie.path` and `cookie.domain`, so the old cookie can be deleted. Default path `/`. */
  cookie?: LegacyCookieScope;
}

/**
 * Moves express-session sessions over (`HttpSessionOptions.migrateFrom`): reads the signed
 * `connect.sid` cookie (`s:<id>.<HMAC-SHA256>`, any of the old secrets), loads the session from
 * the old store, and once the new session is stored deletes the old one and expires the old cookie.
 * Cookies that are unsigned or badly signed are ignored without a store call.
 *
 * ```ts
 * session({
 *   repository,
 *   migrateFrom: expressSessionSource({
 *     repository: fromExpressSessionStore(oldStore, { trustStoreExpiry: true }),
 *     secret: process.env.OLD_SESSION_SECRET,
 *   }),
 * });
 * ```
 */
export function expressSessionSource(options: ExpressSessionSourceOptions): LegacySessionSource {
  const repository = options?.repository;
  if (typeof repository?.findById !== 'function' || typeof repository.deleteById !== 'function') {
    throw new InvalidArgumentError(
      'expressSessionSource needs the old store as a repository: fromExpressSessionStore(store) of @session/express-session-bridge',
    );
  }
  const secrets = checkSecrets('secret', options.secret);
  const cookieName = options.cookieName ?? 'connect.sid';
  const scope = checkLegacyCookie('cookieName', cookieName, options.cookie);

  return {
    name: 'express-session',
    async find(request: SessionRequest): Promise<LegacySession | null> {
      const values = readCookieValues(request.headers.cookie, cookieName).slice(0, MAX_SESSION_ID_CANDIDATES);
      for (const value of values) {
        const id = unsignExpressSessionCookie(value, secrets);
        if (id === undefined) continue;
        // The bridge refuses ids that fail the id syntax check without asking its store.
        const found = await repository.findById(id);
        if (found === null || found === undefined) continue;
        const attributes = found
          .names()
          .map((name) => [name, (found as Session<Record<string, unknown>>).get(name)] as const);
        return { key: id, attributes };
      }
      return null;
    },
    async remove(session: LegacySession): Promise<void> {
      await repository.deleteById(session.key);
    },
    expireCookies(exchange: SessionExchange): void {
      expireLegacyCookie(exchange, cookieName, scope);
    },
  };
}
