import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findFreePort,
  parseMonitorLine,
  RedisServerUnavailableError,
  startRedisCluster,
  startRedisServer,
} from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

// The launchers from @session/testkit/redis, exercised here because this package is their main user.

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
    const client = new Redis(server.url);
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
    const client = new Redis(real.url);
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
