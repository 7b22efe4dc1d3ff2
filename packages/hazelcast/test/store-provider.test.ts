import { createServer } from 'node:net';
import {
  createRepositoryFromConfig,
  InvalidStoreConfigError,
  isSessionError,
  SessionStoreUnavailableError,
} from '@session/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HazelcastSessionRepository } from '../src/repository.js';
import { optionsFromStoreConfig, parseHazelcastUrl, sessionStore } from '../src/store-provider.js';
import { FakeSessionMap } from './support/fake-map.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

describe('parseHazelcastUrl', () => {
  it('reads members (default port 5701), cluster, map, connect timeout and credentials', () => {
    expect(parseHazelcastUrl('hazelcast://10.0.0.5')).toEqual({ members: ['10.0.0.5:5701'] });
    expect(
      parseHazelcastUrl(
        'hazelcast://app:s%3Acret@h1:5702,h2,[::1]:5703/?cluster=prod&map=web%3Asessions&connectTimeoutMs=2500',
      ),
    ).toEqual({
      members: ['h1:5702', 'h2:5701', '[::1]:5703'],
      clusterName: 'prod',
      mapName: 'web:sessions',
      connectTimeoutMs: 2500,
      username: 'app',
      password: 's:cret',
    });
  });

  it('rejects malformed URLs with InvalidStoreConfigError, never echoing the password', () => {
    const cases = [
      'redis://localhost',
      'hazelcast://',
      'hazelcast://h1:99999',
      'hazelcast://h1:5701?cluser=typo',
      'hazelcast://h1?connectTimeoutMs=soon',
      'hazelcast://h1?connectTimeoutMs=0',
      'hazelcast://h 1',
      'hazelcast://user:hunter2@h1/extra/path',
      // Malformed percent-escapes used to escape as a bare URIError.
      'hazelcast://h%zz1:5701',
      'hazelcast://us%E0er:hunter2@h1',
      'hazelcast://user:hunter2%E0@h1',
      // Prototype names are not options.
      'hazelcast://h1?constructor=x',
      'hazelcast://h1?__proto__=x',
      // Empty names fail here, not after a 10 s connect timeout.
      'hazelcast://user:hunter2@h1?cluster=',
      'hazelcast://h1?map=',
    ];
    for (const url of cases) {
      let err: unknown;
      try {
        parseHazelcastUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(InvalidStoreConfigError);
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('optionsFromStoreConfig', () => {
  it('turns the URL into a client config merged over the given one', () => {
    const options = optionsFromStoreConfig({
      store: 'hazelcast',
      url: 'hazelcast://a:1,b:2?cluster=c1&map=m',
      clientConfig: { instanceName: 'web', network: { connectionTimeout: 1234 } },
      defaultMaxInactiveIntervalMs: 60_000,
    });
    expect(options).toEqual({
      clientConfig: {
        instanceName: 'web',
        clusterName: 'c1',
        network: { connectionTimeout: 1234, clusterMembers: ['a:1', 'b:2'] },
      },
      mapName: 'm',
      defaultMaxInactiveIntervalMs: 60_000,
    });
  });

  it('refuses a URL together with a client or map', () => {
    expect(() =>
      optionsFromStoreConfig({ store: 'hazelcast', url: 'hazelcast://a', map: new FakeSessionMap() }),
    ).toThrow(InvalidStoreConfigError);
  });
});

describe('config-driven loading', () => {
  it("is reachable as core's 'hazelcast' store and fails fast with SessionStoreUnavailableError when no member answers", async () => {
    const port = await closedPort();
    const imported: string[] = [];
    const err = await createRepositoryFromConfig(
      `hazelcast://127.0.0.1:${port}?cluster=dev&connectTimeoutMs=1000`,
      {
        importer: async (name) => {
          imported.push(name);
          return import('../src/index.js');
        },
        overrides: { clientConfig: { properties: { 'hazelcast.logging.level': 'OFF' } } },
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(imported).toEqual(['@session/hazelcast']);
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect(isSessionError(err, 'SESSION_STORE_UNAVAILABLE')).toBe(true);
    expect(String((err as Error).message)).toMatch(
      new RegExp(`cluster "dev" at 127\\.0\\.0\\.1:${port} within 1000 ms`),
    );
  });

  it('creates a started repository from a config object', async () => {
    const map = new FakeSessionMap();
    cleanup.push(() => map.dispose());
    expect(sessionStore.name).toBe('hazelcast');
    const repository = await sessionStore.create({
      store: 'hazelcast',
      map,
      defaultMaxInactiveIntervalMs: 120_000,
    });
    cleanup.push(() => repository.close?.());
    expect(repository).toBeInstanceOf(HazelcastSessionRepository);
    // Started: the listener is registered and the indexes exist before the first call.
    expect(map.listenerCount()).toBe(1);
    expect(map.indexes()).toHaveLength(2);
    const session = await repository.createSession();
    expect(session.maxInactiveIntervalMs).toBe(120_000);
  });
});
