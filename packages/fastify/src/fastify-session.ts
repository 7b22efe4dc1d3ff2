import type { AnyAttributes, AttributeName, Session, SessionRepository } from '@session/core';
import { callStore, type RequestSession, type SetPrincipalOptions } from '@session/http';

/** A Node-style callback, as `@fastify/session`'s methods accept besides promises. */
export type SessionCallback = (error?: Error | null) => void;

/** What a {@link FastifySession} needs besides the request's session. @internal */
export interface FastifySessionDeps {
  readonly repository: SessionRepository<Session>;
  readonly storeTimeoutMs: number;
  readonly clock: () => number;
}

/** Settles `work` through `callback` when one is given; returns the promise otherwise. */
function settle(work: Promise<void>, callback: SessionCallback | undefined): Promise<void> {
  if (callback === undefined) return work;
  work.then(
    () => callback(null),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
  return work.catch(() => {});
}

/**
 * `request.session` on Fastify: the same session API as `req.session` of `@session/express` and
 * `ctx.session` of `@session/koa` (`get`/`set`, `setPrincipal`, `invalidate`, `rememberMe`, …),
 * plus the methods `@fastify/session` users know (`sessionId`, `regenerate`, `destroy`, `reload`,
 * `save`, `touch`), so plugins written for it, `@fastify/passport` among them, work unchanged.
 *
 * Type the attributes by augmenting `SessionData` of `@session/fastify`, or per route with
 * `getSession<MyAttributes>(request)`.
 */
export class FastifySession<A extends object = AnyAttributes> {
  readonly #session: RequestSession<A>;
  readonly #deps: FastifySessionDeps;

  /** @internal Created by the plugin for each request. */
  constructor(session: RequestSession<A>, deps: FastifySessionDeps) {
    this.#session = session;
    this.#deps = deps;
  }

  /** The framework-neutral session this object wraps (what `@session/express` puts on `req.session`). */
  get requestSession(): RequestSession<A> {
    return this.#session;
  }

  /** The current id. For a new session this id is not stored (nor sent) until something is set. */
  get id(): string {
    return this.#session.id;
  }

  /** The current id, under `@fastify/session`'s name. */
  get sessionId(): string {
    return this.#session.id;
  }

  /** True while the session is not in the store (no request has stored it yet). */
  get isNew(): boolean {
    return this.#session.isNew;
  }

  /** The id the client presented that was found in the store, or `undefined`. */
  get requestedSessionId(): string | undefined {
    return this.#session.requestedSessionId;
  }

  /** Epoch ms when the session was created. */
  get creationTime(): number {
    return this.#session.creationTime;
  }

  /** Epoch ms of the last access (this request, for a loaded session). */
  get lastAccessedTime(): number {
    return this.#session.lastAccessedTime;
  }

  /** Idle timeout in ms; negative: never expires. Setting it is a change that gets saved. */
  get maxInactiveIntervalMs(): number {
    return this.#session.maxInactiveIntervalMs;
  }

  set maxInactiveIntervalMs(value: number) {
    this.#session.maxInactiveIntervalMs = value;
  }

  /** Reads an attribute; `undefined` when absent. */
  get<K extends AttributeName<A>>(name: K): A[K] | undefined {
    return this.#session.get(name);
  }

  /** Sets an attribute (`undefined` removes it). The first set on a new session makes it stored. */
  set<K extends AttributeName<A>>(name: K, value: A[K] | undefined): void {
    this.#session.set(name, value);
  }

  /** Removes an attribute. */
  delete(name: AttributeName<A>): void {
    this.#session.delete(name);
  }

  /** True when the attribute is set. */
  has(name: AttributeName<A>): boolean {
    return this.#session.has(name);
  }

  /** Names of the attributes currently set. */
  names(): string[] {
    return this.#session.names();
  }

  /** The attributes as a plain object (a copy): `@fastify/session`'s view of the data. */
  data(): Partial<A> {
    const out: Record<string, unknown> = {};
    for (const name of this.#session.names()) out[name] = this.#session.get(name as AttributeName<A>);
    return out as Partial<A>;
  }

  /** The principal (user) name the session is indexed by, or `undefined`. */
  get principal(): string | undefined {
    return this.#session.principal;
  }

  /**
   * Records who the session belongs to, for "find all sessions of this user". A stored session
   * gets a new id unless `rotateId` is false (session fixation protection).
   */
  setPrincipal(name: string | undefined, options?: SetPrincipalOptions): void {
    this.#session.setPrincipal(name, options);
  }

  /** Gives the session a new id, keeping its attributes. */
  changeSessionId(): string {
    return this.#session.changeSessionId();
  }

  /**
   * Deletes the session from the store and tells the client to drop its id; this object is a fresh
   * new session afterwards. Throws `SessionStoreUnavailableError` when the store fails.
   */
  invalidate(): Promise<void> {
    return this.#session.invalidate();
  }

  /** Persistent (or, with `false`, browser-session) cookie for this response. */
  rememberMe(enabled = true): void {
    this.#session.rememberMe(enabled);
  }

  /**
   * `@fastify/session`'s `regenerate`: a new session with a new id, keeping only the attributes
   * named in `ignoreFields`. The old session is deleted from the store, so an id planted before
   * login is useless afterwards. `@fastify/passport` calls it at login and logout.
   */
  regenerate(ignoreFields?: string[] | SessionCallback, callback?: SessionCallback): Promise<void> {
    const fields = Array.isArray(ignoreFields) ? ignoreFields : [];
    const done = typeof ignoreFields === 'function' ? ignoreFields : callback;
    return settle(this.#regenerate(fields), done);
  }

  async #regenerate(keep: readonly string[]): Promise<void> {
    const kept: Array<[AttributeName<A>, unknown]> = [];
    for (const name of keep as AttributeName<A>[]) {
      if (this.#session.has(name)) kept.push([name, this.#session.get(name)]);
    }
    await this.#session.invalidate();
    for (const [name, value] of kept) this.#session.set(name, value as A[AttributeName<A>]);
  }

  /** `@fastify/session`'s `destroy`: {@link invalidate}. */
  destroy(callback?: SessionCallback): Promise<void> {
    return settle(this.#session.invalidate(), callback);
  }

  /**
   * `@fastify/session`'s `reload`: the attributes as the store has them now, dropping this
   * request's unsaved changes. A session the store no longer has (or never had) is left empty.
   * The reloaded values count as changes of this request and are written back with its save.
   */
  reload(callback?: SessionCallback): Promise<void> {
    return settle(this.#reload(), callback);
  }

  async #reload(): Promise<void> {
    const { repository, storeTimeoutMs } = this.#deps;
    const id = this.#session.id;
    const stored = this.#session.isNew
      ? null
      : await callStore('findById', storeTimeoutMs, () => repository.findById(id));
    const source = stored as Session<Record<string, unknown>> | null;
    const storedNames = source?.names() ?? [];
    for (const name of this.#session.names() as AttributeName<A>[]) {
      if (!storedNames.includes(name)) this.#session.delete(name);
    }
    for (const name of storedNames as AttributeName<A>[]) {
      this.#session.set(name, source?.get(name) as A[AttributeName<A>]);
    }
  }

  /**
   * Saves now instead of before the response is sent (a new session is stored even when empty).
   * Throws `SessionStoreUnavailableError` (503) or `SessionSaveConflictError` (409).
   */
  save(callback?: SessionCallback): Promise<void> {
    return settle(this.#session.save(), callback);
  }

  /** `@fastify/session`'s `touch`: records an access now, so the idle timeout restarts with this request's save. */
  touch(): void {
    this.#session.unwrap().lastAccessedTime = this.#deps.clock();
  }

  /** The underlying store session. */
  unwrap(): Session<A> {
    return this.#session.unwrap();
  }

  /** A log-safe description: shortened id, attribute count. */
  toString(): string {
    return this.#session.toString();
  }
}
