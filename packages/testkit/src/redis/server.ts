import { startRedisContainer } from './containers.js';
import {
  LOOPBACK,
  launchRedisProcess,
  RedisServerUnavailableError,
  redisInstallHelp,
  resolveRedisServerBinary,
  throwawayServerArgs,
  waitForPing,
} from './launch.js';
import { makeTempDir, removeTempDir } from './processes.js';

/** Where a test server came from. */
export type RedisServerSource = 'process' | 'env' | 'container';

/** A Redis server for tests. */
export interface RedisTestServer {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port` (or the `REDIS_URL` given). */
  readonly url: string;
  readonly source: RedisServerSource;
  /** The redis-server process id when this process started it. */
  readonly pid?: number;
  /** Stops what was started (a no-op for `REDIS_URL` servers). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Extra redis-server arguments, e.g. `['--notify-keyspace-events', 'Ex']`. */
  args?: string[];
  /** Use `REDIS_URL` when it is set. Default `true`. */
  useEnv?: boolean;
  /** redis-server binary. Default `$REDIS_SERVER_BIN`, else `redis-server` on PATH. */
  binary?: string;
  /** Fall back to `@testcontainers/redis` when no binary is found. Default `true`. */
  containers?: boolean;
  /** Image for the container fallback. Default `redis:7-alpine`. */
  containerImage?: string;
  /**
   * Listen on this loopback port instead of a free one (e.g. to restart a server where its clients
   * reconnect). No retry when it is taken. Default: a free port.
   */
  port?: number;
  /** How long to wait for the server to answer PING. Default 10 000 ms. */
  startTimeoutMs?: number;
}

function fromEnvUrl(url: string): RedisTestServer {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisServerUnavailableError(`REDIS_URL is not a URL: ${url}`);
  }
  return {
    host: parsed.hostname || LOOPBACK,
    port: Number(parsed.port || 6379),
    url,
    source: 'env',
    async stop() {},
  };
}

/**
 * Starts a throwaway `redis-server` on a free loopback port (no persistence, in a temp dir that
 * is removed on stop and on process exit):
 *
 * ```ts
 * const server = await startRedisServer();
 * const client = new Redis(server.url);
 * // …
 * await server.stop();
 * ```
 *
 * With `REDIS_URL` set it returns that server instead. Without a redis-server binary it tries
 * `@testcontainers/redis` (when installed and a container runtime answers). When nothing works
 * it throws {@link RedisServerUnavailableError} saying what to install: tests never skip.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisTestServer> {
  const envUrl = process.env.REDIS_URL;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  if ((options.useEnv ?? true) && envUrl) {
    const server = fromEnvUrl(envUrl);
    if (!server.url.startsWith('rediss:')) {
      try {
        await waitForPing(server.host, server.port, startTimeoutMs);
      } catch (err) {
        throw new RedisServerUnavailableError(
          `REDIS_URL=${envUrl} does not answer: ${(err as Error).message}`,
        );
      }
    }
    return server;
  }
  let binary: string;
  try {
    binary = resolveRedisServerBinary(options.binary);
  } catch (binaryError) {
    if (options.containers === false) throw binaryError;
    const container = await startRedisContainer(
      options.containerImage ?? 'redis:7-alpine',
      options.args ?? [],
    );
    if ('error' in container) {
      throw new RedisServerUnavailableError(
        `redis-server binary not found, and the container fallback failed: ${container.error}\n${redisInstallHelp()}`,
      );
    }
    return container.server;
  }
  const dir = makeTempDir();
  try {
    const child = await launchRedisProcess({
      binary,
      dir,
      startTimeoutMs,
      ...(options.port !== undefined ? { port: options.port } : {}),
      args: () => [...throwawayServerArgs(dir), ...(options.args ?? [])],
    });
    let stopped: Promise<void> | undefined;
    return {
      host: LOOPBACK,
      port: child.port,
      url: `redis://${LOOPBACK}:${child.port}`,
      source: 'process',
      pid: child.pid,
      stop() {
        stopped ??= child.kill().finally(() => removeTempDir(dir));
        return stopped;
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}
