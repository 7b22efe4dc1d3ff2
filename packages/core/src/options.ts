import { InvalidArgumentError } from './errors.js';
import { defaultSessionIdGenerator, type SessionIdGenerator } from './ids.js';
import { type IndexResolver, PrincipalNameIndexResolver } from './index-resolver.js';
import { consoleLogger, type SessionLogger } from './logger.js';
import { FLUSH_MODES, type FlushMode, SAVE_MODES, type SaveMode } from './modes.js';
import { defaultSerializer, type SessionSerializer } from './serializer.js';
import { checkMaxInactiveInterval, DEFAULT_MAX_INACTIVE_INTERVAL_MS, type Session } from './session.js';

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

/** Options every store accepts. */
export interface SessionRepositoryOptions<S extends Session = Session> {
  /** Key prefix or map name part that keeps this app's sessions apart. Store-specific default. */
  namespace?: string;
  /** Idle timeout of new sessions, in ms. Default 30 minutes. Negative: never expire. */
  defaultMaxInactiveIntervalMs?: number;
  /** When changes are written. Default `'onSave'`. */
  flushMode?: FlushMode;
  /** Which attributes a save writes. Default `'onSetAttribute'`. */
  saveMode?: SaveMode;
  /** Id generator. Default: 192 bits from `crypto`, base64url. */
  idGenerator?: SessionIdGenerator;
  /** Attribute serializer. Default {@link defaultSerializer}. */
  serializer?: SessionSerializer;
  /** Computes the indexes of indexed stores. Default: principal name. */
  indexResolver?: IndexResolver<S>;
  /** Where warnings go. Default: console warnings and errors. */
  logger?: SessionLogger;
  /** Clock in epoch ms; replace it in tests. Default `Date.now`. */
  clock?: () => number;
}

/** {@link SessionRepositoryOptions} with every default applied. */
export type ResolvedRepositoryOptions<S extends Session = Session> = Required<SessionRepositoryOptions<S>>;

/** Applies defaults and validates, throwing {@link InvalidArgumentError} with the option's name. */
export function resolveRepositoryOptions<S extends Session = Session>(
  options: SessionRepositoryOptions<S> = {},
  defaults: { namespace: string },
): ResolvedRepositoryOptions<S> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('Repository options must be an object');
  }
  const resolved: ResolvedRepositoryOptions<S> = {
    namespace: options.namespace ?? defaults.namespace,
    defaultMaxInactiveIntervalMs: options.defaultMaxInactiveIntervalMs ?? DEFAULT_MAX_INACTIVE_INTERVAL_MS,
    flushMode: options.flushMode ?? 'onSave',
    saveMode: options.saveMode ?? 'onSetAttribute',
    idGenerator: options.idGenerator ?? defaultSessionIdGenerator,
    serializer: options.serializer ?? defaultSerializer,
    indexResolver: options.indexResolver ?? new PrincipalNameIndexResolver<S>(),
    logger: options.logger ?? consoleLogger,
    clock: options.clock ?? Date.now,
  };
  if (typeof resolved.namespace !== 'string') {
    throw new InvalidArgumentError('namespace must be a string');
  }
  checkMaxInactiveInterval(resolved.defaultMaxInactiveIntervalMs, 'defaultMaxInactiveIntervalMs');
  if (!FLUSH_MODES.includes(resolved.flushMode)) {
    throw new InvalidArgumentError(
      `flushMode must be one of ${FLUSH_MODES.join(', ')}, got ${String(resolved.flushMode)}`,
    );
  }
  if (!SAVE_MODES.includes(resolved.saveMode)) {
    throw new InvalidArgumentError(
      `saveMode must be one of ${SAVE_MODES.join(', ')}, got ${String(resolved.saveMode)}`,
    );
  }
  for (const key of ['idGenerator', 'clock'] as const) {
    if (typeof resolved[key] !== 'function') throw new InvalidArgumentError(`${key} must be a function`);
  }
  if (
    typeof resolved.serializer?.serialize !== 'function' ||
    typeof resolved.serializer?.deserialize !== 'function'
  ) {
    throw new InvalidArgumentError('serializer must have serialize(value, name) and deserialize(text, name)');
  }
  if (typeof resolved.indexResolver?.resolveIndexesFor !== 'function') {
    throw new InvalidArgumentError('indexResolver must have resolveIndexesFor(session)');
  }
  const logger = resolved.logger as Partial<SessionLogger> | null;
  if (LOGGER_METHODS.some((method) => typeof logger?.[method] !== 'function')) {
    throw new InvalidArgumentError(
      `logger must have ${LOGGER_METHODS.join(', ')} methods (console, pino and winston do)`,
    );
  }
  return resolved;
}

/**
 * Validates a time bound on store calls (`storeTimeoutMs` of the adapters and the bridge): a
 * positive number of ms, or `Infinity` for no bound; `undefined` gives `fallback`.
 * @throws InvalidArgumentError naming the option otherwise.
 */
export function checkStoreTimeoutMs(value: unknown, fallback: number, name = 'storeTimeoutMs'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new InvalidArgumentError(
      `${name} must be a positive number of ms (or Infinity), got ${String(value)}`,
    );
  }
  return value;
}
