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
  /** A second repository instance on the same backend (cross-instance reads and events). */
  createPeer?(): Promise<SessionRepository<S>>;
  /** Releases everything the harness created (repositories, peers, connections). */
  close(): Promise<void>;
}

/** What the store under test supports; tests for missing capabilities are not registered. */
export interface ContractCapabilities {
  /** `FindByIndexNameSessionRepository`: principal and custom indexes. */
  indexed: boolean;
  /** `SessionEventSource`: `created`, `deleted`, `expired`, `destroyed`. */
  events: boolean;
  /**
   * `findById` refreshes `lastAccessedTime` to the read time (and extends the session's life), as
   * core's `Session.lastAccessedTime` documents and the Redis round-trip budget requires.
   * Default `true`; set `false` for a store that leaves it to the caller's next save.
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
