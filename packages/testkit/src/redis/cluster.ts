import type { Redis } from 'ioredis';
import { connectNode, parseInfo, runCommand } from './client.js';
import {
  LOOPBACK,
  launchRedisProcess,
  RedisServerUnavailableError,
  redisInstallHelp,
  resolveRedisServerBinary,
  sleep,
  throwawayServerArgs,
  waitForPing,
} from './launch.js';
import { type ManagedProcess, makeTempDir, removeTempDir } from './processes.js';

/** One node address. */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A Redis Cluster for tests. */
export interface RedisTestCluster {
  /** Every node as started (masters first), or as given in `REDIS_CLUSTER_NODES`. */
  readonly nodes: readonly RedisClusterNode[];
  /** `redis-cluster://host:port,host:port,…` for config-driven loading. */
  readonly url: string;
  readonly source: 'process' | 'env';
  /** Current masters, as the cluster sees them now (changes after a failover). */
  masters(): Promise<RedisClusterNode[]>;
  /** Current replicas. */
  replicas(): Promise<RedisClusterNode[]>;
  /** The master serving the slot of `key` now. */
  masterForKey(key: string): Promise<RedisClusterNode>;
  /** Slot ranges and the master serving each, now. */
  slotRanges(): Promise<Array<{ start: number; end: number; master: RedisClusterNode }>>;
  /** The slot of `key`, as the cluster computes it (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** SIGKILLs the node on `port` (only for clusters this process started). */
  killNode(port: number): Promise<void>;
  /**
   * Waits until every live node reports `cluster_state:ok` and every slot is served by a live
   * master (after {@link killNode}, until the replica took over). Default timeout 30 s.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the temp dir (a no-op for `REDIS_CLUSTER_NODES`). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Default 3. */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how fast a dead master is failed over. Default 1000 ms. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  args?: string[];
  /** Use `REDIS_CLUSTER_NODES` when set. Default `true`. */
  useEnv?: boolean;
  /** redis-server binary. Default `$REDIS_SERVER_BIN`, else `redis-server` on PATH. */
  binary?: string;
  /** How long forming the cluster may take. Default 30 000 ms. */
  startTimeoutMs?: number;
}

const SLOTS = 16384;

/** One line of `CLUSTER NODES`. */
interface NodeLine {
  id: string;
  port: number;
  host: string;
  flags: string[];
  masterId: string;
  linkState: string;
  slots: string[];
}

function parseClusterNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , linkState = '', ...slots] =
        line.split(' ');
      const hostPort = address.split('@')[0] ?? '';
      const colon = hostPort.lastIndexOf(':');
      return {
        id,
        host: hostPort.slice(0, colon) || LOOPBACK,
        port: Number(hostPort.slice(colon + 1)),
        flags: flags.split(','),
        masterId,
        linkState,
        slots,
      };
    });
}

async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  const reason =
    lastError === undefined ? '' : ` (last error: ${(lastError as Error).message ?? String(lastError)})`;
  throw new Error(`Redis Cluster: ${what} did not happen within ${timeoutMs} ms${reason}`);
}

/** Queries live nodes until one answers. */
async function askAnyNode(nodes: readonly RedisClusterNode[], args: string[]): Promise<string> {
  let lastError: unknown;
  for (const node of nodes) {
    try {
      return String(await runCommand(node.host, node.port, args, 1000));
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(
    `no cluster node answered ${args.join(' ')}: ${String((lastError as Error)?.message ?? lastError)}`,
  );
}

function clusterApi(
  nodes: readonly RedisClusterNode[],
  source: 'process' | 'env',
  processes: Map<number, ManagedProcess>,
  stopAll: () => Promise<void>,
): RedisTestCluster {
  const liveNodes = () =>
    nodes.filter((n) => processes.size === 0 || processes.get(n.port)?.running === true);
  const view = async () =>
    parseClusterNodes(await askAnyNode(liveNodes(), ['CLUSTER', 'NODES'])).filter(
      (n) => !n.flags.includes('fail'),
    );
  return {
    nodes,
    url: `redis-cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    source,
    async masters() {
      return (await view())
        .filter((n) => n.flags.includes('master'))
        .map(({ host, port }) => ({ host, port }));
    },
    async replicas() {
      return (await view())
        .filter((n) => n.flags.includes('slave'))
        .map(({ host, port }) => ({ host, port }));
    },
    async slotRanges() {
      return (await askSlots(liveNodes())).map(([start, end, master]) => ({
        start,
        end,
        master: { host: master[0], port: master[1] },
      }));
    },
    async keySlot(key) {
      return Number(await askAnyNode(liveNodes(), ['CLUSTER', 'KEYSLOT', key]));
    },
    async masterForKey(key) {
      const slot = Number(await askAnyNode(liveNodes(), ['CLUSTER', 'KEYSLOT', key]));
      for (const [start, end, master] of await askSlots(liveNodes())) {
        if (slot >= start && slot <= end) return { host: master[0], port: master[1] };
      }
      throw new Error(`slot ${slot} of "${key}" is not served`);
    },
    async killNode(port) {
      const child = processes.get(port);
      if (child === undefined) {
        throw new Error(
          source === 'env'
            ? 'killNode needs a cluster this process started (REDIS_CLUSTER_NODES points at an external one); pass useEnv: false'
            : `no node of this cluster listens on port ${port}`,
        );
      }
      await child.kill();
    },
    async waitUntilHealthy(timeoutMs = 30_000) {
      await pollUntil('recovery to a healthy state', timeoutMs, async () => {
        const live = liveNodes();
        const livePorts = new Set(live.map((n) => n.port));
        for (const node of live) {
          const info = parseInfo(String(await runCommand(node.host, node.port, ['CLUSTER', 'INFO'], 1000)));
          if (info.cluster_state !== 'ok') return false;
        }
        let covered = 0;
        for (const [start, end, master] of await askSlots(live)) {
          if (!livePorts.has(master[1]) && processes.size > 0) return false;
          covered += end - start + 1;
        }
        return covered === SLOTS;
      });
    },
    stop: stopAll,
  };
}

async function askSlots(
  nodes: readonly RedisClusterNode[],
): Promise<Array<[number, number, [string, number]]>> {
  let lastError: unknown;
  for (const node of nodes) {
    try {
      return (await runCommand(node.host, node.port, ['CLUSTER', 'SLOTS'], 1000)) as unknown as Array<
        [number, number, [string, number]]
      >;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function fromEnvNodes(spec: string): RedisTestCluster {
  const nodes = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.lastIndexOf(':');
      const port = Number(part.slice(colon + 1));
      if (colon < 0 || !Number.isInteger(port)) {
        throw new RedisServerUnavailableError(
          `REDIS_CLUSTER_NODES must be host:port,host:port; got "${spec}"`,
        );
      }
      return { host: part.slice(0, colon), port };
    });
  if (nodes.length === 0) throw new RedisServerUnavailableError('REDIS_CLUSTER_NODES is empty');
  return clusterApi(nodes, 'env', new Map(), async () => {});
}

/** Splits the 16384 slots into `count` contiguous ranges. */
function slotRanges(count: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    ranges.push([Math.floor((i * SLOTS) / count), Math.floor(((i + 1) * SLOTS) / count) - 1]);
  }
  return ranges;
}

/**
 * Starts a local Redis Cluster: `masters × (1 + replicasPerMaster)` `redis-server
 * --cluster-enabled yes` processes on free loopback ports, joined with CLUSTER MEET, slots split
 * evenly over the masters, replicas attached; resolves once `cluster_state:ok` everywhere and
 * every replica is in sync. `cluster-node-timeout` is short (1 s) so failover tests are quick.
 *
 * ```ts
 * const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
 * const client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
 * await cluster.killNode((await cluster.masters())[0].port); // replica takes over
 * await cluster.waitUntilHealthy();
 * ```
 *
 * With `REDIS_CLUSTER_NODES=host:port,…` it returns that cluster instead (then `killNode`
 * throws). Without a redis-server binary it throws {@link RedisServerUnavailableError}.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisTestCluster> {
  const envNodes = process.env.REDIS_CLUSTER_NODES;
  if ((options.useEnv ?? true) && envNodes) return fromEnvNodes(envNodes);

  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  if (!Number.isInteger(masterCount) || masterCount < 1)
    throw new RangeError('masters must be a positive integer');
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new RangeError('replicasPerMaster must be a non-negative integer');
  }
  let binary: string;
  try {
    binary = resolveRedisServerBinary(options.binary);
  } catch (err) {
    throw new RedisServerUnavailableError(
      `${(err as Error).message.split('\n')[0]} A local Redis Cluster needs the redis-server binary ` +
        `(or REDIS_CLUSTER_NODES).\n${redisInstallHelp()}`,
    );
  }
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const total = masterCount * (1 + replicasPerMaster);
  const dir = makeTempDir();
  const processes = new Map<number, ManagedProcess>();
  const busPorts = new Map<number, number>();
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= Promise.all([...processes.values()].map((p) => p.kill())).then(() => removeTempDir(dir));
    return stopped;
  };

  try {
    const taken = new Set<number>();
    // Settle every launch before judging: a node that started must be registered for stopAll even
    // when another failed, or it would outlive this call.
    const settled = await Promise.allSettled(
      Array.from({ length: total }, () =>
        launchRedisProcess({
          binary,
          dir,
          taken,
          needsBusPort: true,
          startTimeoutMs: Math.min(startTimeoutMs, 10_000),
          args: ({ port, busPort }) => {
            busPorts.set(port, busPort);
            return [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              `nodes-${port}.conf`,
              '--cluster-port',
              String(busPort),
              '--cluster-node-timeout',
              String(nodeTimeoutMs),
              // Any replica may take over, however long it was disconnected: failovers in tests stay quick.
              '--cluster-replica-validity-factor',
              '0',
              // Replicas sync at once instead of after the default 5 s diskless-sync delay.
              '--repl-diskless-sync-delay',
              '0',
              ...throwawayServerArgs(dir),
              ...(options.args ?? []),
            ];
          },
        }),
      ),
    );
    const launched: ManagedProcess[] = [];
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        launched.push(result.value);
        processes.set(result.value.port, result.value);
      }
    }
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const nodes: RedisClusterNode[] = launched.map((child) => ({ host: LOOPBACK, port: child.port }));
    await formCluster(nodes, busPorts, masterCount, replicasPerMaster, startTimeoutMs);
    return clusterApi(nodes, 'process', processes, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function formCluster(
  nodes: RedisClusterNode[],
  busPorts: Map<number, number>,
  masterCount: number,
  replicasPerMaster: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const connections = await Promise.all(nodes.map((n) => connectNode(n.host, n.port)));
  try {
    const ids = (await Promise.all(connections.map((c) => c.call('CLUSTER', 'MYID')))).map(String);
    // Distinct epochs up front, so the nodes do not spend time resolving epoch collisions.
    await Promise.all(connections.map((c, i) => c.call('CLUSTER', 'SET-CONFIG-EPOCH', i + 1)));
    const ranges = slotRanges(masterCount);
    await Promise.all(
      ranges.map(([start, end], i) => connections[i]?.call('CLUSTER', 'ADDSLOTSRANGE', start, end)),
    );
    const first = nodes[0] as RedisClusterNode;
    await Promise.all(
      connections
        .slice(1)
        .map((c) =>
          c.call('CLUSTER', 'MEET', first.host, first.port, busPorts.get(first.port) ?? first.port + 10000),
        ),
    );
    await pollUntil('all nodes meeting', left(), async () => {
      for (const c of connections) {
        const known = parseClusterNodes(String(await c.call('CLUSTER', 'NODES')));
        if (
          known.length !== nodes.length ||
          known.some((n) => n.flags.includes('handshake') || n.flags.includes('noaddr'))
        ) {
          return false;
        }
      }
      return true;
    });
    for (let m = 0; m < masterCount; m++) {
      for (let r = 0; r < replicasPerMaster; r++) {
        const replica = connections[masterCount + m * replicasPerMaster + r] as Redis;
        await pollUntil('a replica attaching', left(), async () => {
          await replica.call('CLUSTER', 'REPLICATE', ids[m] as string);
          return true;
        });
      }
    }
    await pollUntil('cluster_state:ok and replicas in sync', left(), async () => {
      for (const [i, c] of connections.entries()) {
        const info = parseInfo(String(await c.call('CLUSTER', 'INFO')));
        if (info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== nodes.length) return false;
        const replication = parseInfo(String(await c.call('INFO', 'replication')));
        if (i < masterCount) {
          const online = Object.entries(replication).filter(
            ([key, value]) => /^slave\d+$/.test(key) && value.includes('state=online'),
          ).length;
          if (online !== replicasPerMaster) return false;
        } else if (replication.master_link_status !== 'up') {
          return false;
        }
        // Every node must already see the replicas as replicas (clients read the topology anywhere).
        const view = parseClusterNodes(String(await c.call('CLUSTER', 'NODES')));
        if (view.filter((n) => n.flags.includes('slave')).length !== masterCount * replicasPerMaster)
          return false;
      }
      return true;
    });
    await Promise.all(nodes.map((n) => waitForPing(n.host, n.port, left())));
  } finally {
    for (const c of connections) c.disconnect();
  }
}
