import type { Session, SessionRepository, SessionRepositoryOptions } from '@session/core';
import type { ContractAssertion, ContractOptions, ContractTestFn, StoreHarness } from './types.js';

/** Attributes as the suite reads and writes them. */
export type Attrs = Record<string, unknown>;

/** A session the suite can treat as untyped. */
export type AnySession = Session<Attrs>;

/** Defaults applied to {@link ContractOptions}. */
export const DEFAULT_EXPIRY = { minIntervalMs: 1000, eventWithinMs: 5000 } as const;
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Everything a group of contract cases needs, with defaults applied. */
export interface SuiteContext<S extends Session = Session> {
  readonly options: ContractOptions<S>;
  readonly expect: (actual: unknown) => ContractAssertion;
  readonly minIntervalMs: number;
  readonly eventWithinMs: number;
  readonly touchesOnRead: boolean;
  /** Registers one test with the suite's timeout (plus `extraMs` for tests that wait on expiry). */
  it(name: string, fn: ContractTestFn, extraMs?: number): void;
  describe(name: string, fn: () => void): void;
  /** Builds a harness with `storeOptions`, runs `fn`, and always closes the harness. */
  withHarness<T>(
    storeOptions: SessionRepositoryOptions<S>,
    fn: (h: HarnessView<S>) => Promise<T>,
  ): Promise<T>;
}

/** The harness plus the repository typed loosely for attribute access. */
export interface HarnessView<S extends Session = Session> {
  readonly harness: StoreHarness<S>;
  readonly repo: SessionRepository<S>;
  /** Creates a session, sets `attributes`, saves it and returns it. */
  saved(attributes?: Attrs, tweak?: (s: AnySession) => void): Promise<AnySession>;
  /** `findById`, typed loosely; fails the test when the session is missing. */
  load(id: string): Promise<AnySession>;
  /** `findById`, typed loosely; may return `null`. */
  find(id: string): Promise<AnySession | null>;
}

export function createContext<S extends Session>(options: ContractOptions<S>): SuiteContext<S> {
  const { test } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const expiry = options.expiry ?? DEFAULT_EXPIRY;
  const expect = (actual: unknown) => test.expect(actual);
  return {
    options,
    expect,
    minIntervalMs: expiry.minIntervalMs,
    eventWithinMs: expiry.eventWithinMs,
    touchesOnRead: options.capabilities.touchesOnRead ?? true,
    it(name, fn, extraMs = 0) {
      test.it(name, fn, timeoutMs + extraMs);
    },
    describe(name, fn) {
      test.describe(name, fn);
    },
    async withHarness(storeOptions, fn) {
      const harness = await options.createHarness(storeOptions);
      const repo = harness.repository;
      const view: HarnessView<S> = {
        harness,
        repo,
        async saved(attributes = {}, tweak) {
          const session = (await repo.createSession()) as unknown as AnySession;
          for (const [name, value] of Object.entries(attributes)) session.set(name, value);
          tweak?.(session);
          await repo.save(session as unknown as S);
          return session;
        },
        async load(id) {
          const found = (await repo.findById(id)) as unknown as AnySession | null;
          if (found === null)
            throw new Error(`Expected session ${id.slice(0, 8)}… to be stored, findById returned null`);
          return found;
        },
        async find(id) {
          return (await repo.findById(id)) as unknown as AnySession | null;
        },
      };
      try {
        return await fn(view);
      } finally {
        await harness.close();
      }
    },
  };
}
