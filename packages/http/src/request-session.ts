import {
  type AnyAttributes,
  type AttributeName,
  getPrincipalName,
  InvalidArgumentError,
  isMapSession,
  isSaveOutcome,
  PRINCIPAL_NAME_INDEX_NAME,
  type SaveOutcome,
  type Session,
  SessionInvalidatedError,
  SessionSaveConflictError,
  SessionStoreUnavailableError,
  shortSessionId,
} from '@session/core';
import type { SessionExchange } from './exchange.js';
import { resolveRequestedSessionIds } from './find-session.js';
import { type Migration, removeLegacySession } from './migration/move.js';
import { COOKIE_MAX_AGE_ATTRIBUTE, readCookieLifetime } from './session-cookie-lifetime.js';
import type {
  CommitOptions,
  ResolvedConfig,
  SessionChangeSource,
  SetPrincipalOptions,
} from './session-options.js';
import { callStore } from './store-call.js';

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
  reload(c: RequestSessionController): Promise<void>;
  setCookieLifetime(c: RequestSessionController, seconds: number | null | undefined): void;
}

let access: ControllerAccess;

/** What {@link RequestSessionController.commit} returns when there is nothing to save. */
const NOTHING_TO_COMMIT: Promise<void> = Promise.resolve();

/**
 * An adapter's exchange plus this request's id facts. It reads through to the adapter's exchange
 * instead of copying it: a copy would read every proxy-aware getter (Express computes `secure` and
 * `hostname` on each read) whether the resolver needs it or not. A wrapper, not
 * `Object.create(exchange)`: see `SessionExchange`.
 */
class ResponseExchange implements SessionExchange {
  readonly #base: SessionExchange;
  readonly requestedSessionId: string | undefined;
  readonly rememberMe: boolean | undefined;
  readonly cookieMaxAgeSeconds: number | null | undefined;

  constructor(
    base: SessionExchange,
    requestedSessionId: string | undefined,
    rememberMe: boolean | undefined,
    cookieMaxAgeSeconds: number | null | undefined,
  ) {
    this.#base = base;
    this.requestedSessionId = requestedSessionId;
    this.rememberMe = rememberMe;
    this.cookieMaxAgeSeconds = cookieMaxAgeSeconds;
  }

  get request(): SessionExchange['request'] {
    return this.#base.request;
  }

  get response(): SessionExchange['response'] {
    return this.#base.response;
  }

  get secure(): boolean | undefined {
    return this.#base.secure;
  }

  get hostname(): string | undefined {
    return this.#base.hostname;
  }

  get contextPath(): string | undefined {
    return this.#base.contextPath;
  }
}

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

  /** Names of the attributes currently set (the cookie lifetime attribute is not listed). */
  names(): string[] {
    const names = access.current(this.#controller).names();
    const own = names.indexOf(COOKIE_MAX_AGE_ATTRIBUTE);
    if (own !== -1) names.splice(own, 1);
    return names;
  }

  /**
   * This session's own cookie lifetime, kept with the session: a number of seconds (the cookie
   * gets that `Max-Age`), `null` (a browser-session cookie), or `undefined` (the cookie resolver's
   * default, `cookieMaxAgeSeconds`). Setting it is a change that gets saved, and rewrites the
   * cookie with this response; with rolling expiry (the default) later responses keep it.
   * `rememberMe()` still wins for the response it is called in. Throws `InvalidArgumentError`
   * for anything but a positive finite number, `null` or `undefined`.
   */
  get cookieMaxAgeSeconds(): number | null | undefined {
    return readCookieLifetime(access.current(this.#controller));
  }

  set cookieMaxAgeSeconds(value: number | null | undefined) {
    if (
      value !== null &&
      value !== undefined &&
      !(typeof value === 'number' && Number.isFinite(value) && value > 0)
    ) {
      throw new InvalidArgumentError(
        `cookieMaxAgeSeconds must be a positive number of seconds, null or undefined, got ${String(value)}`,
      );
    }
    access.setCookieLifetime(
      this.#controller,
      value === null || value === undefined ? value : Math.ceil(value),
    );
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

  /**
   * Replaces this object's state with the session as the store has it now, dropping the changes
   * of this request that were not saved yet (express-session's `reload`). Rejects with
   * `SessionInvalidatedError` when the store no longer has the session (or it was never stored),
   * leaving this object as it was, and with `SessionStoreUnavailableError` when the store fails.
   */
  reload(): Promise<void> {
    return access.reload(this.#controller);
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
  /** The session; `undefined` until first used for a request that brought none (see `createSessionNow`). */
  #current: S | undefined;
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
  /** The session's own cookie lifetime was changed in this request: the cookie is written again. */
  #cookieLifetimeChanged = false;
  #changeSource: SessionChangeSource | undefined;
  #migration: Migration | undefined;

  /**
   * @internal Created by {@link HttpSessionManager.open}. `session` is `undefined` for a request
   * that brought none when the repository can make one synchronously: it is made on first use.
   */
  constructor(
    config: ResolvedConfig<S>,
    exchange: SessionExchange,
    session: S | undefined,
    requestedSessionId: string | undefined,
    migration?: Migration,
  ) {
    this.#config = config;
    this.#exchange = exchange;
    this.#current = session;
    this.#requestedSessionId = requestedSessionId;
    this.#stored = requestedSessionId !== undefined;
    this.#storedId = requestedSessionId;
    // A migrated session is stored with this response, whatever the app does.
    this.#persistRequested = migration !== undefined || (!this.#stored && config.saveUninitialized);
    this.#migration = migration;
    this.session = new RequestSession<A>(this as unknown as RequestSessionController);
  }

  static {
    access = {
      current: (c) => c.#session(),
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
      reload: (c) => c.#serial(() => c.#reload()),
      setCookieLifetime: (c, seconds) => {
        (c.#session() as LooseSession).set(COOKIE_MAX_AGE_ATTRIBUTE, seconds);
        c.#cookieLifetimeChanged = true;
        c.#recordAttribute(COOKIE_MAX_AGE_ATTRIBUTE, seconds);
      },
    };
  }

  /** The session, made now if the request brought none and nothing used it yet. */
  #session(): S {
    let session = this.#current;
    if (session === undefined) {
      session = (this.#config.repository.createSessionNow as () => S).call(this.#config.repository);
      this.#current = session;
    }
    return session;
  }

  /** The session's id for log lines (`(none yet)` before it is made). */
  #idForLogs(): string {
    return this.#current === undefined ? '(none yet)' : shortSessionId(this.#current.id);
  }

  /**
   * Calls `callback` once, as soon as this request's session needs the response's attention: a
   * save before the headers leave, or an id cookie or header to write (now, when that is already
   * so, else on the first change the app makes). Adapters install their response guard only then,
   * so a request that leaves its session alone pays for none of it.
   */
  whenChanged(callback: () => void): void {
    if (this.needsCommit() || this.#invalidated || this.#rememberMe !== undefined || this.#refreshWanted()) {
      callback();
      return;
    }
    this.#onAttention = callback;
  }

  /**
   * For session objects of their own (the express-session and koa-session compatible ones):
   * `source.collectChanges()` runs before every check and save, `source.beforeSave()` before
   * every save. One source per request; a second call replaces the first.
   */
  attachChangeSource(source: SessionChangeSource): void {
    this.#changeSource = source;
  }

  /**
   * Asks for the response's attention (see {@link whenChanged}) although nothing changed yet:
   * a change source calls it when it starts watching values that may change in place.
   */
  requestAttention(): void {
    this.#attention();
  }

  /** The id the request presented should go out again (rolling expiry, an older signing secret). */
  #refreshWanted(): boolean {
    const storedId = this.#storedId;
    const { resolver } = this.#config;
    if (!this.#stored || storedId === undefined || typeof resolver.refreshSessionId !== 'function')
      return false;
    return resolver.refreshSessionId(this.#exchange.request, storedId, this.#cookieLifetime());
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
    const id = this.#session().changeSessionId();
    this.#changed();
    return id;
  }

  #setPrincipal(name: string | undefined, rotate: boolean | undefined): void {
    const session = this.#session();
    if ((rotate ?? this.#config.rotateIdOnPrincipalChange) && this.#stored) session.changeSessionId();
    (session as LooseSession).set(PRINCIPAL_NAME_INDEX_NAME, name);
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
    const migration = this.#migration;
    if (migration !== undefined && !migration.settled) {
      // Signing out on the first visit after the switch ends the legacy session too.
      await callStore('remove legacy session', storeTimeoutMs, () =>
        migration.source.remove(migration.legacy),
      );
      migration.settled = true;
    }
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
    this.#cookieLifetimeChanged = false;
    this.#changed();
  }

  /** Runs `work` after every commit (or other serial work) started before it. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = (this.#commitChain ?? Promise.resolve()).then(work);
    this.#commitChain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #reload(): Promise<void> {
    const { repository, storeTimeoutMs, clock } = this.#config;
    const storedId = this.#storedId;
    if (!this.#stored || storedId === undefined) {
      throw new SessionInvalidatedError(
        this.#session().id,
        'The session is not stored yet: there is nothing to reload',
      );
    }
    const found = await callStore('findById', storeTimeoutMs, () => repository.findById(storedId));
    const now = clock();
    if (found === null || found === undefined || found.isExpired(now))
      throw new SessionInvalidatedError(storedId);
    if (repository.capabilities.touchesOnRead !== true && found.lastAccessedTime < now)
      found.lastAccessedTime = now;
    this.#current = found;
    // What this request changed is gone; a login in it did not happen as far as the store knows.
    this.#requestChanges = undefined;
    this.#requestInterval = undefined;
    this.#loggedIn = false;
    this.#cookieLifetimeChanged = false;
    this.#mutationsAtSave = this.#mutations;
  }

  /** Explicit save from the app. */
  #saveNow(): Promise<void> {
    if (!this.#stored) this.#persistRequested = true;
    this.#attention();
    return this.#commitInOrder();
  }

  /** True when {@link commit} would write to the store (or a commit is running). Never true after a failed commit. */
  needsCommit(): boolean {
    if (this.#commitFailed) return false;
    const pending = this.#changeSource?.collectChanges() === true;
    return pending || this.#commitsInFlight > 0 || this.#needsSave();
  }

  #needsSave(): boolean {
    const session = this.#current;
    if (!this.#stored) return this.#persistRequested || (session !== undefined && session.names().length > 0);
    if (session === undefined) return false;
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
   * With `whenStoreUnavailable: 'continue'` a store failure is logged instead and the commit
   * resolves (the response goes out without a new id), unless `options.explicit` says the app
   * itself asked for this save.
   */
  commit(options: CommitOptions = {}): Promise<void> {
    // Most requests have nothing to save and nothing in flight: no promise chain for them.
    if (
      this.#commitChain === undefined &&
      this.#changeSource === undefined &&
      !this.#commitFailed &&
      !this.#needsSave()
    ) {
      return NOTHING_TO_COMMIT;
    }
    const run = this.#commitInOrder();
    if (options.explicit === true || this.#config.whenStoreUnavailable !== 'continue') return run;
    return run.catch((error: unknown) => {
      if (!(error instanceof SessionStoreUnavailableError)) throw error;
      this.#config.logger.warn(
        `session ${this.#idForLogs()} was not saved: the store is unavailable (whenStoreUnavailable: 'continue')`,
        error.message,
      );
    });
  }

  #commitInOrder(): Promise<void> {
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
    const source = this.#changeSource;
    if (source !== undefined) {
      try {
        await source.beforeSave?.();
        source.collectChanges();
      } catch (err) {
        this.#commitFailed = true;
        this.#commitError = err;
        throw err;
      }
    }
    if (!this.#needsSave()) return;
    const session = this.#session();
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
        await this.#settleMigration();
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

  /** The migrated session is stored: the legacy one goes (see `removeLegacySession`). */
  async #settleMigration(): Promise<void> {
    const migration = this.#migration;
    if (migration === undefined || migration.settled) return;
    await removeLegacySession(migration, this.#config.storeTimeoutMs, this.#config.logger);
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
    await this.#settleMigration();
  }

  /**
   * Writes the id to the response (cookie or header) when the stored session's id is new to the
   * client or remember-me changed, or expires it after `invalidate()`. Call it right before the
   * headers are sent; it is idempotent. After a failed commit nothing new is written.
   */
  writeResponseHeaders(): void {
    this.#headersWritten = true;
    const storedId = this.#storedId;
    const migration = this.#migration;
    if (migration?.settled === true) migration.source.expireCookies(this.#responseExchange());
    if (this.#stored && storedId !== undefined) {
      if (this.#commitFailed && storedId === this.#requestedSessionId) return;
      if (
        storedId !== this.#requestedSessionId ||
        this.#rememberMe !== undefined ||
        this.#cookieLifetimeChanged ||
        this.#refreshWanted()
      ) {
        this.#config.resolver.setSessionId(this.#responseExchange(), storedId);
      }
    } else if (this.#invalidated) {
      this.#config.resolver.expireSession(this.#responseExchange());
    }
  }

  /** The exchange with this request's id facts, made only when something is written. */
  #responseExchange(): SessionExchange {
    return new ResponseExchange(
      this.#exchange,
      this.#requestedSessionId,
      this.#rememberMe,
      this.#cookieLifetime(),
    );
  }

  /** The session's own cookie lifetime; `undefined` while no session was made. */
  #cookieLifetime(): number | null | undefined {
    return this.#current === undefined ? undefined : readCookieLifetime(this.#current);
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
        `saving session ${this.#idForLogs()} after the response failed`,
        (err as Error).message,
      );
    }
  }
}
