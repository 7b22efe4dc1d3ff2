import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server for one test file: a fresh database on it, and how to stop it. */
export interface PostgresTestServer {
  /** Connection string of a database of its own (created for this file). */
  readonly url: string;
  /** What is behind it: `initdb` (a server this file started), `DATABASE_URL` or `testcontainers`. */
  readonly kind: 'initdb' | 'DATABASE_URL' | 'testcontainers';
  /** Connection string of another database on the same server (created now). */
  createDatabase(): Promise<string>;
  /** Whether `pg_stat_statements` can count this server's statements. */
  readonly statementStats: boolean;
  stop(): Promise<void>;
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The directory holding initdb and postgres: PG_BIN, `pg_config --bindir`, the newest /usr/lib/postgresql/N/bin, or PATH. */
function findBinDir(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && has(fromEnv)) return fromEnv;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (has(dir)) return dir;
  } catch {}
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(`/usr/lib/postgresql/${v}/bin`)) return `/usr/lib/postgresql/${v}/bin`;
  } catch {}
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && has(dir)) return dir;
  return undefined;
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user (or `nobody`). */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
    } catch {}
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

async function waitUntilAccepting(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${output()}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within 30 s: ${String(err)}\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let databaseCounter = 0;

async function createDatabaseOn(adminUrl: string): Promise<string> {
  const name = `session_test_${process.pid}_${Date.now().toString(36)}_${databaseCounter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function hasStatementStats(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'",
    );
    if (!(rows[0]?.setting ?? '').includes('pg_stat_statements')) return false;
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return true;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

/** initdb into a temporary directory and a postgres on a free loopback port, stopped and removed by `stop()`. */
async function startInitdb(binDir: string): Promise<PostgresTestServer> {
  const ids = unprivilegedIds();
  const dir = mkdtempSync(join(tmpdir(), 'session-pg-'));
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  const dataDir = join(dir, 'data');
  const asUser = ids === undefined ? {} : { uid: ids.uid, gid: ids.gid };
  execFileSync(
    join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { stdio: 'pipe', ...asUser, env: { ...process.env, LC_ALL: 'C' } },
  );
  const port = await freePort();
  const child = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      // Top-level statements only: what clients send, not the foreign-key checks inside them.
      '-c',
      'pg_stat_statements.track=top',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...asUser },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  // A test process that dies must not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilAccepting(adminUrl, child, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const statementStats = await hasStatementStats(adminUrl);
  return {
    url: await createDatabaseOn(adminUrl),
    kind: 'initdb',
    statementStats,
    createDatabase: () => createDatabaseOn(adminUrl),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          // SIGINT: fast shutdown (disconnects clients, no waiting).
          child.kill('SIGINT');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startContainer(): Promise<PostgresTestServer | undefined> {
  let mod: {
    PostgreSqlContainer: new (
      image: string,
    ) => { start(): Promise<{ getConnectionUri(): string; stop(): Promise<unknown> }> };
  };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    mod = (await import('@testcontainers/postgresql')) as unknown as typeof mod;
  } catch {
    return undefined;
  }
  const container = await new mod.PostgreSqlContainer('postgres:15-alpine').start();
  const adminUrl = container.getConnectionUri();
  return {
    url: await createDatabaseOn(adminUrl),
    kind: 'testcontainers',
    statementStats: await hasStatementStats(adminUrl),
    createDatabase: () => createDatabaseOn(adminUrl),
    async stop() {
      await container.stop();
    },
  };
}

/**
 * A PostgreSQL server for the tests of one file, in this order: `DATABASE_URL` (an existing
 * server; each file gets a database of its own on it), a server started here (initdb into a
 * temporary directory, postgres on a free loopback port: never the machine's own 5432), or a
 * testcontainers container when a container runtime answers. Throws, naming all three, when none
 * is available: the tests never pass by skipping.
 */
export async function startPostgres(): Promise<PostgresTestServer> {
  const existing = process.env.DATABASE_URL;
  if (existing !== undefined && existing !== '') {
    // Databases made here on someone else's server are dropped again by stop().
    const made: string[] = [];
    const create = async () => {
      const url = await createDatabaseOn(existing);
      made.push(new URL(url).pathname.slice(1));
      return url;
    };
    return {
      url: await create(),
      kind: 'DATABASE_URL',
      statementStats: await hasStatementStats(existing),
      createDatabase: create,
      async stop() {
        const admin = new pg.Client({ connectionString: existing });
        await admin.connect();
        try {
          for (const name of made) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      },
    };
  }
  const binDir = findBinDir();
  if (binDir !== undefined) return startInitdb(binDir);
  const container = await startContainer();
  if (container !== undefined) return container;
  throw new Error(
    'No PostgreSQL for the tests: set DATABASE_URL, install the PostgreSQL server binaries (initdb, postgres: apt-get install postgresql; or set PG_BIN), or run a container runtime for testcontainers',
  );
}
