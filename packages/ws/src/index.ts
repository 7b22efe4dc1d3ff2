/**
 * `@session/ws`: sessions for `ws` WebSocket servers. The upgrade is authenticated from the same
 * cookie or header the HTTP side uses (401 without a live session), messages keep the session
 * alive, and every socket of a session is closed with 1008 when it is deleted or expires.
 */
export { defaultUpgradeResolver, offeredProtocols, type SessionIdSource } from './id-sources.js';
export {
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_TOUCH_INTERVAL_MS,
  type OriginPolicy,
  SESSION_ENDED_CLOSE_CODE,
  type UpgradeIdResolver,
  type WebSocketSessionOptions,
} from './options.js';
export { rejectUpgrade } from './reject.js';
export { WebSocketSessions } from './sessions.js';
export type {
  SessionEndReason,
  SessionUpgradeRequest,
  SessionWebSocket,
  UpgradeEmitter,
  UpgradeResult,
} from './types.js';
