/**
 * What the demo does with sessions, whichever framework serves the request: `@session/express`'s
 * `req.session` and `@session/fetch/hono`'s `c.get('session')` are the same `RequestSession`, so
 * the Express app (app.ts) and the Hono REST API (hono-api.ts) share this code, and a session
 * created by one is used by the other.
 */
import { isIndexedRepository, type Session, type SessionRepository } from '@session/core';
import {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  type RequestSession,
} from '@session/http';
import { newCsrfToken, sessionHandle } from './auth.js';
import { displayAddress } from './client-address.js';
import { describeDevice } from './device.js';
import type { NoticeKey } from './notices.js';
import type { SessionRow } from './views/pages.js';

/** The attributes of a demo session; each framework's `SessionData` extends it. */
export interface DemoSessionData {
  userAgent: string;
  ip: string;
  via: 'browser' | 'api';
  csrf: string;
  signedInAt: Date;
  /** A one-time notice for the next page (see notices.ts). */
  flash: NoticeKey;
}

/** A request's session in the demo, from either framework. */
export type DemoSession = RequestSession<DemoSessionData>;

/**
 * How ids travel, for both frameworks and the WebSocket: browsers carry the id in the `SESSION`
 * cookie, API clients in `X-Auth-Token`.
 */
export function demoResolver(): CompositeSessionIdResolver {
  return new CompositeSessionIdResolver([
    HeaderSessionIdResolver.xAuthToken(),
    new CookieSessionIdResolver(),
  ]);
}

/** Who is signing in: the request's User-Agent and address. */
export interface ClientFacts {
  readonly userAgent: string | undefined;
  readonly address: string | undefined;
}

/** Signs the request's session in as `username` (the id rotates: fixation protection). */
export function signIn(
  session: DemoSession,
  username: string,
  via: 'browser' | 'api',
  client: ClientFacts,
): void {
  session.setPrincipal(username);
  session.set('userAgent', client.userAgent ?? '');
  session.set('ip', displayAddress(client.address) ?? '');
  session.set('via', via);
  session.set('csrf', newCsrfToken());
  session.set('signedInAt', new Date());
}

/** The user's sessions: from the principal index, or just the current one on a store without it. */
export async function listSessions(
  repository: SessionRepository<Session>,
  session: DemoSession,
  username: string,
): Promise<Map<string, Session>> {
  if (!isIndexedRepository(repository))
    return new Map([[session.id, session.unwrap() as unknown as Session]]);
  return repository.findByPrincipalName(username);
}

/** The sessions as the page and the API list them: current first, then most recently seen. */
export function sessionRows(session: DemoSession, sessions: Map<string, Session>): SessionRow[] {
  return [...sessions.values()]
    .map((s) => {
      const attrs = s as Session<Record<string, unknown>>;
      const signedInAt = attrs.get('signedInAt');
      return {
        handle: sessionHandle(s.id),
        device: describeDevice(attrs.get('userAgent') as string | undefined),
        ip: displayAddress(attrs.get('ip') as string | undefined),
        via: attrs.get('via') === 'api' ? ('api' as const) : ('browser' as const),
        createdAt: signedInAt instanceof Date ? signedInAt.getTime() : s.creationTime,
        lastSeenAt: s.id === session.id ? Date.now() : s.lastAccessedTime,
        current: s.id === session.id,
      };
    })
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt);
}

/** `GET /api/me`: who is signed in, and which framework answered. */
export async function apiMe(
  repository: SessionRepository<Session>,
  session: DemoSession,
  servedBy: 'express' | 'hono',
) {
  const username = session.principal as string;
  const signedInAt = session.get('signedInAt');
  const sessions = await listSessions(repository, session, username);
  return {
    user: username,
    signedInAt: signedInAt instanceof Date ? signedInAt.toISOString() : null,
    lastAccessedTime: new Date(session.lastAccessedTime).toISOString(),
    idleTimeoutMs: session.maxInactiveIntervalMs,
    sessions: sessions.size,
    servedBy,
  };
}

/** `GET /api/sessions`: the user's sessions, by handle (ids are credentials and never shown). */
export async function apiSessions(repository: SessionRepository<Session>, session: DemoSession) {
  const rows = sessionRows(session, await listSessions(repository, session, session.principal as string));
  return rows.map((r) => ({
    handle: r.handle,
    device: r.device.label,
    via: r.via,
    current: r.current,
    createdAt: new Date(r.createdAt).toISOString(),
    lastSeenAt: new Date(r.lastSeenAt).toISOString(),
  }));
}

/**
 * Deletes the user's session with this handle; only the user's own sessions can be found.
 * Resolves `false` when there is none (or it is the current one and `allowCurrent` is false).
 */
export async function revokeByHandle(
  repository: SessionRepository<Session>,
  session: DemoSession,
  handle: string,
  allowCurrent: boolean,
): Promise<boolean> {
  const sessions = await listSessions(repository, session, session.principal as string);
  const target = [...sessions.keys()].find(
    (id) => sessionHandle(id) === handle && (allowCurrent || id !== session.id),
  );
  if (target === undefined) return false;
  await repository.deleteById(target);
  return true;
}
