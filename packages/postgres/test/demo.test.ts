import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

// The Express demo, started exactly as `pnpm start` starts it, with SESSION_STORE=postgres://…:
// no code change, the store comes from config loading.
const demoDir = fileURLToPath(new URL('../../../examples/express-demo/', import.meta.url));
const children: ChildProcess[] = [];
let server: PostgresTestServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(undefined);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await server?.stop();
});

function startDemo(store: string): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--conditions=dev-source', '--import', 'tsx', 'src/server.ts'], {
    cwd: demoDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SESSION_STORE: store },
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
        resolve({ url: match[1], output: () => output });
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

async function apiLogin(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe('the Express demo with SESSION_STORE=postgres://…', () => {
  it('stores sessions in PostgreSQL, lists them and revokes one, across two instances', async () => {
    const store = `${server.url.replace(/^postgres:/, 'postgresql:')}?createSchema=true&tableName=demo_session`;
    const [first, second] = await Promise.all([startDemo(store), startDemo(store)]);
    expect(first.output()).toMatch(/store: postgresql:\/\/.*indexed: true, events: true/);

    const token = await apiLogin(first.url, 'bob');
    // The session row is in the table, under the token the API handed out.
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT principal_name FROM demo_session WHERE session_id = $1', [
        token,
      ]);
      expect(rows).toEqual([{ principal_name: 'bob' }]);
    } finally {
      await db.end();
    }

    const me = await fetch(`${second.url}/api/me`, { headers: { 'X-Auth-Token': token } });
    expect(await me.json()).toMatchObject({ user: 'bob', sessions: 1 });
    const other = await apiLogin(second.url, 'bob');
    const list = (await (
      await fetch(`${second.url}/api/sessions`, { headers: { 'X-Auth-Token': other } })
    ).json()) as Array<{
      handle: string;
      current: boolean;
    }>;
    expect(list).toHaveLength(2);
    const target = list.find((s) => !s.current);
    const revoke = await fetch(`${second.url}/api/sessions/${target?.handle}`, {
      method: 'DELETE',
      headers: { 'X-Auth-Token': other },
    });
    expect(revoke.status).toBe(204);
    expect((await fetch(`${first.url}/api/me`, { headers: { 'X-Auth-Token': token } })).status).toBe(401);
    expect((await fetch(`${first.url}/api/me`, { headers: { 'X-Auth-Token': other } })).status).toBe(200);
  }, 90_000);

  it('fails at start, naming what to do, when the tables are missing', async () => {
    const err = await startDemo(`${server.url}?tableName=never_created`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toContain('never_created');
    expect(String(err)).toContain('createSchema');
  }, 90_000);
});
