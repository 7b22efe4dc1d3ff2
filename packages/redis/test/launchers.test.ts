import { existsSync, readFileSync } from 'node:fs';
import { findFreePort, RedisServerUnavailableError, startRedisServer } from '@session/testkit/redis';
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
