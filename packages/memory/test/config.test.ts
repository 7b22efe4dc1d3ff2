import {
  createRepositoryFromConfig,
  InvalidArgumentError,
  InvalidStoreConfigError,
  silentLogger,
} from '@session/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository, parseMemoryUrl, sessionStore } from '../src/index.js';

const opened: Array<{ close?: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close?.()));
});

async function load(config: Parameters<typeof createRepositoryFromConfig>[0]) {
  const repository = await createRepositoryFromConfig(config, { overrides: { logger: silentLogger } });
  opened.push(repository);
  return repository;
}

/** Saves `count` sessions and returns how many the store kept. */
async function fill(repository: Awaited<ReturnType<typeof load>>, count: number): Promise<number> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = await repository.createSession();
    await repository.save(s);
    ids.push(s.id);
  }
  let kept = 0;
  for (const id of ids) if (await repository.findById(id)) kept++;
  return kept;
}

describe('config loading', () => {
  it("'memory:' builds a MemorySessionRepository with indexes and events", async () => {
    const repository = await load('memory:');
    expect(repository).toBeInstanceOf(MemorySessionRepository);
    expect(repository.capabilities).toEqual({ indexed: true, events: true, touchesOnRead: true });
  });

  it("the bare name 'memory' works too", async () => {
    expect(await load('memory')).toBeInstanceOf(MemorySessionRepository);
  });

  it('reads maxSessions from the URL query', async () => {
    const repository = await load('memory:?maxSessions=3');
    expect(await fill(repository, 5)).toBe(3);
  });

  it("reads { store: 'memory', maxSessions } objects", async () => {
    const repository = await load({ store: 'memory', maxSessions: 1000 });
    expect(await fill(repository, 1001)).toBe(1000);
  });

  it('object keys win over URL parameters', async () => {
    const repository = await load({ store: 'memory', url: 'memory:?maxSessions=1', maxSessions: 2 });
    expect(await fill(repository, 3)).toBe(2);
  });

  it('reads shared options from the URL', async () => {
    const repository = await load(
      'memory:?defaultMaxInactiveIntervalMs=-1&saveMode=always&flushMode=immediate',
    );
    const s = await repository.createSession();
    expect(s.maxInactiveIntervalMs).toBe(-1);
    expect((s as unknown as { saveMode: string }).saveMode).toBe('always');
  });

  it('rejects unknown URL parameters and non-numbers with InvalidStoreConfigError', () => {
    expect(() => parseMemoryUrl('memory:?maxSesions=10')).toThrow(InvalidStoreConfigError);
    expect(() => parseMemoryUrl('memory:?maxSessions=many')).toThrow(InvalidStoreConfigError);
    expect(() => parseMemoryUrl('memory:?sweepIntervalMs=')).toThrow(InvalidStoreConfigError);
    expect(() => parseMemoryUrl('redis://localhost')).toThrow(InvalidStoreConfigError);
  });

  it('rejects out-of-range values with InvalidArgumentError naming the option', () => {
    expect(() => sessionStore.create({ store: 'memory', url: 'memory:?maxSessions=0' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => sessionStore.create({ store: 'memory', saveMode: 'sometimes' as never })).toThrow(
      /saveMode/,
    );
  });

  it("parses 'Infinity' for maxSessions", () => {
    expect(parseMemoryUrl('memory:?maxSessions=Infinity&sweepIntervalMs=5')).toEqual({
      maxSessions: Number.POSITIVE_INFINITY,
      sweepIntervalMs: 5,
    });
  });

  it("the provider is named 'memory'", () => {
    expect(sessionStore.name).toBe('memory');
  });
});

describe('config keys that are Object.prototype names', () => {
  it('rejects them as unknown URL options with InvalidStoreConfigError', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(() => parseMemoryUrl(`memory:?${name}=1`), name).toThrow(InvalidStoreConfigError);
    }
  });

  it('does not let a "__proto__" key in a parsed config file supply options', async () => {
    const config = JSON.parse('{"store":"memory","__proto__":{"maxSessions":1}}');
    const repository = sessionStore.create({ ...config, logger: silentLogger }) as MemorySessionRepository;
    opened.push(repository);
    expect(await fill(repository, 3)).toBe(3);
  });
});
