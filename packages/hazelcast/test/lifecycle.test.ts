import { isSessionError, SessionStoreUnavailableError } from '@session/core';
import { describe, expect, it, vi } from 'vitest';
import type { HazelcastClient } from '../src/client.js';
import { DEFAULT_MAP_NAME } from '../src/options.js';
import { HazelcastSessionRepository } from '../src/repository.js';
import { useFakeMaps } from './support/fixtures.js';

const { fakeMap, open } = useFakeMaps();

describe('lifecycle and options', () => {
  it('uses a given client without shutting it down, and removes its listener on close', async () => {
    const map = fakeMap();
    const shutdown = vi.fn(async () => {});
    const getMap = vi.fn(async () => map);
    const client = { getMap, shutdown } as unknown as HazelcastClient;
    const repo = await HazelcastSessionRepository.create({ client });
    expect(getMap).toHaveBeenCalledWith(DEFAULT_MAP_NAME);
    expect(map.listenerCount()).toBe(1);
    await repo.close();
    await repo.close();
    expect(shutdown).not.toHaveBeenCalled();
    expect(map.listenerCount()).toBe(0);
    const err = await repo.findById('a'.repeat(32)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSessionError(err, 'SESSION_STORE_UNAVAILABLE')).toBe(true);
  });

  it('derives the map name from namespace, and mapName wins', async () => {
    const map = fakeMap();
    const getMap = vi.fn(async () => map);
    const client = { getMap, shutdown: vi.fn() } as unknown as HazelcastClient;
    expect(new HazelcastSessionRepository({ client, namespace: 'shop' }).mapName).toBe('shop:sessions');
    expect(new HazelcastSessionRepository({ client, namespace: 'shop', mapName: 'm' }).mapName).toBe('m');
    expect(new HazelcastSessionRepository({ client }).mapName).toBe('session:sessions');
  });

  it('rejects conflicting and out-of-range options with InvalidArgumentError', () => {
    const map = fakeMap();
    expect(() => new HazelcastSessionRepository({ map, clientConfig: {} })).toThrow(
      /at most one of client, clientConfig and map/,
    );
    expect(() => new HazelcastSessionRepository({ map, maxSaveAttempts: 0 })).toThrow(
      /maxSaveAttempts must be a positive integer/,
    );
    expect(() => new HazelcastSessionRepository({ map, connectTimeoutMs: -5 })).toThrow(/connectTimeoutMs/);
    try {
      new HazelcastSessionRepository({ map, maxSaveAttempts: 1.5 });
    } catch (err) {
      expect(isSessionError(err, 'SESSION_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('fails to start with SessionStoreUnavailableError within the connect timeout when no member answers', async () => {
    const { createServer } = await import('node:net');
    // A port nothing listens on: bind one, note it, close it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    const err = await HazelcastSessionRepository.create({
      clientConfig: {
        network: { clusterMembers: [`127.0.0.1:${port}`] },
        properties: { 'hazelcast.logging.level': 'OFF' },
      },
      connectTimeoutMs: 1000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect(String((err as Error).message)).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('never sends a malformed id to the map', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const before = map.operations;
    for (const id of ['', 'short', '../../etc/passwd', '*'.repeat(20), 'a'.repeat(200)]) {
      expect(await repo.findById(id)).toBeNull();
      await repo.deleteById(id);
    }
    expect(map.operations).toBe(before);
  });
});
