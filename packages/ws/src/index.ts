export { type SessionIdSource, type UpgradeIdCandidate, defaultUpgradeResolver, offeredProtocols } from './id-sources.js';
export {
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_TOUCH_INTERVAL_MS,
  type OriginPolicy,
  SESSION_ENDED_CLOSE_CODE,
  type WebSocketSessionOptions,
} from './options.js';
export { rejectUpgrade } from './reject.js';
export {
  type SessionEndReason,
  type SessionUpgradeRequest,
  type SessionWebSocket,
  type UpgradeEmitter,
  type UpgradeResult,
  WebSocketSessions,
} from './sessions.js';
