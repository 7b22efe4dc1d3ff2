import type { Session, SessionLogger, SessionRepository } from '@session/core';

/**
 * The matchers the adapter suite uses. Vitest's and Jest's `expect(value)` results both satisfy it.
 * Declared with method syntax so framework-specific signatures stay assignable.
 */
export interface AdapterAssertion {
  not: AdapterAssertion;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toContain(expected: unknown): void;
  toHaveLength(expected: number): void;
  toMatchObject(expected: object): void;
  toMatch(expected: string | RegExp): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
}

/**
 * The test functions of the caller's framework: pass vitest's (or Jest's) own, e.g.
 * `import { afterAll, afterEach, describe, expect, it } from 'vitest'`. The suite never imports a
 * test framework itself.
 */
export interface AdapterTestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): unknown;
  /** `message` names the case in a failure; frameworks without it ignore it. */
  expect(actual: unknown, message?: string): AdapterAssertion;
  afterEach(fn: () => unknown, timeoutMs?: number): unknown;
  afterAll(fn: () => unknown, timeoutMs?: number): unknown;
}

/**
 * A session id resolver as the suite hands it to a harness (a `CookieSessionIdResolver`,
 * `HeaderSessionIdResolver` or `CompositeSessionIdResolver` of `@session/http`); assignable to
 * `@session/http`'s `SessionIdResolver`.
 */
export interface AdapterSessionIdResolver {
  resolveSessionIds(request: never): string[];
  setSessionId(exchange: never, sessionId: string): void;
  expireSession(exchange: never): void;
}

/** The cookie options the suite sets: a subset of `@session/http`'s `CookieSessionIdResolverOptions`. */
export interface AdapterCookieOptions {
  cookieName?: string;
  useBase64Encoding?: boolean;
  useHttpOnlyCookie?: boolean;
  useSecureCookie?: boolean;
  trustProxy?: boolean | number | string | readonly string[];
  sameSite?: 'Strict' | 'Lax' | 'None' | null;
  partitioned?: boolean;
  cookiePath?: string;
  useContextPath?: boolean;
  domainName?: string;
  domainNamePattern?: string | RegExp;
  cookieMaxAgeSeconds?: number;
  rememberMeMaxAgeSeconds?: number;
  rolling?: boolean;
  secrets?: string | readonly string[];
  priority?: 'Low' | 'Medium' | 'High';
}

/**
 * The session options of one test app: a subset of `@session/http`'s `HttpSessionOptions`, so a
 * harness passes them to its adapter unchanged (`app.use(session(options.session))`).
 */
export interface AdapterSessionOptions {
  repository: SessionRepository<Session>;
  resolver?: AdapterSessionIdResolver;
  cookie?: AdapterCookieOptions;
  storeTimeoutMs?: number;
  logger?: SessionLogger;
  saveUninitialized?: boolean;
  whenStoreUnavailable?: 'fail' | 'continue';
}

/** How one test app is configured. */
export interface AdapterAppOptions {
  /** Pass to the adapter as they are. */
  session: AdapterSessionOptions;
  /**
   * The framework's own proxy trust, for `X-Forwarded-Proto` and `-Host`: Express `trust proxy`,
   * Koa `app.proxy`, Fastify `trustProxy`; for frameworks without one, the adapter's own setting.
   */
  frameworkTrustsProxy?: boolean;
  /** Serve the routes (and the session middleware) under this mount path, e.g. `/shop`. */
  mountPath?: string;
  /** No app error handler: errors reach the framework's default handler. */
  defaultErrorHandler?: boolean;
}

/** A listening test app. */
export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:51234`, without the mount path. */
  url: string;
  close(): Promise<void>;
}

/**
 * What an adapter's test file provides: an app serving the suite's routes with the framework's own
 * idioms (see `runAdapterSuite` for the route table), listening on a loopback port.
 */
export interface AdapterHarness {
  /** e.g. `express 4`. */
  name: string;
  start(options: AdapterAppOptions): Promise<RunningApp>;
}

/** What a {@link StoreUnderTest} context gives: the repository and its switches. */
export interface StoreContext {
  repository: SessionRepository<Session>;
  close(): Promise<void>;
  /** Makes the real backend stop answering, and back; `kill` takes it away for good. */
  outage?: { begin(): Promise<void>; end(): Promise<void>; kill(): Promise<void> };
}

/** A store the store-dependent cases (lost updates, races, round trips, outages) run against. */
export interface StoreUnderTest {
  name: string;
  /** The store's contexts come with an `outage` switch. */
  canStop?: boolean;
  create(): Promise<StoreContext>;
}

/**
 * The session id resolvers of `@session/http` the suite configures (header and composite flows):
 * pass the module, `import * as http from '@session/http'`. The testkit takes it from the caller
 * instead of importing it, so that `@session/http`'s own tests can use the testkit without a
 * dependency cycle.
 */
export interface HttpLayer {
  CookieSessionIdResolver: new (options?: AdapterCookieOptions) => AdapterSessionIdResolver;
  HeaderSessionIdResolver: new (options?: { headerName?: string }) => AdapterSessionIdResolver;
  CompositeSessionIdResolver: new (resolvers: AdapterSessionIdResolver[]) => AdapterSessionIdResolver;
}

/** Makes a fresh repository; see {@link AdapterSuiteOptions.createRepository}. */
export type RepositoryFactory = () => SessionRepository<Session> | Promise<SessionRepository<Session>>;

/** Options of `runAdapterSuite`. */
export interface AdapterSuiteOptions {
  /** The app under test. */
  harness: AdapterHarness;
  /** The caller's test framework functions. */
  test: AdapterTestApi;
  /** `@session/http` (`import * as http from '@session/http'`): its resolver classes. */
  http: HttpLayer;
  /**
   * A fresh repository for the cases that do not depend on the store (cookies, headers, rotation,
   * malformed ids, outages simulated in front of it). It should track id changes
   * (`movedRecently`) and, for one check, be indexed: `@session/memory`'s
   * `() => new MemorySessionRepository()` is what this repository's adapters pass.
   */
  createRepository: RepositoryFactory;
  /**
   * The stores the store-dependent cases run on. Default: one store made by `createRepository`
   * ({@link memoryStore}). Add real backends, e.g. `redisStores({...})`.
   */
  stores?: readonly StoreUnderTest[];
  /** Per-test timeout in ms. Default 30 000. */
  timeoutMs?: number;
}

/** The JSON body of `GET /read`. */
export interface ReadBody {
  id: string;
  isNew: boolean;
  requestedSessionId: string | null;
  principal: string | null;
  attributes: Record<string, unknown>;
}

/** What `readBody` reads of a request's session: `RequestSession` and the adapters' sessions fit. */
export interface ReadableSession {
  readonly id: string;
  readonly isNew: boolean;
  readonly requestedSessionId: string | undefined;
  readonly principal: string | undefined;
  names(): string[];
  get(name: never): unknown;
}
