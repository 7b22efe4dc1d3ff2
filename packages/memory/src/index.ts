/** `@session/memory`: the in-memory indexed session store with expiry, events and a size bound. */
export {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SWEEP_INTERVAL_MS,
  type MemorySessionRepositoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from './options.js';
export { parseMemoryUrl, sessionStore } from './provider.js';
export { MemorySessionRepository, type MemoryStoreStats } from './repository.js';
export type { StoredSessionView } from './stored-session.js';
