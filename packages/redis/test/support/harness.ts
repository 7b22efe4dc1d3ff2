import { randomBytes } from 'node:crypto';
import {
  defaultSerializer,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionRepositoryOptions,
  silentLogger,
} from '@session/core';
import { runSessionRepositoryContract, type StoreHarness } from '@session/testkit';
import {
  type CommandMonitor,
  findFreePort,
  monitorCommands,
  type RedisTestServer,
  type StartRedisServerOptions,
  startRedisCluster,
  startRedisServer,
} from '@session/testkit/redis';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HashFormat,
  type RedisClient,
  RedisIndexedSessionRepository,
  type RedisIndexedSessionRepositoryOptions,
  RedisSessionRepository,
} from '../../src/index.js';
import { SCRIPT_SHAS } from '../../src/scripts/index.js';

/** Script runs of the sweeper and event handling: background work, not requests, so the operation counter skips them. */
const SWEEP_SHAS = new Set([SCRIPT_SHAS.sweep, SCRIPT_SHAS.springCleanup, SCRIPT_SHAS.springDestroyed]);

type SendCommand = (command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown;

/**
 * Counts the commands a client sends (a counter on a dedicated connection), leaving out the
 * sweeper's scripts. Every command the repository issues goes through `sendCommand`.
 */
export function countSentCommands(client: RedisClient): () => number {
  let count = 0;
  const target = client as unknown as { sendCommand: SendCommand };
  const original = target.sendCommand.bind(client);
  target.sendCommand = (command, ...rest) => {
    const sweep =
      (command.name === 'evalsha' || command.name === 'eval') && SWEEP_SHAS.has(String(command.args[0]));
    if (!sweep) count++;
    return original(command, ...rest);
  };
  return () => count;
}

/** A unique namespace per harness, so tests never see each other's keys. */
export function uniqueNamespace(prefix = 'ct'): string {
  return `${prefix}:${randomBytes(5).toString('hex')}`;
}

/** Both repositories, as `[name, class]` rows for `describe.each` / `it.each`. */
export const REPOSITORIES = [
  ['RedisSessionRepository', RedisSessionRepository],
  ['RedisIndexedSessionRepository', RedisIndexedSessionRepository],
] as const;

/**
 * What most tests construct a repository with: `client`, `namespace` (usually a
 * {@link uniqueNamespace}), no background sweep and no log output. Spread it and add or override
 * options after it.
 */
export function quietOptions(client: RedisClient, namespace: string) {
  return { client, namespace, sweepIntervalMs: 0, logger: silentLogger };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not started yet: use it inside a test or hook`);
  return value;
}

/** The server, client and (when asked for) command monitor of {@link useRedisServer}. */
export interface RedisServerAccess {
  readonly server: RedisTestServer;
  /** A client on {@link server}, opened after the server (and the monitor) started. */
  readonly client: Redis;
  /** MONITOR on {@link server}, started before the client; only with `{ monitor: true }`. */
  readonly monitor: CommandMonitor;
}

/**
 * A real redis-server for the current file (or `describe` block): started in `beforeAll` with
 * `options` (a test fails when none can be started), with a client on it (and MONITOR first with
 * `monitor: true`), all stopped in `afterAll`. Read them from the returned object inside tests.
 */
export function useRedisServer(
  options: StartRedisServerOptions & { monitor?: boolean } = {},
): RedisServerAccess {
  const { monitor: watch = false, ...serverOptions } = options;
  let server: RedisTestServer | undefined;
  let monitor: CommandMonitor | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer(serverOptions);
    if (watch) monitor = await monitorCommands(server);
    client = new Redis(server.url);
  });
  afterAll(async () => {
    monitor?.stop();
    client?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      return started(server, 'the Redis server');
    },
    get client() {
      return started(client, 'the Redis client');
    },
    get monitor() {
      if (!watch) throw new Error('no command monitor: call useRedisServer({ monitor: true })');
      return started(monitor, 'the command monitor');
    },
  };
}

export type RepositoryKind = 'plain' | 'indexed';

/**
 * How harnesses connect. Clients are shared by every harness of a test file (repositories never
 * close a client they were given) and disconnected with {@link Connection.close}; each harness
 * still gets its own repositories, namespace and subscriber connections.
 */
export interface Connection {
  /** The `n`th shared client (0: the repository's, 1: raw reads, 2+: peers). */
  client(n: number): RedisClient;
  close(): void;
}

function sharedClients(open: () => RedisClient): Connection {
  const clients: RedisClient[] = [];
  return {
    client(n) {
      while (clients.length <= n) clients.push(open());
      return clients[n] as RedisClient;
    },
    close() {
      for (const c of clients.splice(0)) c.disconnect();
    },
  };
}

export function standaloneConnection(url: () => string): Connection {
  return sharedClients(() => new Redis(url()));
}

export function clusterConnection(nodes: () => ReadonlyArray<{ host: string; port: number }>): Connection {
  return sharedClients(() => new Cluster(nodes().map((n) => ({ host: n.host, port: n.port }))));
}

/** Starts a backend in `beforeAll`; closes the connection's clients and stops it in `afterAll`. */
function useConnection<B extends { stop(): Promise<void> }>(
  start: () => Promise<B>,
  connect: (backend: () => B) => Connection,
): Connection {
  let backend: B | undefined;
  const connection = connect(() => started(backend, 'the Redis backend'));
  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    connection.close();
    await backend?.stop();
  });
  return connection;
}

/** Shared clients on a redis-server started for the current file. */
export function useStandaloneConnection(): Connection {
  return useConnection(
    () => startRedisServer(),
    (server) => standaloneConnection(() => server().url),
  );
}

/** Shared clients on a local Redis Cluster (3 masters, 3 replicas) started for the current file. */
export function useClusterConnection(): Connection {
  return useConnection(
    () => startRedisCluster({ masters: 3, replicasPerMaster: 1 }),
    (cluster) => clusterConnection(() => cluster().nodes),
  );
}

const counters = new WeakMap<RedisClient, () => number>();

function build(
  kind: RepositoryKind,
  options: RedisIndexedSessionRepositoryOptions,
): RedisSessionRepository | RedisIndexedSessionRepository {
  return kind === 'indexed'
    ? new RedisIndexedSessionRepository(options)
    : new RedisSessionRepository(options);
}

async function ready(repo: RedisSessionRepository | RedisIndexedSessionRepository): Promise<void> {
  if (repo instanceof RedisIndexedSessionRepository) await repo.ready();
}

/** A contract-suite harness over real Redis: raw reads, a command counter and peers. */
export function redisHarness(
  connection: Connection,
  kind: RepositoryKind,
  extra: RedisIndexedSessionRepositoryOptions = {},
): (options: SessionRepositoryOptions<MapSession>) => Promise<StoreHarness<MapSession>> {
  return async (options) => {
    const namespace = uniqueNamespace();
    const client = connection.client(0);
    const raw = connection.client(1);
    let counter = counters.get(client);
    if (counter === undefined) {
      counter = countSentCommands(client);
      counters.set(client, counter);
    }
    const count = counter;
    const settings = { sweepIntervalMs: 100, ...extra, ...options, namespace };
    const repository = build(kind, { ...settings, client });
    const repositories: Array<RedisSessionRepository | RedisIndexedSessionRepository> = [repository];
    await ready(repository);
    const keys = repository.keys;
    const format = new HashFormat(keys.layout);
    return {
      repository,
      raw: {
        async exists(id) {
          return (await raw.exists(keys.session(id))) === 1;
        },
        async readAttribute(id, name) {
          const text = await raw.hget(keys.session(id), format.attributeField(name));
          return text === null ? undefined : defaultSerializer.deserialize(text, name);
        },
        async readPrincipalIndex(principal) {
          const members = await Promise.all(
            keys
              .allShards()
              .map((shard) => raw.smembers(keys.index(PRINCIPAL_NAME_INDEX_NAME, principal, shard))),
          );
          return members.flat().sort();
        },
      },
      corrupt: {
        async attribute(id, name) {
          // An envelope with a type tag the serializer does not know: it cannot be read.
          await raw.hset(
            keys.session(id),
            format.attributeField(name),
            '{"$session":1,"v":{"$t":"no-such-type"}}',
          );
        },
        async record(id) {
          await raw.hset(keys.session(id), format.created, 'x');
        },
      },
      async createUnreachable() {
        const port = await findFreePort();
        const down = new Redis(port, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        down.on('error', () => undefined);
        const repository = build(kind, { ...settings, client: down, sweepIntervalMs: 0 });
        const close = repository.close.bind(repository);
        repository.close = async () => {
          await close();
          down.disconnect();
        };
        return repository;
      },
      backendOperations: count,
      async createPeer() {
        const peer = build(kind, { ...settings, client: connection.client(1 + repositories.length) });
        repositories.push(peer);
        await ready(peer);
        return peer;
      },
      async close() {
        await Promise.all(repositories.map((r) => r.close()));
      },
    };
  };
}

/** Runs the compliance suite on `kind` repositories over `connection`, as `name`. */
export function runRedisContract(name: string, kind: RepositoryKind, connection: Connection): void {
  const indexed = kind === 'indexed';
  runSessionRepositoryContract({
    name,
    test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
    capabilities: { indexed, events: indexed },
    // Indexed repositories sweep every 100 ms (the harness default). The store keeps intervals in
    // exact ms, yet the suite's default one-second minimum keeps its timing margins wide on a busy
    // machine.
    expiry: { minIntervalMs: 1000, eventWithinMs: 5000 },
    createHarness: redisHarness(connection, kind),
  });
}
