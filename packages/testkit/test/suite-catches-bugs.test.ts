import { describe, expect, it, vi } from 'vitest';
import { type ContractCapabilities, runSessionRepositoryContract } from '../src/index.js';
import { type CollectedTest, collectingTestApi, outcome } from './support/collector.js';
import { REFERENCE_EXPIRY, referenceHarness } from './support/harness.js';
import type { Bugs } from './support/reference-store.js';

function collect(
  bugs: Bugs,
  capabilities: ContractCapabilities = { indexed: true, events: true },
): CollectedTest[] {
  const { api, tests } = collectingTestApi();
  runSessionRepositoryContract({
    name: 'mutant',
    test: api,
    capabilities,
    expiry: REFERENCE_EXPIRY,
    createHarness: (options) => referenceHarness(options, bugs),
  });
  return tests;
}

function pick(tests: CollectedTest[], fragment: string): CollectedTest {
  const found = tests.filter((t) => t.name.includes(fragment));
  if (found.length !== 1) throw new Error(`"${fragment}" matches ${found.length} contract tests, expected 1`);
  return found[0] as CollectedTest;
}

/** Each bug, and contract tests that must fail because of it (one per rule the bug breaks). */
const mutants: Array<[bug: string, bugs: Bugs, mustFail: string[]]> = [
  [
    'stored values shared with the caller',
    { shareReferences: true },
    [
      'mutating a value after save does not change the stored copy',
      'two loaded copies do not share attribute values',
      'changing a loaded session without saving changes nothing stored',
      "'onSetAttribute' (default): an in-place change of a read value is not saved",
    ],
  ],
  [
    'saves overwrite all attributes instead of writing the delta',
    { fullOverwrite: true },
    [
      'two copies that change different attributes both keep their change',
      '50 concurrent saves of different attributes',
      'keeps attributes the changing copy did not touch',
    ],
  ],
  [
    'removed attributes are not removed',
    { dropRemovals: true },
    [
      'delete(name) on a loaded session removes',
      'set(name, undefined) removes',
      'removing an attribute another copy never loaded',
    ],
  ],
  [
    'saves re-create deleted sessions',
    { resurrect: true },
    [
      'saving a copy loaded before deleteById',
      'saves racing deletes never leave the session behind',
      'changing the id of a session deleted meanwhile does not resurrect it',
      'saving a copy with only a new lastAccessedTime after delete',
    ],
  ],
  [
    'changeSessionId leaves the old id behind',
    { changeIdKeepsOld: true },
    [
      'moves the session: old id gone',
      'changing the id twice before saving',
      'changeSessionId moves the index entry',
    ],
  ],
  [
    'sessions never expire',
    { ignoreExpiry: true },
    [
      'findById never returns an expired session',
      'a session saved already expired is not returned',
      'a lastAccessedTime in the past shortens the remaining life',
      'saving a copy loaded before expiry does not revive',
      'expired sessions are never returned by index lookups',
    ],
  ],
  [
    'negative intervals expire at once',
    { negativeExpiresImmediately: true },
    [
      'a negative interval never expires',
      'changing a loaded session to a negative interval',
      'a negative default interval',
    ],
  ],
  [
    'interval changes on loaded copies are dropped',
    { ignoreIntervalChange: true },
    ['maxInactiveIntervalMs changed on a loaded copy persists', 'a longer interval saved on a loaded copy'],
  ],
  ['findById does not refresh lastAccessedTime', { noTouch: true }, ['findById refreshes lastAccessedTime']],
  [
    'index lookups return expired sessions',
    { indexReturnsExpired: true, noSweeper: true },
    ['expired sessions are never returned by index lookups'],
  ],
  [
    'indexes computed from the saved copy alone',
    { indexFromCopy: true },
    ["a stale copy's save keeps the index entry"],
  ],
  [
    'the index resolver option is ignored',
    { indexIgnoresResolver: true },
    ['a custom index from indexResolver'],
  ],
  ["'created' on every save", { createdOnEverySave: true }, ["'created' arrives on the first save only"]],
  ["no 'deleted' events", { noDeletedEvent: true }, ["'deleted' arrives for deleteById"]],
  ["no 'expired' events", { noExpiredEvent: true }, ["'expired' arrives within eventWithinMs"]],
  ['no expiry sweeper (only lazy expiry)', { noSweeper: true }, ["'expired' arrives within eventWithinMs"]],
  ['listener errors reach the store', { listenerErrorsPropagate: true }, ['listeners that throw or reject']],
  ['off() does nothing', { ignoreUnsubscribe: true }, ['unsubscribed listeners receive nothing']],
  [
    'events stay on the instance that caused them',
    { peersMissEvents: true },
    ['a peer instance on the same backend receives'],
  ],
  [
    'malformed ids reach the backend',
    { malformedReachesBackend: true },
    ['malformed ids cost no backend operation'],
  ],
  [
    'malformed ids throw',
    { malformedThrows: true },
    ['findById resolves null and deleteById resolves for every malformed id'],
  ],
  [
    'save modes ignored',
    { ignoreSaveMode: true },
    [
      "'onGetAttribute': an attribute read then mutated in place is saved",
      "'always': every attribute is written",
    ],
  ],
  [
    "flushMode 'immediate' ignored",
    { noImmediateFlush: true },
    ["'immediate': set on a loaded session", "'immediate': set on a new session"],
  ],
  [
    'values stored as plain JSON',
    { lossyJson: true },
    [
      'values round-trip through the store',
      'values set on a loaded copy round-trip',
      'a function value makes save reject',
    ],
  ],
  [
    'a saved lastAccessedTime is ignored (only reads touch)',
    { ignoreLastAccessedChange: true },
    ['saving a session with a fresh lastAccessedTime extends the life'],
  ],
  [
    'changes made during a save are marked saved with it',
    { forgetInFlightChanges: true },
    ['changes made while a save is in flight are written by the next save'],
  ],
  [
    'a failing save writes what it got to first',
    { partialWriteOnError: true },
    ['a function value makes save reject'],
  ],
  [
    'a save that found its session gone reports "written"',
    { writtenWhenGone: true },
    [
      'saving a copy loaded before deleteById',
      'changing the id of a session deleted meanwhile does not resurrect it',
      'a copy saved after another copy changed the id reports "moved"',
      'two copies rotating the id at once',
    ],
  ],
  [
    'id changes leave no trail',
    { noIdTrail: true },
    [
      'a copy saved after another copy changed the id reports "moved"',
      'deleteById of an id that was just changed also deletes the session under its new id',
    ],
  ],
  [
    'serializer failures surface as "store unavailable"',
    { serializerErrorAsUnavailable: true },
    ['a serializer that throws fails the save with SessionSerializationError'],
  ],
  [
    'unreadable stored data throws',
    { corruptThrows: true },
    [
      'a session with an unreadable attribute reads as absent',
      'a damaged session record reads as absent',
      'index lookups skip a session with an unreadable attribute',
    ],
  ],
  [
    'unreadable stored data is kept and not logged',
    { corruptKept: true },
    ['a session with an unreadable attribute reads as absent, is logged and removed'],
  ],
  [
    'a backend that is down surfaces as a plain Error',
    { downAsPlainError: true },
    ['every operation rejects with SessionStoreUnavailableError'],
  ],
  [
    'capabilities say touchesOnRead: false for a store that touches',
    { capabilitiesUnderstate: true },
    ['lastAccessedTime persists exactly'],
  ],
];

describe.concurrent('the contract suite fails broken stores', () => {
  for (const [bug, bugs, mustFail] of mutants) {
    it(bug, async () => {
      const tests = collect(bugs);
      const chosen = mustFail.map((fragment) => pick(tests, fragment));
      const errors = await Promise.all(chosen.map(outcome));
      const passed = chosen.filter((_, i) => errors[i] === undefined).map((t) => t.name);
      expect(passed).toEqual([]);
    });
  }

  it('the same tests pass against the correct store', async () => {
    const tests = collect({});
    const chosen = [...new Set(mutants.flatMap(([, , mustFail]) => mustFail))].map((f) => pick(tests, f));
    const errors = await Promise.all(chosen.map(outcome));
    const failed = chosen.map((t, i) => [t.name, errors[i]]).filter(([, err]) => err !== undefined);
    expect(failed).toEqual([]);
  });
});

describe('capability switches', () => {
  it('index and event tests are registered only for stores that have them', () => {
    const all = collect({}).map((t) => t.name);
    const plain = collect({}, { indexed: false, events: false }).map((t) => t.name);
    expect(all.some((n) => n.startsWith('indexes >'))).toBe(true);
    expect(all.some((n) => n.startsWith('events >'))).toBe(true);
    // Only the one skipped placeholder per missing capability.
    expect(plain.filter((n) => n.startsWith('indexes >') || n.startsWith('events >'))).toEqual([
      'indexes > indexes (capability not declared)',
      'events > events (capability not declared)',
    ]);
    expect(plain.length).toBeGreaterThan(40);
  });

  it('touchesOnRead: false checks that lastAccessedTime persists exactly, and a touching store fails it', async () => {
    const touching = collect({}, { indexed: true, events: true, touchesOnRead: false });
    expect(await outcome(pick(touching, 'lastAccessedTime persists exactly'))).toBeDefined();
    const notTouching = collect(
      { noTouch: true, capabilitiesUnderstate: true },
      { indexed: true, events: true, touchesOnRead: false },
    );
    expect(await outcome(pick(notTouching, 'lastAccessedTime persists exactly'))).toBeUndefined();
  });

  it("without a declared touchesOnRead the suite follows the repository's capabilities", async () => {
    const skip = vi.fn();
    const { api, tests } = collectingTestApi();
    runSessionRepositoryContract({
      name: 'follows',
      test: { ...api, skip },
      capabilities: { indexed: true, events: true },
      expiry: REFERENCE_EXPIRY,
      createHarness: (options) => referenceHarness(options, { noTouch: true, capabilitiesUnderstate: true }),
    });
    await pick(tests, 'findById refreshes lastAccessedTime').fn({});
    expect(skip).toHaveBeenCalledWith(expect.stringContaining('touchesOnRead: false'), {});
    expect(await outcome(pick(tests, 'lastAccessedTime persists exactly'))).toBeUndefined();
  });

  it('declared capabilities that differ from the repository fail the consistency test, naming each', async () => {
    const own = "capabilities given to the suite are the repository's own";
    const declaredTouch = collect(
      { capabilitiesUnderstate: true },
      { indexed: true, events: true, touchesOnRead: true },
    );
    expect(String(await outcome(pick(declaredTouch, own)))).toContain(
      'touchesOnRead: declared true, repository false',
    );
    const noEvents = collect({}, { indexed: true, events: false });
    expect(String(await outcome(pick(noEvents, own)))).toContain('events: declared false, repository true');
    expect(await outcome(pick(collect({}), own))).toBeUndefined();
  });

  it('rejects options without createHarness or test functions', () => {
    const { api } = collectingTestApi();
    expect(() =>
      runSessionRepositoryContract({
        name: 'x',
        test: api,
        capabilities: { indexed: false, events: false },
      } as never),
    ).toThrow(TypeError);
    expect(() =>
      runSessionRepositoryContract({
        name: 'x',
        test: {} as never,
        capabilities: { indexed: false, events: false },
        createHarness: () => referenceHarness({}),
      }),
    ).toThrow(TypeError);
  });
});
