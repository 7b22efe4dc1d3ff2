import type { IncomingMessage } from 'node:http';
import { isValidSessionId } from '@session/core';
import { CompositeSessionIdResolver, CookieSessionIdResolver, HeaderSessionIdResolver } from '@session/http';
import type { UpgradeIdResolver } from './options.js';

/** Where an upgrade request carried its session id. */
export type SessionIdSource = 'cookie' | 'header' | 'query' | 'protocol';

/** One session id found on an upgrade request. */
export interface UpgradeIdCandidate {
  readonly id: string;
  readonly source: SessionIdSource;
}

/** The default for upgrades: the `SESSION` cookie as `@session/http` writes it, then `X-Auth-Token`. */
export function defaultUpgradeResolver(): CompositeSessionIdResolver {
  return new CompositeSessionIdResolver([
    new CookieSessionIdResolver(),
    HeaderSessionIdResolver.xAuthToken(),
  ]);
}

/**
 * Ids from a resolver, tagged with how they travelled, as the resolver declares it
 * (`SessionIdResolver.transport`; a resolver combining others is asked resolver by resolver).
 * Browsers cannot put headers on a WebSocket handshake, so `'header'` ids need no origin check;
 * everything else, resolvers that declare nothing included, counts as a cookie and gets one.
 */
export function idsFromResolver(req: IncomingMessage, resolver: UpgradeIdResolver): UpgradeIdCandidate[] {
  if (resolver.resolvers !== undefined && resolver.resolvers.length > 0) {
    return resolver.resolvers.flatMap((inner) => idsFromResolver(req, inner));
  }
  const source: SessionIdSource = resolver.transport === 'header' ? 'header' : 'cookie';
  return resolver.resolveSessionIds(req).map((id) => ({ id, source }));
}

/** The id in query parameter `name`, if any. */
export function idsFromQuery(req: IncomingMessage, name: string): UpgradeIdCandidate[] {
  const url = req.url;
  if (url === undefined || !url.includes('?')) return [];
  // Only the query matters, so parse just that: a request target such as `//[` is no URL at all.
  const params = new URLSearchParams(url.slice(url.indexOf('?') + 1).split('#')[0]);
  return params.getAll(name).map((id) => ({ id, source: 'query' as const }));
}

/** The offered subprotocols, in the client's order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Ids carried as `<prefix><id>` subprotocol entries. */
export function idsFromProtocols(req: IncomingMessage, prefix: string): UpgradeIdCandidate[] {
  return offeredProtocols(req)
    .filter((p) => p.startsWith(prefix) && p.length > prefix.length)
    .map((p) => ({ id: p.slice(prefix.length), source: 'protocol' as const }));
}

/** Drops malformed ids (they never reach the store) and repeats, keeping the first source. */
export function validCandidates(found: readonly UpgradeIdCandidate[]): UpgradeIdCandidate[] {
  const seen = new Set<string>();
  const out: UpgradeIdCandidate[] = [];
  for (const candidate of found) {
    if (!isValidSessionId(candidate.id) || seen.has(candidate.id)) continue;
    seen.add(candidate.id);
    out.push(candidate);
  }
  return out;
}
