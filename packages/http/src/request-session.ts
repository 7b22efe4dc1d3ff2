import {
  type AnyAttributes,
  type AttributeName,
  consoleLogger,
  getPrincipalName,
  InvalidArgumentError,
  isMapSession,
  isSaveOutcome,
  PRINCIPAL_NAME_INDEX_NAME,
  type SaveOutcome,
  type Session,
  type SessionLogger,
  type SessionRepository,
  SessionSaveConflictError,
  shortSessionId,
} from '@session/core';
import { CookieSessionIdResolver, type CookieSessionIdResolverOptions } from './cookie-resolver.js';
import type { SessionExchange } from './exchange.js';
import { findRequestedSession, resolveRequestedSessionIds } from './find-session.js';
import type { SessionIdResolver } from './resolver.js';
import { callStore, checkStoreTimeout } from './store-call.js';

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
}

/** Options of {@link RequestSession.setPrincipal}. */
export interface SetPrincipalOptions {
  /** Give the session a new id. Default: the `rotateIdOnPrincipalChange` option (true). */
  rotateId?: boolean;
}

interface ResolvedConfig<S extends Session> {
  readonly repository: SessionRepository<S>;
  readonly resolver: SessionIdResolver;
  readonly storeTimeoutMs: number;
  readonly rotateIdOnPrincipalChange: boolean;
  readonly logger: SessionLogger;
  readonly clock: () => number;
}

type LooseSession = Session<Record<string, unknown>>;

/**
 * A `MapSession` says whether a save has anything to write (core's change tracking); any other
 * `Session` is saved every time and its store decides what to write.
 */
function hasUnsavedChanges(session: Session): boolean {
  return isMapSession(session) ? session.hasChanges() : true;
}

/**
 * What a {@link RequestSession} reads and changes of its controller. Filled in by the controller
 * class itself and never exported, so apps and adapters cannot reach these mutators; one shared
 * object instead of closures made per request.
 */
interface ControllerAccess {
  current(c: RequestSessionController): Session;
  isStored(c: RequestSessionController): boolean;
  requestedSessionId(c: RequestSessionController): string | undefined;
  /** An attribute set (or removed, `undefined`) by the app. */
  recordAttribute(c: RequestSessionController, name: string, value: unknown): void;
  /** The idle timeout set by the app. */
  recordInterval(c: RequestSessionController, value: number): void;
  setRememberMe(c: RequestSessionController, enabled: boolean): void;
  changeSessionId(c: RequestSessionController): string;
  setPrincipal(c: RequestSessionController, name: string | undefined, rotate: boolean | undefined): void;
  invalidate(c: RequestSessionController): Promise<void>;
  /** Explicit save from the app. */
  save(c: RequestSessionController): Promise<void>;
}

let access: ControllerAccess;

/**
 * The session of one request, as apps see it (`req.session`, `ctx.session`). A session is loaded
 * only when the request presents a valid id; otherwise a new one exists in memory and is stored
 * only once something is set on it. Changes are saved when the response starts.
 *
 * Type the attributes with `A`: `RequestSession<{ userId: string; cart: string[] }>`.
 */
export class RequestSession<A extends object = AnyAttributes> {
  readonly #controller: RequestSessionController;

  /** @internal Created by {@link HttpSessionManager.open}, through its {@link RequestSessionController}. */
  constructor(controller: RequestSessionController) {
    this.#controller = controller;
  }

  /** The current id. For a new session this id is not stored (nor sent) until something is set. */
  get id(): string {
    return access.current(this.#controller).id;
  }

  /** True while the session is not in the store (no request has stored it yet). */
  get isNew(): boolean {
    return !access.isStored(this.#controller);
  }

  /** The id the client presented that was found in the store, or `undefined`. */
  get requestedSessionId(): string | undefined {
    return access.requestedSessionId(this.#controller);
  }

  /** Epoch ms when the session was created. */
  get creationTime(): number {
    return access.current(this.#controller).creationTime;
  }

  /** Epoch ms of the last access (this request, for a loaded session). */
  get lastAccessedTime(): number {
    return access.current(this.#controller).lastAccessedTime;
  }

  /** Idle timeout in ms; negative: never expires. Setting it is a change that gets saved. */
  get maxInactiveIntervalMs(): number {
    return access.current(this.#controller).maxInactiveIntervalMs;
  }

  set maxInactiveIntervalMs(value: number) {
    access.current(this.#controller).maxInactiveIntervalMs = value;
    access.recordInterval(this.#controller, value);
  }

  /** Reads an attribute; `undefined` when absent. */
  get<K extends AttributeName<A>>(name: K): A[K] | undefined {
    return (access.current(this.#controller) as LooseSession).get(name) as A[K] | undefined;
  }

  /** Sets an attribute (`undefined` removes it). The first set on a new session makes it stored. */
  set<K extends AttributeName<A>>(name: K, value: A[K] | undefined): void {
    (access.current(this.#controller) as LooseSession).set(name, value);
    access.recordAttribute(this.#controller, name, value);
  }

  /** Removes an attribute. */
  delete(name: AttributeName<A>): void {
    (access.current(this.#controller) as LooseSession).delete(name);
    access.recordAttribute(this.#controller, name, undefined);
  }

  /** True when the attribute is set. Does not count as a read. */
  has(name: AttributeName<A>): boolean {
    return access.current(this.#controller).names().includes(name);
  }

  /** Names of the attributes currently set. */
  names(): string[] {
    return access.current(this.#controller).names();
  }

  /** The principal (user) name the session is indexed by, or `undefined`. */
  get principal(): string | undefined {
    return getPrincipalName(access.current(this.#controller));
  }

  /**
   * Records who the session belongs to (core's `PRINCIPAL_NAME_INDEX_NAME` attribute, which indexed
   * stores use for "find all sessions of this user"). Call it at login. A stored session gets a new
   * id unless `rotateId` is false, so an id planted before login is useless afterwards (session
   * fixation). `undefined` clears the principal.
   */
  setPrincipal(name: string | undefined, options: SetPrincipalOptions = {}): void {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      throw new InvalidArgumentError('A principal name must be a non-empty string');
    }
    access.setPrincipal(this.#controller, name, options.rotateId);
  }

  /** Gives the session a new id, keeping its attributes; the client gets the new id with this response. */
  changeSessionId(): string {
    return access.changeSessionId(this.#controller);
  }

  /**
   * Deletes the session from the store and tells the client to drop its id. Afterwards this object
   * is a fresh new session, so a message set after logging out still reaches the next request.
   * Throws `SessionStoreUnavailableError` when the store fails.
   */
  invalidate(): Promise<void> {
    return access.invalidate(this.#controller);
  }

  /**
   * Remember-me for this request: `true` makes the id cookie persistent (the cookie resolver's
   * `rememberMeMaxAgeSeconds`), `false` makes it a browser-session cookie. The cookie is rewritten
   * with this response. Pair it with a longer `maxInactiveIntervalMs`.
   */
  rememberMe(enabled = true): void {
    access.setRememberMe(this.#controller, enabled);
  }

  /**
   * Saves now instead of when the response starts (it is saved then anyway). A new session is
   * stored even when it holds no attributes. Throws `SessionStoreUnavailableError` when the store
   * fails, and `SessionSaveConflictError` (409) when the session was deleted, expired or moved to
   * another id meanwhile, so the changes did not land.
   */
  save(): Promise<void> {
    return access.save(this.#controller);
  }

  /** The underlying store session. Changes made on it directly are not seen by change tracking of this request. */
  unwrap(): Session<A> {
    return access.current(this.#controller) as unknown as Session<A>;
  }

  /** A log-safe description: shortened id, attribute count. */
  toString(): string {
    return `RequestSession(${shortSessionId(this.id)}, ${this.names().length} attributes)`;
  }
}

/**
 * The adapter-facing side of one request's session: it decides when to save and which id header
 * or cookie to write. Framework adapters call {@link commit} before the response headers leave
 * (see `holdResponseUntilCommitted`) and {@link writeResponseHeaders} right before they do.
 */
export class RequestSessionController<A extends object = AnyAttributes, S extends Session = Session> {
  /** What the app uses. */
  readonly session: RequestSession<A>;
  readonly #config: ResolvedConfig<S>;
  readonly #exchange: SessionExchange;
  readonly #requestedSessionId: string | undefined;
  #current: S;
  #stored: boolean;
  #storedId: string | undefined;
  #invalidated = false;
  #rememberMe: boolean | undefined;
  #persistRequested = false;
  #mutations = 0;
  #mutationsAtSave = 0;
  #savedThisRequest = false;
  #headersWritten = false;
  #commitFailed = false;
  #commitError: unknown;
  #commitsInFlight = 0;
  #commitChain: Promise<void> | undefined;
  /** What the app changed through {@link RequestSession} in this request, last change per name. */
  #requestChanges: Map<string, unknown> | undefined;
  #onAttention: (() => void) | undefined;
  #requestInterval: number | undefined;
  /** The app set a principal in this request: a login whose credentials it accepted. */
  #loggedIn = false;
  #warnedNoOutcome = false;

  /** @internal Created by {@link HttpSessionManager.open}. */
  constructor(
    config: ResolvedConfig<S>,
    exchange: SessionExchange,
    session: S,
    requestedSessionId: string | undefined,
  ) {
    this.#config = config;
    this.#exchange = exchange;
    this.#current = session;
    this.#requestedSessionId = requestedSessionId;
    this.#stored = requestedSessionId !== undefined;
    this.#storedId = requestedSessionId;
    this.session = new RequestSession<A>(this as unknown as RequestSessionController);
  }

  static {
    access = {
      current: (c) => c.#current,
      isStored: (c) => c.#stored,
      requestedSessionId: (c) => c.#requestedSessionId,
      recordAttribute: (c, name, value) => c.#recordAttribute(name, value),
      recordInterval: (c, value) => c.#recordInterval(value),
      setRememberMe: (c, enabled) => {
        c.#rememberMe = enabled;
        c.#attention();
      },
      changeSessionId: (c) => c.#changeSessionId(),
      setPrincipal: (c, name, rotate) => c.#setPrincipal(name, rotate),
      invalidate: (c) => c.#invalidate(),
      save: (c) => c.#saveNow(),
    };
  }

  /**
   * Calls `callback` once, as soon as this request's session needs the response's attention: a
   * save before the headers leave, or an id cookie or header to write (now, when that is already
   * so, else on the first change the app makes). Adapters install their response guard only then,
   * so a request that leaves its session alone pays for none of it.
   */
  whenChanged(callback: () => void): void {
    if (this.needsCommit() || this.#invalidated || this.#rememberMe !== undefined) {
      callback();
      return;
    }
    this.#onAttention = callback;
  }

  /** Tells the controller the response headers are gone (written without its guard). */
  noteHeadersSent(): void {
    this.#headersWritten = true;
  }

  #attention(): void {
    const callback = this.#onAttention;
    if (callback === undefined) return;
    this.#onAttention = undefined;
    callback();
  }

  /** True when the current session exists in the store. */
  get isStored(): boolean {
    return this.#stored;
  }

  /** The presented id that loaded the session, if any. */
  get requestedSessionId(): string | undefined {
    return this.#requestedSessionId;
  }

  /** True once a save of this request failed; the response then carries no new id. */
  get commitFailed(): boolean {
    return this.#commitFailed;
  }

  /** Counts a change made through {@link RequestSession}. */
  #changed(): void {
    this.#mutations++;
    this.#attention();
  }

  /** An attribute set (or removed, `undefined`) through {@link RequestSession}. */
  #recordAttribute(name: string, value: unknown): void {
    this.#requestChanges ??= new Map();
    this.#requestChanges.set(name, value);
    this.#changed();
  }

  /** The idle timeout set through {@link RequestSession}. */
  #recordInterval(value: number): void {
    this.#requestInterval = value;
    this.#changed();
  }

  #changeSessionId(): string {
    const id = this.#current.changeSessionId();
    this.#changed();
    return id;
  }

  #setPrincipal(name: string | undefined, rotate: boolean | undefined): void {
    if ((rotate ?? this.#config.rotateIdOnPrincipalChange) && this.#stored) this.#current.changeSessionId();
    (this.#current as LooseSession).set(PRINCIPAL_NAME_INDEX_NAME, name);
    this.#loggedIn = name !== undefined;
    this.#recordAttribute(PRINCIPAL_NAME_INDEX_NAME, name);
  }

  async #invalidate(): Promise<void> {
    const { repository, storeTimeoutMs } = this.#config;
    if (this.#headersWritten) {
      this.#config.logger.warn(
        'session invalidated after the response headers were sent; the client keeps its id',
      );
    }
    // Create first: if that fails, nothing has changed yet.
    const fresh = await callStore('createSession', storeTimeoutMs, () => repository.createSession());
    const storedId = this.#storedId;
    if (this.#stored && storedId !== undefined) {
      await callStore('deleteById', storeTimeoutMs, () => repository.deleteById(storedId));
    } else if (this.#requestedSessionId === undefined) {
      // The presented id was not found: a login racing this logout may have just moved it. Deleting
      // it lets the store follow that move (its id-change trail), so the logout still wins.
      for (const id of resolveRequestedSessionIds(this.#exchange.request, this.#config.resolver)) {
        await callStore('deleteById', storeTimeoutMs, () => repository.deleteById(id));
      }
    }
    this.#current = fresh;
    this.#invalidated = true;
    this.#stored = false;
    this.#storedId = undefined;
    this.#savedThisRequest = false;
    this.#persistRequested = false;
    this.#rememberMe = undefined;
    // What the app sets from here on belongs to the fresh session only.
    this.#requestChanges = undefined;
    this.#requestInterval = undefined;
    this.#loggedIn = false;
    this.#changed();
  }

  /** Explicit save from the app. */
  #saveNow(): Promise<void> {
    if (!this.#stored) this.#persistRequested = true;
    this.#attention();
    return this.commit();
  }

  /** True when {@link commit} would write to the store (or a commit is running). Never true after a failed commit. */
  needsCommit(): boolean {
    if (this.#commitFailed) return false;
    return this.#commitsInFlight > 0 || this.#needsSave();
  }

  #needsSave(): boolean {
    const session = this.#current;
    if (!this.#stored) return this.#persistRequested || session.names().length > 0;
    if (this.#savedThisRequest) return this.#mutations !== this.#mutationsAtSave;
    return hasUnsavedChanges(session);
  }

  /**
   * Saves what changed, if anything: a new session only once it holds an attribute (or `save()` was
   * called), a loaded one when it changed (including the refreshed `lastAccessedTime`). Safe to call
   * more than once: later calls save only changes made since. After the headers went out, only
   * attribute changes of a stored session whose id did not change are saved; others are dropped with
   * a warning, since the client could not learn a new id. Throws `SessionStoreUnavailableError`;
   * once a save failed, every later commit of the request fails with the same error at once.
   */
  commit(): Promise<void> {
    this.#commitsInFlight++;
    const run = (this.#commitChain ?? Promise.resolve()).then(() => this.#commitNow());
    this.#commitChain = run.catch(() => {});
    return run.finally(() => {
      this.#commitsInFlight--;
    });
  }

  async #commitNow(): Promise<void> {
    // One failed save fails the request; trying again would only wait for the store again.
    if (this.#commitFailed) throw this.#commitError;
    if (!this.#needsSave()) return;
    const session = this.#current;
    if (this.#headersWritten && (!this.#stored || session.id !== this.#storedId)) {
      this.#config.logger.warn(
        `session ${shortSessionId(session.id)} changed its id or was created after the response headers were sent; not saved`,
      );
      return;
    }
    const mutations = this.#mutations;
    const appChanged = mutations !== this.#mutationsAtSave;
    try {
      if (!this.#stored) await this.#refuseIfPresentedIdJustMoved();
      const outcome = await this.#save(session);
      // An invalidate() that ran meanwhile replaced the session; its state is already right.
      if (session !== this.#current) return;
      if (outcome.status === 'written' || outcome.status === 'unchanged') {
        this.#markStored(session, mutations);
        return;
      }
      await this.#handleRejectedSave(
        outcome as SaveOutcome & { status: 'deleted' | 'expired' | 'moved' },
        appChanged,
      );
    } catch (err) {
      this.#commitFailed = true;
      this.#commitError = err;
      throw err;
    }
  }

  /**
   * A request that presented an id the store did not have, and is about to store a new session:
   * if that id was moved to another one moments ago (a login that rotated it ran concurrently),
   * a new anonymous session and its cookie would sign the user out again. Its write fails with
   * `SessionSaveConflictError` instead. Logins and writes after `invalidate()` go ahead: a new
   * session is what they want.
   */
  async #refuseIfPresentedIdJustMoved(): Promise<void> {
    const { repository, resolver, storeTimeoutMs } = this.#config;
    if (this.#invalidated || this.#loggedIn || typeof repository.movedRecently !== 'function') return;
    for (const id of resolveRequestedSessionIds(this.#exchange.request, resolver)) {
      const moved = await callStore(
        'movedRecently',
        storeTimeoutMs,
        async () => (await repository.movedRecently?.(id)) === true,
      );
      if (moved) throw new SessionSaveConflictError({ status: 'moved', id });
    }
  }

  #markStored(session: S, mutations: number): void {
    this.#stored = true;
    this.#storedId = session.id;
    this.#savedThisRequest = true;
    this.#mutationsAtSave = mutations;
  }

  async #save(session: S): Promise<SaveOutcome> {
    const { repository, storeTimeoutMs } = this.#config;
    const outcome: unknown = await callStore('save', storeTimeoutMs, () => repository.save(session));
    if (isSaveOutcome(outcome)) return outcome;
    // A store written against the old contract (`save(): Promise<void>`) says nothing: take its word.
    if (!this.#warnedNoOutcome) {
      this.#warnedNoOutcome = true;
      this.#config.logger.warn(
        'the session repository returned no SaveOutcome from save(); update it to the current contract',
      );
    }
    return { status: 'written', id: session.id };
  }

  /**
   * The session was deleted, expired or moved to another id while this request ran, so nothing
   * was written. A login whose credentials the app accepted still signs the user in: its changes
   * go into a new session, as if the request had arrived after the race (never into the session
   * the race produced, which this request's old id must not reach). Any other change the app made
   * fails with `SessionSaveConflictError` (409); a save that only recorded an access is dropped.
   */
  async #handleRejectedSave(
    outcome: SaveOutcome & { status: 'deleted' | 'expired' | 'moved' },
    appChanged: boolean,
  ): Promise<void> {
    const { logger } = this.#config;
    this.#stored = false;
    this.#storedId = undefined;
    if (this.#loggedIn && !this.#headersWritten) {
      logger.info(
        `session ${shortSessionId(outcome.id)} was ${outcome.status} during a login; the login continues in a new session`,
      );
      await this.#continueInNewSession();
      return;
    }
    if (!appChanged) {
      logger.debug(
        `session ${shortSessionId(outcome.id)} was ${outcome.status}; its access was not recorded`,
      );
      return;
    }
    throw new SessionSaveConflictError(outcome);
  }

  async #continueInNewSession(): Promise<void> {
    const { repository, storeTimeoutMs } = this.#config;
    const fresh = (await callStore('createSession', storeTimeoutMs, () => repository.createSession())) as S;
    const target = fresh as unknown as LooseSession;
    for (const [name, value] of this.#requestChanges ?? []) target.set(name, value);
    if (this.#requestInterval !== undefined) target.maxInactiveIntervalMs = this.#requestInterval;
    this.#current = fresh;
    const mutations = this.#mutations;
    const outcome = await this.#save(fresh);
    if (outcome.status !== 'written' && outcome.status !== 'unchanged') {
      throw new SessionSaveConflictError(
        outcome as SaveOutcome & { status: 'deleted' | 'expired' | 'moved' },
      );
    }
    this.#markStored(fresh, mutations);
  }

  /**
   * Writes the id to the response (cookie or header) when the stored session's id is new to the
   * client or remember-me changed, or expires it after `invalidate()`. Call it right before the
   * headers are sent; it is idempotent. After a failed commit nothing new is written.
   */
  writeResponseHeaders(): void {
    this.#headersWritten = true;
    const exchange: SessionExchange = {
      ...this.#exchange,
      requestedSessionId: this.#requestedSessionId,
      rememberMe: this.#rememberMe,
    };
    const storedId = this.#storedId;
    if (this.#stored && storedId !== undefined) {
      if (storedId !== this.#requestedSessionId || this.#rememberMe !== undefined) {
        this.#config.resolver.setSessionId(exchange, storedId);
      }
    } else if (this.#invalidated) {
      this.#config.resolver.expireSession(exchange);
    }
  }

  /**
   * For adapters, once the response has finished: saves changes made while the body was still
   * being written (streams). Never throws; failures are logged.
   */
  async commitAfterResponse(): Promise<void> {
    if (this.#commitFailed || !this.#needsSave()) return;
    try {
      await this.commit();
    } catch (err) {
      this.#config.logger.warn(
        `saving session ${shortSessionId(this.#current.id)} after the response failed`,
        (err as Error).message,
      );
    }
  }
}

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
  readonly #config: ResolvedConfig<S>;

  constructor(options: HttpSessionOptions<S>) {
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
    this.repository = repository;
    this.resolver = resolver;
    this.storeTimeoutMs = checkStoreTimeout(options.storeTimeoutMs);
    this.logger = options.logger ?? consoleLogger;
    this.#config = {
      repository,
      resolver,
      storeTimeoutMs: this.storeTimeoutMs,
      rotateIdOnPrincipalChange: options.rotateIdOnPrincipalChange ?? true,
      logger: this.logger,
      clock,
    };
  }

  /**
   * Prepares the session of one request: loads the session the request presents (valid ids only),
   * or makes a new one in memory. Throws `SessionStoreUnavailableError` (503) when the store fails
   * or does not answer within `storeTimeoutMs`.
   */
  async open(exchange: SessionExchange): Promise<RequestSessionController<A, S>> {
    const { repository, resolver, storeTimeoutMs, clock, logger } = this.#config;
    const found = await findRequestedSession(exchange.request, {
      repository,
      resolver,
      storeTimeoutMs,
      clock,
      logger,
    });
    if (found !== null)
      return new RequestSessionController<A, S>(this.#config, exchange, found.session, found.sessionId);
    const fresh = await callStore('createSession', storeTimeoutMs, () => repository.createSession());
    return new RequestSessionController<A, S>(this.#config, exchange, fresh, undefined);
  }
}
