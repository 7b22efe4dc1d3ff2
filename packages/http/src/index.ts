export {
  commitWhenAppIsDone,
  type GuardedSession,
  guardResponse,
  isClientSafeSessionError,
  requireRequestSession,
  type SessionAttributesOf,
} from './adapter-support.js';
export { decodeSessionIdBase64, encodeSessionIdBase64 } from './base64.js';
export { CompositeSessionIdResolver, type CompositeSessionIdResolverOptions } from './composite-resolver.js';
export {
  formatSetCookie,
  isValidCookieName,
  putSetCookie,
  readCookieValues,
  type SetCookieAttributes,
} from './cookie-header.js';
export {
  CookieSessionIdResolver,
  type CookieSessionIdResolverOptions,
  DEFAULT_REMEMBER_ME_MAX_AGE_SECONDS,
  type SameSite,
} from './cookie-resolver.js';
export type { SessionExchange, SessionRequest, SessionResponse } from './exchange.js';
export {
  type FindRequestedSessionOptions,
  findRequestedSession,
  MAX_SESSION_ID_CANDIDATES,
  type RequestedSession,
  resolveRequestedSessionIds,
} from './find-session.js';
export { HeaderSessionIdResolver, type HeaderSessionIdResolverOptions } from './header-resolver.js';
export {
  HttpSessionManager,
  type HttpSessionOptions,
  RequestSession,
  RequestSessionController,
  type SetPrincipalOptions,
} from './request-session.js';
export type { SessionIdResolver, SessionIdTransport } from './resolver.js';
export {
  type CommitTarget,
  commitErrorStatus,
  type HoldResponseOptions,
  holdResponseUntilCommitted,
  snapshotResponseHeaders,
} from './response-guard.js';
export { callStore, checkStoreTimeout, DEFAULT_STORE_TIMEOUT_MS } from './store-call.js';
export {
  compileTrustProxy,
  isSecureRequest,
  requestHostname,
  type TrustProxy,
  type TrustProxyFn,
} from './trust-proxy.js';
export {
  type WebConnectionInfo,
  type WebHeaders,
  type WebRequestLike,
  webHeadersView,
  webSessionRequest,
} from './web-request.js';
