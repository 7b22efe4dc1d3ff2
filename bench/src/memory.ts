/**
 * `@session/memory` throughput and footprint, against a plain `Map` holding the same objects (the
 * floor: no copies, no expiry, no indexes, no events). Bounded to a few seconds per measurement.
 */
import { MemorySessionRepository } from '@session/memory';
import type { BenchResult } from './types.js';

const STORED_SESSIONS = 100_000;
const MEASURE_MS = 1000;
/** Ours and its peer are measured in alternating short rounds; ratios are medians over them. */
const COMPARE_ROUNDS = 9;
const COMPARE_ROUND_MS = 300;

/** What a typical logged-in session holds. */
function attributesFor(i: number): Record<string, unknown> {
  return {
    userId: `user-${i}`,
    roles: ['reader', 'writer'],
    cart: { items: [{ sku: `sku-${i % 97}`, qty: 1 + (i % 3) }], updatedAt: 1_700_000_000_000 + i },
  };
}

type Op = (i: number) => unknown | Promise<unknown>;

/** Runs `op` in batches until `ms` elapsed; returns operations per second. */
async function rate(op: Op, batch = 500, ms = MEASURE_MS, warmup = true): Promise<number> {
  // Warm-up so the JIT has seen the code path before the clock starts.
  if (warmup) for (let i = 0; i < batch * 4; i++) await op(i);
  let done = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() - start < budget) {
    for (let j = 0; j < batch; j++) await op(done + j);
    done += batch;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return done / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Ours against its peer in alternating rounds (the order flips each round), so drift in the
 * machine's speed hits both alike: median rates and the median of the per-round ratios.
 */
async function compareRates(ours: Op, peer: Op): Promise<{ ours: number; peer: number; ratio: number }> {
  await rate(ours, 500, 50);
  await rate(peer, 500, 50);
  const oursRates: number[] = [];
  const peerRates: number[] = [];
  const ratios: number[] = [];
  let offset = 0;
  for (let round = 0; round < COMPARE_ROUNDS; round++) {
    let o: number;
    let p: number;
    if (round % 2 === 0) {
      o = await rate((i) => ours(offset + i), 500, COMPARE_ROUND_MS, false);
      p = await rate((i) => peer(offset + i), 500, COMPARE_ROUND_MS, false);
    } else {
      p = await rate((i) => peer(offset + i), 500, COMPARE_ROUND_MS, false);
      o = await rate((i) => ours(offset + i), 500, COMPARE_ROUND_MS, false);
    }
    offset += 10_000_000;
    oursRates.push(o);
    peerRates.push(p);
    ratios.push(o / p);
  }
  return { ours: median(oursRates), peer: median(peerRates), ratio: median(ratios) };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the bench with --expose-gc (pnpm bench does)');
  gc();
  gc();
}

/** Heap bytes per entry after `fill` stores `count` entries in what `create` returns. */
async function heapPerEntry<T>(
  create: () => T,
  fill: (target: T, count: number) => Promise<void>,
  count: number,
) {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const target = create();
  await fill(target, count);
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  return { target, bytes: (after - before) / count };
}

interface PlainEntry {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  attributes: Record<string, unknown>;
}

export async function benchMemory(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const peer = 'plain Map of the same objects';

  // Footprint at 100k sessions.
  const ours = await heapPerEntry(
    () => new MemorySessionRepository({ maxSessions: Number.POSITIVE_INFINITY }),
    async (repository, count) => {
      for (let i = 0; i < count; i++) {
        const session = await repository.createSession();
        for (const [name, value] of Object.entries(attributesFor(i))) session.set(name, value);
        await repository.save(session);
      }
    },
    STORED_SESSIONS,
  );
  const plain = await heapPerEntry(
    () => new Map<string, PlainEntry>(),
    async (map, count) => {
      for (let i = 0; i < count; i++) {
        const id = `id-${i}-${Math.random().toString(36).slice(2, 14)}`;
        map.set(id, {
          id,
          creationTime: Date.now(),
          lastAccessedTime: Date.now(),
          attributes: attributesFor(i),
        });
      }
    },
    STORED_SESSIONS,
  );
  results.push({
    name: `memory: heap per stored session (${STORED_SESSIONS / 1000}k sessions)`,
    value: Math.round(ours.bytes),
    unit: 'bytes',
    peer,
    ratio: ours.bytes / plain.bytes,
  });

  // findById over the 100k stored sessions.
  const repository = ours.target;
  const sample = await sampleIds(repository, 1000);
  const plainKeys = [...plain.target.keys()].slice(0, 1000);
  const find = await compareRates(
    (i) => repository.findById(sample[i % sample.length] as string),
    (i) => {
      const entry = plain.target.get(plainKeys[i % plainKeys.length] as string);
      if (entry) entry.lastAccessedTime = Date.now();
      return entry;
    },
  );
  results.push({
    name: 'memory: findById (100k stored)',
    opsPerSec: find.ours,
    peer,
    ratio: find.ratio,
    target: { ratioAtLeast: 0.5, text: 'findById >= 0.5x a plain Map' },
  });
  await repository.close();
  plain.target.clear();

  // create + save of a new session with three attributes.
  const fresh = new MemorySessionRepository({ maxSessions: Number.POSITIVE_INFINITY });
  const peerMap = new Map<string, PlainEntry>();
  const create = await compareRates(
    async (i) => {
      const session = await fresh.createSession();
      for (const [name, value] of Object.entries(attributesFor(i))) session.set(name, value);
      await fresh.save(session);
    },
    (i) => {
      const id = `id-${i}`;
      peerMap.set(id, {
        id,
        creationTime: Date.now(),
        lastAccessedTime: Date.now(),
        attributes: attributesFor(i),
      });
    },
  );
  results.push({
    name: 'memory: create+save',
    opsPerSec: create.ours,
    peer,
    ratio: create.ratio,
    target: { ratioAtLeast: 0.5, text: 'create+save >= 0.5x a plain Map' },
  });

  // The usual request: load, change one attribute, save the delta.
  const updateIds = await sampleIds(fresh, 1000);
  const updateRate = await rate(async (i) => {
    const session = await fresh.findById(updateIds[i % updateIds.length] as string);
    session?.set('lastPage', `/page/${i}`);
    if (session) await fresh.save(session);
  });
  results.push({ name: 'memory: findById+set+save', opsPerSec: updateRate });
  await fresh.close();

  // Eviction: create+save into a full store (each save evicts the least recently accessed
  // session) against the same into a store of the same size with no bound.
  const bound = 10_000;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const unbounded = new MemorySessionRepository({ maxSessions: Number.POSITIVE_INFINITY, logger: silent });
  const evicting = new MemorySessionRepository({ maxSessions: bound, logger: silent });
  for (const repo of [unbounded, evicting]) await sampleIds(repo, bound);
  const createInto = (repo: MemorySessionRepository) => async (i: number) => {
    const session = await repo.createSession();
    for (const [name, value] of Object.entries(attributesFor(i))) session.set(name, value);
    await repo.save(session);
  };
  const eviction = await compareRates(createInto(evicting), createInto(unbounded));
  if (evicting.stats().evictions === 0) throw new Error('the eviction benchmark evicted nothing');
  results.push({
    name: `memory: create+save into a full store (maxSessions ${bound / 1000}k, evicting)`,
    opsPerSec: eviction.ours,
    peer: 'create+save without a bound (no eviction)',
    ratio: eviction.ratio,
    target: { ratioAtLeast: 0.5, text: 'eviction throughput within 2x of non-evicting' },
  });
  await Promise.all([unbounded.close(), evicting.close()]);
  return results;
}

/** Up to `count` ids of stored sessions, found through a fresh save so no private access is needed. */
async function sampleIds(repository: MemorySessionRepository, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const session = await repository.createSession();
    session.set('userId', `sample-${i}`);
    await repository.save(session);
    ids.push(session.id);
  }
  return ids;
}
