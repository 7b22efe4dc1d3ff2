import { connectNode, withTimeout } from './client.js';
import { RedisServerUnavailableError } from './errors.js';
import { findFreePort } from './free-port.js';
import { findExecutable, type ManagedProcess, spawnServer } from './processes.js';

/** The loopback address every launched server binds. */
export const LOOPBACK = '127.0.0.1';

export { RedisServerUnavailableError } from './errors.js';

const INSTALL_HELP = [
  'No Redis server is available for the tests. Do one of:',
  '  - install redis-server (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`),',
  '    or point REDIS_SERVER_BIN at the binary;',
  '  - set REDIS_URL=redis://host:port (and REDIS_CLUSTER_NODES=host:port,host:port for cluster tests)',
  '    to use a server you run yourself;',
  '  - install @testcontainers/redis and run a container runtime (Docker, Podman) it can reach.',
  'Tests never pass by skipping when Redis is missing.',
].join('\n');

/** The redis-server binary to use, or a loud error explaining how to get one. */
export function resolveRedisServerBinary(binary?: string): string {
  const wanted = binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const found = findExecutable(wanted);
  if (found === undefined) {
    throw new RedisServerUnavailableError(`redis-server binary "${wanted}" not found.\n${INSTALL_HELP}`);
  }
  return found;
}

/** The install hint, for callers that compose their own unavailable error. */
export function redisInstallHelp(): string {
  return INSTALL_HELP;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** redis-server arguments every launched server gets: no RDB snapshots, no AOF, files in `dir`. */
export function throwawayServerArgs(dir: string): string[] {
  return ['--save', '', '--appendonly', 'no', '--dir', dir];
}

/** Resolves once `host:port` answers PING with PONG; rejects when `process` exits first or time runs out. */
export async function waitForPing(
  host: string,
  port: number,
  timeoutMs: number,
  process?: ManagedProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (process !== undefined && !process.running) {
      throw new Error(`redis-server on port ${port} exited during startup:\n${process.output()}`);
    }
    try {
      const connection = await connectNode(host, port, 500);
      try {
        const reply = await withTimeout(connection.call('PING'), 1000, 'PING');
        if (reply === 'PONG') return;
        lastError = String(reply);
      } catch (err) {
        // NOAUTH means a server is there; anything else (LOADING) means not ready yet.
        if (String((err as Error).message ?? err).startsWith('NOAUTH')) return;
        throw err;
      } finally {
        connection.disconnect();
      }
    } catch (err) {
      lastError = String((err as Error).message ?? err);
    }
    await sleep(20);
  }
  throw new Error(`redis at ${host}:${port} did not answer PING within ${timeoutMs} ms (${lastError})`);
}

/** Options of {@link launchRedisProcess}. */
export interface LaunchOptions {
  binary: string;
  dir: string;
  /** Arguments for the chosen ports (the launcher adds --port and --bind). */
  args: (ports: { port: number; busPort: number }) => string[];
  /** Also reserve a second port (the cluster bus). */
  needsBusPort?: boolean;
  startTimeoutMs: number;
  /** A fixed port (tried once) instead of a free one. */
  port?: number;
  /** Ports already handed out in this launch (never reused). */
  taken?: Set<number>;
}

async function freePortNotIn(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await findFreePort(LOOPBACK);
    if (!taken.has(port)) return port;
  }
}

/**
 * Starts one redis-server on free loopback ports and waits until it answers PING. A port can be
 * taken between finding and binding it; then the server exits with "Address already in use" and
 * this retries with new ports.
 */
export async function launchRedisProcess(options: LaunchOptions): Promise<ManagedProcess> {
  const taken = options.taken ?? new Set<number>();
  let lastOutput = '';
  const attempts = options.port === undefined ? 5 : 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePortNotIn(taken));
    taken.add(port);
    const busPort = options.needsBusPort ? await freePortNotIn(taken) : 0;
    if (busPort > 0) taken.add(busPort);
    const args = ['--port', String(port), '--bind', LOOPBACK, ...options.args({ port, busPort })];
    const child = spawnServer(options.binary, args, options.dir, port);
    try {
      await waitForPing(LOOPBACK, port, options.startTimeoutMs, child);
      return child;
    } catch (err) {
      lastOutput = child.output();
      await child.kill();
      if (options.port === undefined && /Address already in use|EADDRINUSE/i.test(lastOutput)) continue;
      throw err;
    }
  }
  throw new Error(`redis-server could not bind a port after ${attempts} attempt(s):\n${lastOutput}`);
}
