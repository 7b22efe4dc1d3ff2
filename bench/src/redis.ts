/**
 * Redis store benchmarks: request throughput (findById + save of one change) of both
 * repositories against raw ioredis doing the same work (HGETALL, then HSET + PEXPIRE pipelined)
 * on the same server, and Redis memory per typical session. Starts its own redis-server.
 */
import type { MapSession } from '@session/core';
import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import type { BenchResult } from './types.js';

const SESSIONS = 1000;
const CONCURRENCY = 32;
const ROUNDS = 5;
const ROUND_MS = 2000;
const WARMUP_MS = 300;
const INTERVAL_MS = 30 * 60_000;

/** A typical logged-in session: user id, roles, a Date, a cart and a CSRF token. */
function typicalAttributes(i: number): Record<string, unknown> {
  return {
    userId: `user-${100_000 + i}`,
    roles: ['ROLE_USER', 'ROLE_BUYER'],
    loggedInAt: new Date(1_700_000_000_000 + i * 1000),
    cart: {
      items: [
        { sku: 'SKU-1042', qty: 2, price: 1999 },
        { sku: 'SKU-7', qty: 1, price: 450 },
      ],
      currency: 'EUR',
    },
    csrfToken: `csrf-${(i * 2654435761).toString(36)}-${'k'.repeat(20)}`,
  };
}

/** Runs `op` from `CONCURRENCY` loops for `ms` and returns ops per second. */
async function throughput(op: (n: number) => Promise<void>, ms: number): Promise<number> {
  let done = 0;
  const start = process.hrtime.bigint();
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let n = worker;
      while (Date.now() < end) {
        await op(n);
        n += CONCURRENCY;
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Measures every contender in alternating rounds (after a warm-up) and keeps each one's median,
 * so load from other processes on a shared machine hits all of them alike.
 */
async function compare(
  contenders: Record<string, (n: number) => Promise<void>>,
): Promise<Record<string, number>> {
  for (const op of Object.values(contenders)) await throughput(op, WARMUP_MS);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of Object.entries(contenders)) samples[name]?.push(await throughput(op, ROUND_MS));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

type AnyRedisRepository = RedisSessionRepository | RedisIndexedSessionRepository;

async function seed(repo: AnyRedisRepository, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, async (_, j) => {
        const session = await repo.createSession();
        for (const [name, value] of Object.entries(typicalAttributes(i + j))) session.set(name, value);
        await repo.save(session);
        return session.id;
      }),
    );
    ids.push(...batch);
  }
  return ids;
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** `pnpm bench redis`. Bounded to roughly 50 s. */
export async function benchRedis(): Promise<BenchResult[]> {
  const server = await startRedisServer({ useEnv: false });
  const client = new Redis(server.url);
  const results: BenchResult[] = [];
  try {
    const plain = new RedisSessionRepository({ client, namespace: 'bench:plain' });
    const indexed = new RedisIndexedSessionRepository({
      client,
      namespace: 'bench:indexed',
      sweepIntervalMs: 5000,
    });
    await indexed.ready();
    const plainIds = await seed(plain, SESSIONS);
    const indexedIds = await seed(indexed, SESSIONS);

    const request = (repo: AnyRedisRepository, ids: string[]) => async (n: number) => {
      const session = (await repo.findById(ids[n % ids.length] as string)) as MapSession | null;
      if (session === null) throw new Error('benchmark session missing');
      session.set('lastPage', `/products/${n}`);
      await repo.save(session);
    };
    const ops = await compare({
      // The peer does the same request by hand: read the hash, then write one field and the TTL.
      // Both writes leave in the same tick, so they share one round trip without a pipeline object.
      raw: async (n) => {
        const key = plain.keys.session(plainIds[n % plainIds.length] as string);
        const hash = await client.hgetall(key);
        if (Object.keys(hash).length === 0) throw new Error('raw peer read a missing session');
        await Promise.all([
          client.hset(key, 'sessionAttr:lastPage', JSON.stringify(`/products/${n}`)),
          client.pexpire(key, INTERVAL_MS),
        ]);
      },
      // The previous peer: the same commands, with a pipeline object built per write (16-24 µs each).
      rawPipeline: async (n) => {
        const key = plain.keys.session(plainIds[n % plainIds.length] as string);
        const hash = await client.hgetall(key);
        if (Object.keys(hash).length === 0) throw new Error('raw peer read a missing session');
        await client
          .pipeline()
          .hset(key, 'sessionAttr:lastPage', JSON.stringify(`/products/${n}`))
          .pexpire(key, INTERVAL_MS)
          .exec();
      },
      plain: request(plain, plainIds),
      indexed: request(indexed, indexedIds),
    });
    const raw = ops.raw as number;
    const peer = 'raw ioredis HGETALL, then HSET + PEXPIRE in one round trip (no pipeline object)';
    results.push({ name: 'redis: raw peer findById+save', opsPerSec: raw });
    results.push({
      name: 'redis: raw peer with a pipeline object per write (previous peer)',
      opsPerSec: ops.rawPipeline,
      peer,
      ratio: (ops.rawPipeline as number) / raw,
    });
    results.push({
      name: 'redis: RedisSessionRepository findById+save',
      opsPerSec: ops.plain,
      peer,
      ratio: (ops.plain as number) / raw,
    });
    results.push({
      name: 'redis: RedisIndexedSessionRepository findById+save',
      opsPerSec: ops.indexed,
      peer,
      ratio: (ops.indexed as number) / raw,
    });

    // Memory: the session hash itself, compared with one JSON string per session (connect-redis style).
    const sample = plainIds[0] as string;
    const hashBytes = Number(await client.memory('USAGE', plain.keys.session(sample), 'SAMPLES', '0'));
    const blobKey = 'bench:blob:sample';
    const found = (await plain.findById(sample)) as MapSession;
    await client.set(
      blobKey,
      JSON.stringify({ cookie: { originalMaxAge: INTERVAL_MS }, ...Object.fromEntries(found.entries()) }),
    );
    const blobBytes = Number(await client.memory('USAGE', blobKey, 'SAMPLES', '0'));
    results.push({
      name: 'redis: bytes per typical session (hash, MEMORY USAGE)',
      value: hashBytes,
      unit: 'B',
      peer: 'one JSON string key per session',
      ratio: hashBytes / blobBytes,
    });
    // Values over 64 bytes (the cart) make Redis store the hash as a hashtable; a larger
    // hash-max-listpack-value keeps typical sessions in the compact listpack encoding.
    await client.config('SET', 'hash-max-listpack-value', '1024');
    const compact = await plain.createSession();
    for (const [name, value] of Object.entries(typicalAttributes(0))) compact.set(name, value);
    await plain.save(compact);
    const compactBytes = Number(await client.memory('USAGE', plain.keys.session(compact.id), 'SAMPLES', '0'));
    await client.config('SET', 'hash-max-listpack-value', '64');
    results.push({
      name: 'redis: bytes per typical session (hash, hash-max-listpack-value 1024)',
      value: compactBytes,
      unit: 'B',
      peer: 'one JSON string key per session',
      ratio: compactBytes / blobBytes,
    });
    // The indexed store also keeps a due-time entry and index entries: measure everything.
    const before = await usedMemory(client);
    const extra = new RedisIndexedSessionRepository({ client, namespace: 'bench:mem', sweepIntervalMs: 0 });
    const extraIds = await seed(extra, SESSIONS);
    for (const [i, id] of extraIds.entries()) {
      const session = (await extra.findById(id)) as MapSession;
      session.set(
        'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME',
        `user-${i % 100}`,
      );
      await extra.save(session);
    }
    const after = await usedMemory(client);
    results.push({
      name: 'redis: bytes per indexed session (all keys, used_memory delta)',
      value: (after - before) / SESSIONS,
      unit: 'B',
    });
    await Promise.all([plain.close(), indexed.close(), extra.close()]);
  } finally {
    client.disconnect();
    await server.stop();
  }
  return results;
}
