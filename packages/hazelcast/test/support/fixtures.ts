import type { MapSession, SessionEvent } from '@session/core';
import { afterEach, vi } from 'vitest';
import type { HazelcastSessionRepositoryOptions } from '../../src/options.js';
import { HazelcastSessionRepository } from '../../src/repository.js';
import { FakeSessionMap, type FakeSessionMapOptions } from './fake-map.js';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Records every created, deleted and expired event of `sources`, as `"<type> <session id>"`. */
export function recordEvents(...sources: HazelcastSessionRepository[]): string[] {
  const seen: string[] = [];
  for (const source of sources) {
    for (const type of ['created', 'deleted', 'expired'] as const) {
      source.on(type, (e: SessionEvent) => {
        seen.push(`${type} ${e.sessionId}`);
      });
    }
  }
  return seen;
}

/**
 * Runs `race` once, between the first `map.get` reading its value and its caller getting it: a
 * request that slips in between a reader's read and its write. Returns whether it has run.
 */
export function raceAfterFirstGet(map: FakeSessionMap, race: () => Promise<unknown>): () => boolean {
  const original = map.get;
  let raced = false;
  vi.spyOn(map, 'get').mockImplementation(async (key) => {
    const value = await original(key);
    if (!raced) {
      raced = true;
      await race();
    }
    return value;
  });
  return () => raced;
}

/** A logger that records instead of printing. */
export function quietLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

/**
 * Fake maps and repositories for one test file, closed after each test. Call once at the top of
 * the file.
 */
export function useFakeMaps() {
  const opened: Array<{ close(): Promise<void> }> = [];
  const maps: FakeSessionMap[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    for (const r of opened.splice(0)) await r.close();
    for (const m of maps.splice(0)) m.dispose();
  });

  function fakeMap(options?: FakeSessionMapOptions): FakeSessionMap {
    const map = new FakeSessionMap(options);
    maps.push(map);
    return map;
  }

  async function open(
    map: FakeSessionMap,
    options: HazelcastSessionRepositoryOptions = {},
  ): Promise<HazelcastSessionRepository> {
    const repository = await HazelcastSessionRepository.create({ ...options, map });
    opened.push(repository);
    return repository;
  }

  /** A session with `attrs`, saved (and expected to be written). */
  async function saved(
    repo: HazelcastSessionRepository,
    attrs: Record<string, unknown> = {},
  ): Promise<MapSession> {
    const session = await repo.createSession();
    for (const [k, v] of Object.entries(attrs)) session.set(k, v);
    const outcome = await repo.save(session);
    if (outcome.status !== 'written') throw new Error(`first save: ${outcome.status}`);
    return session;
  }

  /** Holds the next call of one map operation until `open()` is called; later calls pass. */
  function gate(map: FakeSessionMap, operation: 'remove' | 'putIfAbsent' | 'setTtl') {
    const original = map[operation] as (...args: unknown[]) => Promise<unknown>;
    let release!: () => void;
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const waiting = new Promise<void>((resolve) => {
      reached = resolve;
    });
    vi.spyOn(map, operation as never).mockImplementationOnce((async (...args: unknown[]) => {
      reached();
      await opened;
      return original(...args);
    }) as never);
    return { waiting, open: release };
  }

  return { fakeMap, open, saved, gate };
}
