/**
 * `@session/hazelcast`: a session store on hazelcast-client 5.x, indexed and with events, that
 * needs no Java class on the members (sessions are JSON documents).
 */
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  type HazelcastClient,
  startClient,
  withStoreDefaults,
} from './client.js';
export {
  encodeIndexValue,
  INDEX_VALUES_FIELD,
  PRINCIPAL_FIELD,
  parseDocument,
  type SessionDocument,
} from './document.js';
export {
  DEFAULT_MAP_NAME,
  DEFAULT_MAX_SAVE_ATTEMPTS,
  type HazelcastSessionRepositoryOptions,
} from './options.js';
export { HazelcastSessionRepository } from './repository.js';
export type {
  HazelcastSessionMap,
  SessionMap,
  SessionMapEntryEvent,
  SessionMapEventHandler,
  SessionMapListener,
} from './session-map.js';
export {
  type HazelcastUrl,
  optionsFromStoreConfig,
  parseHazelcastUrl,
  sessionStore,
} from './store-provider.js';
