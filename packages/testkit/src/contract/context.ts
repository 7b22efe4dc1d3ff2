import {
  type Session,
  type SessionRepository,
  type SessionRepositoryOptions,
  shortSessionId,
} from '@session/core';
import type { ContractAssertion, ContractOptions, ContractTestFn, StoreHarness } from './types.js';

/** Attributes as the suite reads and writes them. */
export type Attrs = Record<string, unknown>;

/** A session the suite can treat as untyped. */
export type AnySession = Session<Attrs>;

/** Defaults applied to {@link ContractOptions}. */
export const DEFAULT_EXPIRY = { minIntervalMs: 1000, eventWithinMs: 5000 } as const;
export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The shortest multiple of the store's minimum interval that leaves at least half a second for a
 * save and a load to finish before a session falls due: on a loaded 2-core CI machine a few
 * hundred ms of stall happen. Stores with 1-second intervals keep their own; 200 ms ones get 600.
 */
export function roomyIntervalMs(minIntervalMs: number): number {
  return minIntervalMs * Math.max(1, Math.ceil(500 / minIntervalMs));
}

/** Everything a group of contract cases needs, with defaults applied. */
export interface SuiteContext<S extends Session = Session> {
  readonly options: ContractOptions<S>;
  readonly expect: (actual: unknown) => ContractAssertion;
  readonly minIntervalMs: number;
  readonly eventWithinMs: number;
  /** The declared `capabilities.touchesOnRead`, or `undefined` to follow the repository's own. */
  readonly declaredTouchesOnRead: boolean | undefined;
  /** Whether `findById` of `repository` refreshes `lastAccessedTime`: the declared value, else the repository's. */
  touchesOnRead(repository: SessionRepository<S>): boolean;
  /**
   * Registers one test with the suite's timeout (plus `extraMs` for tests that wait on expiry).
   * A test body that calls {@link notExercised} ends there and is reported as skipped.
   */
  it(name: string, fn: ContractTestFn, extraMs?: number): void;
  /**
   * Ends the running test as skipped because the harness lacks what it checks (for example
   * `createPeer`). Throws; call it as `return ctx.notExercised('…')` inside a test body.
   */
  notExercised(reason: string): never;
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

/** Thrown by {@link SuiteContext.notExercised}; turned into a skip by the test wrapper. */
class NotExercised extends Error {
  constructor(readonly reason: string) {
    super(`not exercised: ${reason}`);
    this.name = 'NotExercised';
  }
}

/**
 * Marks the running test skipped: the caller's `skip`, else the test context's own `skip(note)`
 * (vitest; it throws its skip signal), else a printed warning (the test then passes).
 */
function skipRunningTest(
  test: ContractOptions['test'],
  name: string,
  reason: string,
  testContext: unknown,
): void {
  const note = `not exercised: ${reason}`;
  if (typeof test.skip === 'function') {
    test.skip(note, testContext);
    return;
  }
  const contextSkip = (testContext as { skip?: unknown } | null | undefined)?.skip;
  if (typeof contextSkip === 'function') {
    (contextSkip as (note?: string) => void).call(testContext, note);
    return;
  }
  console.warn(`[session contract] "${name}" ${note}`);
}

/** Awaits `ready()` of a repository that has one (stores with subscriptions or a startup check). */
async function readyOf(repository: unknown): Promise<void> {
  const ready = (repository as { ready?: unknown } | null)?.ready;
  if (typeof ready === 'function') await (ready as () => Promise<unknown>).call(repository);
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
    declaredTouchesOnRead: options.capabilities.touchesOnRead,
    touchesOnRead(repository) {
      return options.capabilities.touchesOnRead ?? repository.capabilities?.touchesOnRead === true;
    },
    it(name, fn, extraMs = 0) {
      // No declared parameter: Jest treats a body that declares one as callback-style (and waits
      // for a `done` that never comes), and vitest's fixture parser rejects any first parameter
      // that is not destructured. The framework's test context still arrives as `arguments[0]`.
      const body = async function contractTest(): Promise<void> {
        // biome-ignore lint/complexity/noArguments: see above; a parameter would break Jest and fixtures
        const testContext: unknown = arguments[0];
        try {
          await fn(testContext);
        } catch (err) {
          if (!(err instanceof NotExercised)) throw err;
          skipRunningTest(test, name, err.reason, testContext);
        }
      };
      test.it(name, body, timeoutMs + extraMs);
    },
    notExercised(reason) {
      throw new NotExercised(reason);
    },
    describe(name, fn) {
      test.describe(name, fn);
    },
    async withHarness(storeOptions, fn) {
      const created = await options.createHarness(storeOptions);
      const repo = created.repository;
      const createPeer = created.createPeer;
      // Peers and the repository are used only once they say they are ready (subscriptions live).
      const harness: StoreHarness<S> =
        createPeer === undefined
          ? created
          : Object.assign(Object.create(created) as StoreHarness<S>, {
              async createPeer() {
                const peer = await createPeer.call(created);
                await readyOf(peer);
                return peer;
              },
            });
      try {
        await created.ready?.();
        await readyOf(repo);
      } catch (err) {
        await created.close();
        throw err;
      }
      const view: HarnessView<S> = {
        harness,
        repo,
        async saved(attributes = {}, tweak) {
          const session = (await repo.createSession()) as unknown as AnySession;
          for (const [name, value] of Object.entries(attributes)) session.set(name, value);
          tweak?.(session);
          const outcome = await repo.save(session as unknown as S);
          // "unchanged" when an immediate flush already wrote everything.
          if (outcome?.status !== 'written' && outcome?.status !== 'unchanged') {
            throw new Error(
              `Expected a new session's save to report "written", got ${JSON.stringify(outcome)}`,
            );
          }
          return session;
        },
        async load(id) {
          const found = (await repo.findById(id)) as unknown as AnySession | null;
          if (found === null)
            throw new Error(`Expected session ${shortSessionId(id)} to be stored, findById returned null`);
          return found;
        },
        async find(id) {
          return (await repo.findById(id)) as unknown as AnySession | null;
        },
      };
      try {
        return await fn(view);
      } finally {
        await created.close();
      }
    },
  };
}
