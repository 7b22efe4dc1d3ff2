import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countCommands,
  findFreePort,
  monitorCommands,
  parseMonitorLine,
  RedisServerUnavailableError,
  readCommandStats,
  startRedisCluster,
  startRedisServer,
} from '@session/testkit/redis';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

// The redis-server launchers of @session/testkit/redis, against real redis-server processes.

/** A client whose connection errors never become "[ioredis] Unhandled error event" noise. */
function connect(url: string): Redis {
  const client = new Redis(url);
  client.on('error', () => {});
  return client;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const savedEnv = { REDIS_URL: process.env.REDIS_URL };
afterEach(() => {
  if (savedEnv.REDIS_URL === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedEnv.REDIS_URL;
});

describe('startRedisServer', () => {
  it('starts redis-server on a free loopback port without persistence, and stop() ends it', async () => {
    const server = await startRedisServer({ useEnv: false });
    expect(server.source).toBe('process');
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).not.toBe(6379);
    const client = connect(server.url);
    expect(await client.ping()).toBe('PONG');
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    client.disconnect();
    const pid = server.pid as number;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('redis-server');
    await server.stop();
    await server.stop();
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('two servers get different ports', async () => {
    const [a, b] = await Promise.all([
      startRedisServer({ useEnv: false }),
      startRedisServer({ useEnv: false }),
    ]);
    expect(a.port).not.toBe(b.port);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('REDIS_URL returns that server instead of starting one', async () => {
    const real = await startRedisServer({ useEnv: false });
    process.env.REDIS_URL = real.url;
    const fromEnv = await startRedisServer();
    expect(fromEnv.source).toBe('env');
    expect(fromEnv.port).toBe(real.port);
    expect(fromEnv.pid).toBeUndefined();
    await fromEnv.stop(); // a no-op: the server is not ours
    const client = connect(real.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await real.stop();
  });

  it('a REDIS_URL nobody answers on fails loudly', async () => {
    process.env.REDIS_URL = `redis://127.0.0.1:${await findFreePort()}`;
    await expect(startRedisServer({ startTimeoutMs: 300 })).rejects.toThrow(RedisServerUnavailableError);
  });

  it('without a binary and without containers it throws, saying what to install (never skips)', async () => {
    const attempt = startRedisServer({
      useEnv: false,
      binary: '/nonexistent/redis-server',
      containers: false,
    });
    await expect(attempt).rejects.toThrow(RedisServerUnavailableError);
    await expect(attempt).rejects.toThrow(/install redis-server/);
  });

  it('without a binary it falls back to testcontainers, or says why that could not help', async () => {
    try {
      // Where a container runtime answers, this starts a real container.
      const server = await startRedisServer({ useEnv: false, binary: '/nonexistent/redis-server' });
      expect(server.source).toBe('container');
      await server.stop();
    } catch (err) {
      expect(err).toBeInstanceOf(RedisServerUnavailableError);
      expect(String((err as Error).message)).toMatch(
        /container fallback failed: .+\n.*install redis-server/s,
      );
    }
  });
});

describe('startRedisCluster', () => {
  it('without a redis-server binary it throws, saying what to install (never skips)', async () => {
    const attempt = startRedisCluster({ useEnv: false, binary: '/nonexistent/redis-server' });
    await expect(attempt).rejects.toThrow(RedisServerUnavailableError);
    await expect(attempt).rejects.toThrow(/install redis-server/);
  });

  it('when one node fails to start, the nodes that did start are stopped too', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'launcher-test-'));
    // A redis-server stand-in: the first launch fails, the others start real servers and record their pids.
    const wrapper = join(scratch, 'redis-server');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `if mkdir "${scratch}/first" 2>/dev/null; then echo "refusing to start" >&2; exit 1; fi`,
        `echo $$ >> "${scratch}/pids"`,
        'exec redis-server "$@"',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    let pids: number[] = [];
    try {
      await expect(
        startRedisCluster({ masters: 2, replicasPerMaster: 0, binary: wrapper, useEnv: false }),
      ).rejects.toThrow(/exited during startup/);
      pids = readFileSync(join(scratch, 'pids'), 'utf8').trim().split('\n').map(Number);
      expect(pids).toHaveLength(1);
      expect(pids.filter(isRunning)).toEqual([]);
    } finally {
      for (const pid of pids.filter(isRunning)) process.kill(pid, 'SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('startRedisCluster on local processes', () => {
  it('forms a cluster whose every slot is served, answers topology questions, and fails over a killed master', async () => {
    const cluster = await startRedisCluster({ useEnv: false, masters: 3, replicasPerMaster: 1 });
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    client.on('error', () => {});
    try {
      expect(cluster.source).toBe('process');
      expect(cluster.nodes).toHaveLength(6);
      expect(await cluster.masters()).toHaveLength(3);
      expect(await cluster.replicas()).toHaveLength(3);
      const ranges = await cluster.slotRanges();
      expect(ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0)).toBe(16384);
      // The slot of a hash-tagged key, as the cluster computes it, and the master that serves it.
      expect(await cluster.keySlot('{user1000}.following')).toBe(
        await cluster.keySlot('{user1000}.followers'),
      );
      await client.set('{a}key', 'v');
      const owner = await cluster.masterForKey('{a}key');
      const direct = connect(`redis://${owner.host}:${owner.port}`);
      expect(await direct.get('{a}key')).toBe('v');
      direct.disconnect();

      await cluster.killNode(owner.port);
      await cluster.waitUntilHealthy();
      expect((await cluster.masters()).map((m) => m.port)).not.toContain(owner.port);
      expect((await cluster.masterForKey('{a}key')).port).not.toBe(owner.port);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});

describe('command counting', () => {
  it('monitorCommands sees what clients send, arguments byte for byte, and leaves out what scripts run', async () => {
    const server = await startRedisServer({ useEnv: false });
    const client = connect(server.url);
    const monitor = await monitorCommands(server);
    try {
      const awkward = ['ü "quoted" \\ back\\slash', '" "', 'tab\tnewline\n', '\\"', 'plain'];
      const seen = await monitor.during(async () => {
        await client.set('k', awkward[0] as string);
        await client.rpush('list', ...awkward.slice(1));
        await client.eval("return redis.call('GET', KEYS[1])", 1, 'k');
      });
      expect(seen.map((c) => c.name)).toEqual(['set', 'rpush', 'eval']);
      expect(seen[0]?.args).toEqual(['k', awkward[0]]);
      expect(seen[1]?.args).toEqual(['list', ...awkward.slice(1)]);
      expect(seen.every((c) => !c.fromScript && c.source !== 'lua')).toBe(true);
      // The script's own GET was seen too, marked as run inside the script.
      expect(monitor.commands().some((c) => c.fromScript && c.name === 'get')).toBe(true);
    } finally {
      monitor.stop();
      client.disconnect();
      await server.stop();
    }
  });

  it('countCommands counts what the server executed while a function ran, from INFO commandstats', async () => {
    const server = await startRedisServer({ useEnv: false });
    const client = connect(server.url);
    try {
      await client.ping();
      const { total, byCommand } = await countCommands(server, async () => {
        await client.set('a', '1');
        await client.set('b', '2');
        await client.get('a');
      });
      expect(byCommand).toEqual({ set: 2, get: 1 });
      expect(total).toBe(3);
      expect((await readCommandStats(server)).set).toBe(2);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('a server that is gone makes the counters reject with the connection error, not hang', async () => {
    const port = await findFreePort();
    await expect(readCommandStats({ host: '127.0.0.1', port })).rejects.toThrow(/ECONNREFUSED|connect/i);
    await expect(monitorCommands({ host: '127.0.0.1', port })).rejects.toThrow(/ECONNREFUSED|connect/i);
  });
});

describe('parseMonitorLine', () => {
  it('decodes escaped bytes as UTF-8 and marks commands scripts ran', () => {
    const line =
      '1700000000.123456 [0 lua] "hget" "spring:session:sessions:x" "sessionAttr:\\xc3\\xbc \\"q\\""';
    expect(parseMonitorLine(line)).toEqual({
      name: 'hget',
      args: ['spring:session:sessions:x', 'sessionAttr:ü "q"'],
      source: 'lua',
      fromScript: true,
    });
    expect(parseMonitorLine('1700000000.1 [0 127.0.0.1:5000] "GET" "k"')?.fromScript).toBe(false);
  });
});
