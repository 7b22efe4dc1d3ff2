import {
  consoleLogger,
  InvalidArgumentError,
  type Session,
  type SessionLogger,
  type SessionRepository,
} from '@session/core';
import { CookieSessionIdResolver, type CookieSessionIdResolverOptions } from './cookie-resolver.js';
import { checkMigrations } from './migration/move.js';
import type { LegacySessionSource } from './migration/source.js';
import type { SessionIdResolver } from './resolver.js';
import { checkStoreTimeout } from './store-call.js';

/** Options of the HTTP session layer; the Express and Koa middlewares take the same. */
export interface HttpSessionOptions<S extends Session = Session> {
  /** Where sessions live, e.g. `new MemorySessionRepository()` or a Redis repository. */
  repository: SessionRepository<S>;
  /** How ids travel. Default: a {@link CookieSessionIdResolver} built from {@link cookie}. */
  resolver?: SessionIdResolver;
  /** Cookie options for the default resolver. Not allowed together with {@link resolver}. */
  cookie?: CookieSessionIdResolverOptions;
  /**
   * Bound on each store call made for a request, in ms; a store that takes longer fails the
   * request with `SessionStoreUnavailableError` (503). Default 2000. `Infinity` disables the bound.
   */
  storeTimeoutMs?: number;
  /** `setPrincipal` gives a stored session a new id (session fixation protection). Default `true`. */
  rotateIdOnPrincipalChange?: boolean;
  /** Where warnings go. Ids are always shortened in messages. Default: console warnings. */
  logger?: SessionLogger;
  /** Epoch ms clock. Default `Date.now`. */
  clock?: () => number;
  /**
   * Store every new session, and send its cookie, even when nothing was set on it
   * (express-session's `saveUninitialized: true`). Default `false`: a new session is stored only
   * once something is set (or `save()` is called), so anonymous requests cost nothing.
   */
  saveUninitialized?: boolean;
  /**
   * What a request does when the store fails or does not answer within {@link storeTimeoutMs}:
   * - `'fail'` (default): it fails with `SessionStoreUnavailableError` (HTTP 503);
   * - `'continue'`: it runs without a session (the adapter leaves `req.session` / `ctx.session`
   *   unset when loading failed) and nothing is written: a failed save at the end of the request is
   *   logged and the response goes out without a new id. Explicit `save()`, `invalidate()` and
   *   `reload()` calls still reject, since what they were asked to do did not happen.
   */
  whenStoreUnavailable?: StoreUnavailablePolicy;
  /**
   * Sessions of the library the app is moving from, moved into {@link repository} on a client's
   * first visit: `expressSessionSource(...)`, `koaSessionSource(...)`. See the migration guide.
   */
  migrateFrom?: LegacySessionSource | readonly LegacySessionSource[];
}

/** Options of {@link RequestSessionController.commit}. */
export interface CommitOptions {
  /**
   * The app asked for this save (koa-session's `manuallyCommit()`): a store failure rejects even
   * with `whenStoreUnavailable: 'continue'`. Default `false`.
   */
  explicit?: boolean;
}

/** See {@link HttpSessionOptions.whenStoreUnavailable}. */
export type StoreUnavailablePolicy = 'fail' | 'continue';

/**
 * What a session object of its own (the express-session and koa-session compatible objects)
 * registers with {@link RequestSessionController.attachChangeSource}.
 */
export interface SessionChangeSource {
  /**
   * Records on the session the changes the controller cannot see by itself (values read and then
   * changed in place). Synchronous; called before every "anything to save?" check and every save.
   * Returns `true` while work registered for {@link beforeSave} is pending.
   */
  collectChanges(): boolean;
  /** Work that must finish before a save, e.g. a removal requested with `ctx.session = null`. */
  beforeSave?(): Promise<void>;
}

/** Options of {@link RequestSession.setPrincipal}. */
export interface SetPrincipalOptions {
  /** Give the session a new id. Default: the `rotateIdOnPrincipalChange` option (true). */
  rotateId?: boolean;
}

/** {@link HttpSessionOptions} checked, with every default applied. @internal */
export interface ResolvedConfig<S extends Session> {
  readonly repository: SessionRepository<S>;
  readonly resolver: SessionIdResolver;
  readonly storeTimeoutMs: number;
  readonly rotateIdOnPrincipalChange: boolean;
  readonly logger: SessionLogger;
  readonly clock: () => number;
  readonly saveUninitialized: boolean;
  readonly whenStoreUnavailable: StoreUnavailablePolicy;
  readonly migrations: readonly LegacySessionSource[];
}

/**
 * Checks `options` and applies the defaults; throws `InvalidArgumentError` naming the option.
 * @internal
 */
export function resolveHttpSessionOptions<S extends Session>(
  options: HttpSessionOptions<S>,
): ResolvedConfig<S> {
  const repository = options?.repository;
  for (const method of ['createSession', 'save', 'findById', 'deleteById'] as const) {
    if (typeof repository?.[method] !== 'function') {
      throw new InvalidArgumentError(`repository must be a SessionRepository (missing ${method}())`);
    }
  }
  if (options.resolver !== undefined && options.cookie !== undefined) {
    throw new InvalidArgumentError(
      'Pass cookie options to your CookieSessionIdResolver, not next to `resolver`',
    );
  }
  const resolver = options.resolver ?? new CookieSessionIdResolver(options.cookie);
  if (typeof resolver.resolveSessionIds !== 'function' || typeof resolver.setSessionId !== 'function') {
    throw new InvalidArgumentError('resolver must be a SessionIdResolver');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new InvalidArgumentError('clock must be a function');
  const saveUninitialized = options.saveUninitialized ?? false;
  if (typeof saveUninitialized !== 'boolean')
    throw new InvalidArgumentError('saveUninitialized must be a boolean');
  const whenStoreUnavailable = options.whenStoreUnavailable ?? 'fail';
  if (whenStoreUnavailable !== 'fail' && whenStoreUnavailable !== 'continue') {
    throw new InvalidArgumentError(
      `whenStoreUnavailable must be 'fail' or 'continue', got ${String(whenStoreUnavailable)}`,
    );
  }
  return {
    repository,
    resolver,
    storeTimeoutMs: checkStoreTimeout(options.storeTimeoutMs),
    rotateIdOnPrincipalChange: options.rotateIdOnPrincipalChange ?? true,
    logger: options.logger ?? consoleLogger,
    clock,
    saveUninitialized,
    whenStoreUnavailable,
    migrations: checkMigrations(options.migrateFrom),
  };
}
