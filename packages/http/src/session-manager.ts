import {
  type AnyAttributes,
  type Session,
  type SessionLogger,
  type SessionRepository,
  SessionStoreUnavailableError,
} from '@session/core';
import type { SessionExchange } from './exchange.js';
import { findWithResolvedOptions } from './find-session.js';
import { moveLegacySession } from './migration/move.js';
import { RequestSessionController } from './request-session.js';
import type { SessionIdResolver } from './resolver.js';
import {
  type HttpSessionOptions,
  type ResolvedConfig,
  resolveHttpSessionOptions,
  type StoreUnavailablePolicy,
} from './session-options.js';
import { callStore } from './store-call.js';

/**
 * The framework-neutral per-request session handling the Express and Koa adapters are built on.
 *
 * ```ts
 * const manager = new HttpSessionManager({ repository });
 * const controller = await manager.open({ request: req, response: res });
 * holdResponseUntilCommitted(res, controller, { onCommitError: (err) => fail(err) });
 * ```
 */
export class HttpSessionManager<A extends object = AnyAttributes, S extends Session = Session> {
  /** The store sessions are loaded from and saved to. */
  readonly repository: SessionRepository<S>;
  /** How ids travel between client and server. */
  readonly resolver: SessionIdResolver;
  /** Bound on each store call, ms. */
  readonly storeTimeoutMs: number;
  /** Where warnings go. */
  readonly logger: SessionLogger;
  /** What a request does when the store is unavailable. */
  readonly whenStoreUnavailable: StoreUnavailablePolicy;
  readonly #config: ResolvedConfig<S>;

  constructor(options: HttpSessionOptions<S>) {
    this.#config = resolveHttpSessionOptions(options);
    this.repository = this.#config.repository;
    this.resolver = this.#config.resolver;
    this.storeTimeoutMs = this.#config.storeTimeoutMs;
    this.logger = this.#config.logger;
    this.whenStoreUnavailable = this.#config.whenStoreUnavailable;
  }

  /**
   * For adapters, when {@link open} failed: `true` when the request should run without a session
   * (the error is a `SessionStoreUnavailableError` and `whenStoreUnavailable` is `'continue'`;
   * the failure is logged), `false` when the error must reach the framework's error handling.
   */
  continuesWithoutSession(error: unknown): boolean {
    if (this.whenStoreUnavailable !== 'continue' || !(error instanceof SessionStoreUnavailableError))
      return false;
    this.logger.warn(
      "the session store is unavailable; the request runs without a session (whenStoreUnavailable: 'continue')",
      error.message,
    );
    return true;
  }

  /**
   * Prepares the session of one request: loads the session the request presents (valid ids only),
   * or makes a new one in memory. Throws `SessionStoreUnavailableError` (503) when the store fails
   * or does not answer within `storeTimeoutMs`.
   */
  async open(exchange: SessionExchange): Promise<RequestSessionController<A, S>> {
    const config = this.#config;
    const { repository, storeTimeoutMs, logger, migrations } = config;
    // The config was validated once, at construction.
    const found = await findWithResolvedOptions(exchange.request, config);
    if (found !== null)
      return new RequestSessionController<A, S>(config, exchange, found.session, found.sessionId);
    // No session presented: make one on first use where the repository can do that synchronously,
    // so a request that never touches its session costs none (no id, no object, no store call).
    if (migrations.length === 0 && typeof repository.createSessionNow === 'function')
      return new RequestSessionController<A, S>(config, exchange, undefined, undefined);
    const fresh = await callStore('createSession', storeTimeoutMs, () => repository.createSession());
    const migration =
      migrations.length > 0
        ? await moveLegacySession(migrations, exchange, fresh, storeTimeoutMs, logger)
        : undefined;
    return new RequestSessionController<A, S>(config, exchange, fresh, undefined, migration);
  }
}
