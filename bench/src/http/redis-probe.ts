/** What the benchmark reads from Redis itself: CPU time, command counts, memory, round trips. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Redis } from 'ioredis';

function infoFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

/** CPU seconds the redis-server process has used (`used_cpu_sys + used_cpu_user`). */
export async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = infoFields(await client.info('cpu'));
  return Number(info.used_cpu_sys) + Number(info.used_cpu_user);
}

/** Calls per command so far (INFO commandstats; commands run inside scripts count too). */
export async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = infoFields(await client.info('commandstats'));
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(info)) {
    const calls = /(?:^|,)calls=(\d+)/.exec(value);
    if (key.startsWith('cmdstat_') && calls) out[key.slice('cmdstat_'.length)] = Number(calls[1]);
  }
  return out;
}

/** Commands executed between two {@link commandCalls} snapshots, without the INFO calls themselves. */
export function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    if (name === 'info' || name === 'select' || name === 'ping') continue;
    const delta = calls - (before[name] ?? 0);
    if (delta > 0) out[name] = delta;
  }
  return out;
}

/** Sum of `MEMORY USAGE key SAMPLES 0` over every key of the client's database, and the key count. */
export async function memoryOfDatabase(client: Redis): Promise<{ bytes: number; keys: number }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(batch.map((key) => client.memory('USAGE', key, 'SAMPLES', '0')));
    for (const size of sizes) bytes += Number(size ?? 0);
    keys += batch.length;
  } while (cursor !== '0');
  return { bytes, keys };
}

/**
 * A TCP proxy in front of Redis that counts round trips: on each connection, a burst of bytes the
 * client sends after the server last answered is one round trip (commands written together, as a
 * pipeline or a MULTI, are one). Meant for a calibration pass with one request in flight at a time.
 */
export interface CountingProxy {
  readonly port: number;
  /** Round trips so far, over all connections. */
  roundTrips(): number;
  /** `127.0.0.1:port` of the proxy's connections to Redis, as Redis' MONITOR names its clients. */
  upstreamAddresses(): Set<string>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  let roundTrips = 0;
  const upstreams = new Set<string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = createConnection({ host: target.host, port: target.port });
    sockets.add(downstream);
    sockets.add(upstream);
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    let clientTurn = false;
    upstream.on('connect', () => upstreams.add(`${upstream.localAddress}:${upstream.localPort}`));
    downstream.on('data', (chunk) => {
      if (!clientTurn) {
        clientTurn = true;
        roundTrips++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      clientTurn = false;
      downstream.write(chunk);
    });
    const end = () => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('close', end);
    upstream.on('close', end);
    downstream.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    roundTrips: () => roundTrips,
    upstreamAddresses: () => upstreams,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
