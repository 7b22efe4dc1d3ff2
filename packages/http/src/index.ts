export {
  commitWhenAppIsDone,
  type GuardedSession,
  guardResponse,
  isClientSafeSessionError,
  requireRequestSession,
  type SessionAttributesOf,
} from './adapter-support.js';
export { decodeSessionIdBase64, encodeSessionIdBase64 } from './base64.js';
export {
  AttributeProxyState,
  type AttributeProxySurface,
  createAttributeProxy,
} from './compat/attribute-proxy.js';
export { AttributeWatch } from './compat/attribute-watch.js';
export { type NodeCallback, settleWithCallback } from './compat/callback.js';
export { cookieLifetimeMs, setCookieLifetimeMs } from './compat/cookie-lifetime.js';
export { CompatSessionTracker } from './compat/tracker.js';
export { CompositeSessionIdResolver, type CompositeSessionIdResolverOptions } from './composite-resolver.js';
export {
  type CookiePriority,
  formatSetCookie,
  isValidCookieName,
  putSetCookie,
  readCookieValues,
  type SetCookieAttributes,
} from './cookie-header.js';
export {
  type CookieAttributesView,
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
export { type ExpressSessionSourceOptions, expressSessionSource } from './migration/express-session.js';
export {
  type KoaSessionSourceOptions,
  type KoaSessionStore,
  koaSessionSource,
} from './migration/koa-session.js';
export type { LegacyCookieScope } from './migration/legacy-cookie.js';
export type { LegacySession, LegacySessionSource } from './migration/source.js';
export { PassportIndexResolver, type PassportIndexResolverOptions } from './passport-index-resolver.js';
export { RequestSession, RequestSessionController } from './request-session.js';
export type { SessionIdResolver, SessionIdTransport } from './resolver.js';
export {
  type CommitTarget,
  commitErrorStatus,
  type HoldResponseOptions,
  holdResponseUntilCommitted,
  snapshotResponseHeaders,
} from './response-guard.js';
export { COOKIE_MAX_AGE_ATTRIBUTE } from './session-cookie-lifetime.js';
export { HttpSessionManager } from './session-manager.js';
export type {
  CommitOptions,
  HttpSessionOptions,
  SessionChangeSource,
  SetPrincipalOptions,
  StoreUnavailablePolicy,
} from './session-options.js';
export {
  signCookieValue,
  unsignExpressSessionCookie,
  type VerifiedCookieValue,
  verifyCookieValue,
  verifyKeygripSignature,
} from './signed-cookie.js';
export { callStore, checkStoreTimeout, DEFAULT_STORE_TIMEOUT_MS } from './store-call.js';
export {
  compileTrustProxy,
  hostWithoutPort,
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
