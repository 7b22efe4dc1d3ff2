import { InvalidArgumentError } from '@session/core';
import type { SessionExchange, SessionRequest } from './exchange.js';
import type { SessionIdResolver } from './resolver.js';

/** Options of {@link CompositeSessionIdResolver}. */
export interface CompositeSessionIdResolverOptions {
  /**
   * Where ids are written.
   * - `'matched'` (default): a session found through one resolver's id is answered through that
   *   resolver only (an API client using the header gets no cookie); a new session, or one whose
   *   id no resolver presented, goes to every resolver. Invalidation clears every resolver that
   *   presented an id, or all when none did.
   * - `'all'`: every resolver, always.
   */
  writeTo?: 'matched' | 'all';
}

/**
 * Combines resolvers, e.g. a cookie for browsers and a header for API clients. Candidate ids are
 * tried in resolver order, so the first resolver presenting an id that exists in the store wins.
 *
 * ```ts
 * new CompositeSessionIdResolver([new HeaderSessionIdResolver(), new CookieSessionIdResolver()]);
 * ```
 */
export class CompositeSessionIdResolver implements SessionIdResolver {
  /** The combined resolvers, in the order their ids are tried. */
  readonly resolvers: readonly SessionIdResolver[];
  readonly #writeTo: 'matched' | 'all';

  constructor(resolvers: readonly SessionIdResolver[], options: CompositeSessionIdResolverOptions = {}) {
    if (!Array.isArray(resolvers) || resolvers.length === 0) {
      throw new InvalidArgumentError('CompositeSessionIdResolver needs at least one resolver');
    }
    const writeTo = options.writeTo ?? 'matched';
    if (writeTo !== 'matched' && writeTo !== 'all') {
      throw new InvalidArgumentError(`writeTo must be 'matched' or 'all', got ${String(writeTo)}`);
    }
    this.resolvers = [...resolvers];
    this.#writeTo = writeTo;
  }

  resolveSessionIds(request: SessionRequest): string[] {
    const ids: string[] = [];
    for (const resolver of this.resolvers) {
      for (const id of resolver.resolveSessionIds(request)) if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  setSessionId(exchange: SessionExchange, sessionId: string): void {
    for (const resolver of this.#targets(exchange, 'set')) resolver.setSessionId(exchange, sessionId);
  }

  /**
   * Asks the resolver the id is answered through (every resolver with `writeTo: 'all'`). Which
   * resolver presented the id is worked out only when one of them would refresh at all.
   */
  refreshSessionId(
    request: SessionRequest,
    sessionId: string,
    cookieMaxAgeSeconds: number | null | undefined,
  ): boolean {
    let matched: SessionIdResolver | undefined;
    let matchKnown = false;
    for (const resolver of this.resolvers) {
      if (resolver.refreshSessionId?.(request, sessionId, cookieMaxAgeSeconds) !== true) continue;
      if (this.#writeTo === 'all') return true;
      if (!matchKnown) {
        matched = this.resolvers.find((candidate) =>
          candidate.resolveSessionIds(request).includes(sessionId),
        );
        matchKnown = true;
      }
      if (matched === resolver) return true;
    }
    return false;
  }

  expireSession(exchange: SessionExchange): void {
    for (const resolver of this.#targets(exchange, 'expire')) resolver.expireSession(exchange);
  }

  #targets(exchange: SessionExchange, kind: 'set' | 'expire'): readonly SessionIdResolver[] {
    if (this.#writeTo === 'all') return this.resolvers;
    const requested = exchange.requestedSessionId;
    const presenting = this.resolvers.filter((resolver) => {
      const ids = resolver.resolveSessionIds(exchange.request);
      return kind === 'set' ? requested !== undefined && ids.includes(requested) : ids.length > 0;
    });
    // For a set, the first resolver holding the id is the one that matched.
    const chosen = kind === 'set' ? presenting.slice(0, 1) : presenting;
    return chosen.length > 0 ? chosen : this.resolvers;
  }
}
