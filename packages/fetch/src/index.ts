/**
 * `@session/fetch`: sessions for Web-standard `Request`/`Response` servers (Hono, Next.js route
 * handlers, Remix/React Router, SvelteKit, Bun and Deno). The Hono middleware lives in
 * `@session/fetch/hono`.
 */

export type {
  CookieSessionIdResolverOptions,
  HttpSessionOptions,
  SessionIdResolver,
  TrustProxy,
  WebConnectionInfo,
} from '@session/http';
export {
  CompositeSessionIdResolver,
  CookieSessionIdResolver,
  HeaderSessionIdResolver,
  RequestSession,
} from '@session/http';
export {
  type FetchSessionOptions,
  FetchSessions,
  type LoadSessionOptions,
  type SessionAttributes,
  type SessionData,
} from './fetch-sessions.js';
