import { SessionStoreUnavailableError } from '@session/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSessionMap } from './support/fake-map.js';

// The repository's own client, replaced by stand-ins (a real one needs a member): what the
// repository does with a client it started, as opposed to one it was given.
const clients: Array<{ running: boolean; shutdown: ReturnType<typeof vi.fn>; map: FakeSessionMap }> = [];
const startClient = vi.fn(async (_config: unknown, _timeoutMs: number) => {
  const stub = {
    running: true,
    map: new FakeSessionMap(),
    shutdown: vi.fn(async () => {
      stub.running = false;
    }),
  };
  clients.push(stub);
  return {
    getMap: async () => stub.map,
    shutdown: stub.shutdown,
    getLifecycleService: () => ({ isRunning: () => stub.running }),
  };
});

vi.mock('../src/client.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/client.js')>()),
  startClient,
}));

const { HazelcastSessionRepository } = await import('../src/repository.js');

afterEach(() => {
  for (const c of clients.splice(0)) c.map.dispose();
  startClient.mockClear();
});

describe('a client the repository starts itself', () => {
  it('gets the connect timeout and the config, and is shut down on close', async () => {
    const clientConfig = { clusterName: 'c1' };
    const repo = await HazelcastSessionRepository.create({ clientConfig, connectTimeoutMs: 2500 });
    expect(startClient).toHaveBeenCalledWith(clientConfig, 2500);
    await repo.close();
    expect(clients[0]?.shutdown).toHaveBeenCalledTimes(1);
  });

  it('is replaced by a new one after it stopped (cluster lost for longer than the connect timeout)', async () => {
    const repo = await HazelcastSessionRepository.create({
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const first = clients[0];
    if (first === undefined) throw new Error('no client started');
    const session = await repo.createSession();
    session.set('a', 1);
    await repo.save(session);
    // The client gives up on the cluster: it stops and its operations fail.
    first.running = false;
    first.map.failWith(new Error('ClientNotActiveError'));
    await expect(repo.findById(session.id)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    // The next call starts a fresh client (on a fresh stand-in map here) instead of failing forever.
    expect(await repo.findById(session.id)).toBeNull();
    expect(startClient).toHaveBeenCalledTimes(2);
    expect(clients[1]?.map.listenerCount()).toBe(1);
    await repo.close();
    expect(clients[1]?.shutdown).toHaveBeenCalledTimes(1);
    expect(first.shutdown).not.toHaveBeenCalled();
  });
});
