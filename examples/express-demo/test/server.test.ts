import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RedisTestServer, startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Runs the demo exactly as `pnpm start` does (node --conditions=dev-source --import tsx src/server.ts)
// in a child process, and talks to it over HTTP.
const demoDir = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];

interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
}

function startDemo(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--conditions=dev-source', '--import', 'tsx', 'src/server.ts'], {
    cwd: demoDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code} before listening:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
});

/** Signs in through the REST API and returns the token. */
async function apiLogin(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string };
  expect(res.headers.get('x-auth-token')).toBe(body.token);
  return body.token;
}

describe('the demo server (pnpm start)', () => {
  it('starts on the in-memory store and serves the login page', async () => {
    const demo = await startDemo({});
    expect(demo.output()).toContain('store: memory:');

    const home = await fetch(`${demo.url}/`, { redirect: 'manual' });
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/login');

    const login = await fetch(`${demo.url}/login`);
    expect(login.status).toBe(200);
    expect(login.headers.get('content-type')).toContain('text/html');
    const page = await login.text();
    expect(page).toContain('<form method="post" action="/login">');
    expect(page).toContain('The password is <strong>demo</strong>');

    const css = await fetch(`${demo.url}/styles.css`);
    expect(css.headers.get('content-type')).toContain('text/css');

    // The REST side: a token from /api/login works as X-Auth-Token, nothing works without it.
    const token = await apiLogin(demo.url, 'alice');
    const me = await fetch(`${demo.url}/api/me`, { headers: { 'X-Auth-Token': token } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: 'alice', sessions: 1 });
    expect((await fetch(`${demo.url}/api/me`)).status).toBe(401);

    // The same API served by Hono next to it, on the same sessions.
    for (let i = 0; i < 100 && !demo.output().includes('served by Hono'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const hono = /served by Hono on (http:\/\/\S+)\/api/.exec(demo.output())?.[1];
    expect(hono).toBeDefined();
    const viaHono = await fetch(`${hono}/api/me`, { headers: { 'X-Auth-Token': token } });
    expect(await viaHono.json()).toMatchObject({ user: 'alice', sessions: 1, servedBy: 'hono' });

    expect(await stop(demo.child)).toBe(0);
  });

  describe('on a real redis-server through SESSION_STORE', () => {
    let redis: RedisTestServer;
    let client: Redis;

    beforeAll(async () => {
      redis = await startRedisServer();
      client = new Redis(redis.url);
      // Without a listener, a connection error would be printed as "[ioredis] Unhandled error event".
      client.on('error', () => {});
    });

    afterAll(async () => {
      client?.disconnect();
      await redis?.stop();
    });

    it('stores sessions in Redis, shared by two instances of the demo', async () => {
      const store = `${redis.url}?namespace=demo-test`;
      const [first, second] = await Promise.all([
        startDemo({ SESSION_STORE: store }),
        startDemo({ SESSION_STORE: store }),
      ]);
      expect(first.output()).toContain('store: redis://');

      const login = await fetch(`${first.url}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Sign in');

      const token = await apiLogin(first.url, 'bob');
      // The session lives in Redis under the configured namespace (whatever the key layout).
      const keys = await client.keys('demo-test:*');
      expect(keys.filter((key) => key.includes(token))).toHaveLength(1);

      // The other instance finds it, lists it, and a revoke there ends it for the first one.
      const me = await fetch(`${second.url}/api/me`, { headers: { 'X-Auth-Token': token } });
      expect(await me.json()).toMatchObject({ user: 'bob', sessions: 1 });
      const other = await apiLogin(second.url, 'bob');
      const list = (await (
        await fetch(`${second.url}/api/sessions`, { headers: { 'X-Auth-Token': other } })
      ).json()) as {
        handle: string;
        current: boolean;
      }[];
      expect(list).toHaveLength(2);
      const target = list.find((s) => !s.current);
      const revoke = await fetch(`${second.url}/api/sessions/${target?.handle}`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': other },
      });
      expect(revoke.status).toBe(204);
      expect((await fetch(`${first.url}/api/me`, { headers: { 'X-Auth-Token': token } })).status).toBe(401);
    });
  });
});
