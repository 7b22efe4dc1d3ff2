/**
 * `@session/fastify`: `request.session` for Fastify 4 and 5, on any `@session/*` store, with the
 * `@fastify/session` API (and so `@fastify/passport`) on top of the family's own.
 */

export type {
  CookieSessionIdResolverOptions,
  HttpSessionOptions,
  SessionIdResolver,
  TrustProxy,
} from '@session/http';
export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  RequestSession,
} from '@session/http';
export { FastifySession, type SessionCallback } from './fastify-session.js';
export {
  type FastifySessionOptions,
  getSession,
  type SessionAttributes,
  type SessionData,
  session,
} from './plugin.js';
