import type { Session, SessionRepository, SessionRepositoryOptions } from '@session/core';

/**
 * A test body; may be async. Frameworks that pass a test context (vitest) hand it in as the
 * optional argument; the suite uses it only to mark tests skipped (see {@link ContractTestApi.skip}).
 */
export type ContractTestFn = (testContext?: unknown) => void | Promise<void>;

/**
 * The matchers the suite uses. Vitest's and Jest's `expect(value)` results both satisfy it.
 * Declared with method syntax so framework-specific signatures stay assignable.
 */
export interface ContractAssertion {
  not: ContractAssertion;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeInstanceOf(expected: unknown): void;
  toBeGreaterThan(expected: number | bigint): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThan(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
  toContain(expected: unknown): void;
  toHaveLength(expected: number): void;
  toMatchObject(expected: object): void;
}

/**
 * The test functions of the caller's framework: pass vitest's (or Jest's) own, e.g.
 * `import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest'`.
 * The suite never imports a test framework itself.
 */
export interface ContractTestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: ContractTestFn, timeoutMs?: number): unknown;
  expect(actual: unknown): ContractAssertion;
  beforeAll(fn: ContractTestFn, timeoutMs?: number): unknown;
  afterAll(fn: ContractTestFn, timeoutMs?: number): unknown;
  beforeEach(fn: ContractTestFn, timeoutMs?: number): unknown;
  afterEach(fn: ContractTestFn, timeoutMs?: number): unknown;
  /**
   * Optional: marks the running test as skipped with `reason`. The suite calls it from inside a
   * test whose subject the harness does not offer (no `createPeer`, no `backendOperations`), so
   * such a test is reported as skipped, never as a silent pass. `testContext` is what the
   * framework passed to the test body. It should throw (as vitest's `context.skip` does) or
   * record the skip; the test ends either way.
   *
   * Without it the suite uses the test context's own `skip(note)` when there is one (vitest 3),
   * and otherwise prints `not exercised: <reason>` as a warning and lets the test pass (Jest has
   * no runtime skip).
   */
  skip?(reason: string, testContext: unknown): void;
}

/** Reads that go straight to the backend, bypassing the repository (Auth.js-adapter style checks). */
export interface RawBackendReads {
  /** True when the backend holds any data for this session id. */
  exists(id: string): Promise<boolean>;
  /** The decoded stored value of one attribute, `undefined` when absent. */
  readAttribute?(id: string, name: string): Promise<unknown>;
  /** The session ids the backend's principal index holds for `principal`, if the store keeps one. */
  readPrincipalIndex?(principal: string): Promise<string[]>;
}

/** One store instance under test, built by {@link ContractOptions.createHarness} for one test. */
export interface StoreHarness<S extends Session = Session> {
  /**
   * The repository under test. When `capabilities.indexed` it must also implement
   * `FindByIndexNameSessionRepository`; when `capabilities.events`, `SessionEventSource`.
   */
  repository: SessionRepository<S>;
  /** Raw backend reads; every check that can use them does. */
  raw?: RawBackendReads;
  /**
   * A count of backend operations (commands sent, map accesses…) that only ever grows. Lets the
   * suite prove malformed ids never reach the backend.
   */
  backendOperations?(): number | Promise<number>;
  /**
   * A second repository instance on the same backend (cross-instance reads and events). It must be
   * fully set up when the promise resolves: with events, its subscription is live, so it receives
   * an event caused right after. (The suite also awaits the peer's own `ready()` when it has one.)
   */
  createPeer?(): Promise<SessionRepository<S>>;
  /**
   * Optional: resolves when the harness's repository is fully set up (subscriptions live, schema
   * checked). The suite awaits it, then the repository's own `ready()` when it has one, before
   * each test.
   */
  ready?(): Promise<void>;
  /**
   * Optional: damages stored data the way a bug, a migration or another service might, so the
   * suite can check the bad-data rule (a stored session that cannot be read is logged and removed,
   * and reads as absent: never an error, never a 500).
   */
  corrupt?: {
    /** Replaces the stored value of attribute `name` of session `id` with data the serializer cannot read. */
    attribute?(id: string, name: string): Promise<void>;
    /** Damages the stored session itself: a required field missing, out of range or unparseable. */
    record?(id: string): Promise<void>;
    /**
     * Set (to the reason) when the store leaves unreadable data in place on purpose, such as a
     * bridge to a store another app shares, which may read it fine. The suite then checks that
     * it reads as absent and is logged, but not that it is removed.
     */
    keptOnPurpose?: string;
  };
  /**
   * Optional: a repository of the same store, built the same way, whose backend cannot be reached
   * (a closed port, a stopped server). The suite checks that every operation rejects with
   * `SessionStoreUnavailableError` (code `SESSION_STORE_UNAVAILABLE`, HTTP 503) within the test's
   * timeout, and that a failed save leaves its changes pending. The suite closes it.
   */
  createUnreachable?(): Promise<SessionRepository<S>>;
  /** Releases everything the harness created (repositories, peers, connections). */
  close(): Promise<void>;
}

/**
 * What the store under test supports; tests for missing capabilities are not registered. It must
 * say what `repository.capabilities` says: the suite has a test that compares them.
 */
export interface ContractCapabilities {
  /** `FindByIndexNameSessionRepository`: principal and custom indexes. */
  indexed: boolean;
  /** `SessionEventSource`: `created`, `deleted`, `expired`, `destroyed`. */
  events: boolean;
  /**
   * `findById` refreshes `lastAccessedTime` to the read time (and extends the session's life), as
   * core's `Session.lastAccessedTime` documents and the Redis round-trip budget requires. Leave it
   * out: the suite then follows the repository's own `capabilities.touchesOnRead` (absent there
   * means `false`, as in core). When given, it must match the repository's (a test checks that).
   */
  touchesOnRead?: boolean;
}

/** Options of {@link runSessionRepositoryContract}. */
export interface ContractOptions<S extends Session = Session> {
  /** Shown as the top-level `describe` name. */
  name: string;
  /** The caller's test framework functions. */
  test: ContractTestApi;
  /**
   * Builds a fresh store instance for one test. `options` are the shared store options the test
   * needs (save and flush mode, default interval, index resolver, logger); pass them on to the
   * repository, merged over your own (connection, namespace).
   */
  createHarness(options: SessionRepositoryOptions<S>): Promise<StoreHarness<S>>;
  capabilities: ContractCapabilities;
  /**
   * Expiry timing. `minIntervalMs`: the shortest idle timeout the store honours exactly (Redis
   * stores seconds: 1000). `eventWithinMs`: how long after its due time `expired` must arrive.
   * Defaults: 1000 and 5000.
   */
  expiry?: { minIntervalMs: number; eventWithinMs: number };
  /** Per-test timeout in ms. Default 15 000. */
  timeoutMs?: number;
}
