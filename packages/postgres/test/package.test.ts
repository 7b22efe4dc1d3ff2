import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = join(packageDir, '..', '..');
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');

/** Source without comments (TSDoc examples name packages too). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? (name === 'node_modules' ? [] : filesUnder(path)) : [path];
  });
}

/** The public entry points of a workspace package: its name and its `exports` subpaths. */
function publicEntries(name: string): string[] {
  const dir = join(workspace, 'packages', name.replace('@session/', ''));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`));
}

let server: PostgresTestServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describe('written as a community author would write it', () => {
  it('imports nothing of @session/* but public entry points, and nothing outside its own directory', () => {
    const problems: string[] = [];
    for (const file of filesUnder(packageDir).filter((f) => /\.(ts|mts|js|mjs)$/.test(f))) {
      for (const match of code(file).matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
        const specifier = match[1] as string;
        const where = relative(packageDir, file);
        if (specifier.startsWith('@session/')) {
          const owner = specifier.split('/').slice(0, 2).join('/');
          if (owner === '@session/postgres') continue;
          if (!publicEntries(owner).includes(specifier)) problems.push(`${where}: ${specifier}`);
        } else if (specifier.startsWith('.')) {
          const target = join(dirname(file), specifier);
          if (relative(packageDir, target).startsWith('..')) problems.push(`${where}: ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('its source depends on @session/core and pg only (both peer dependencies)', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@session/core', 'pg']);
    expect(pkg.dependencies).toBeUndefined();
    const imported = new Set<string>();
    for (const file of filesUnder(join(packageDir, 'src'))) {
      for (const match of code(file).matchAll(/from\s+['"]([^'".][^'"]*)['"]/g)) {
        imported.add((match[1] as string).startsWith('node:') ? 'node:' : (match[1] as string));
      }
    }
    expect([...imported].sort()).toEqual(['@session/core', 'node:', 'pg']);
  });

  it("the testkit's store guide quotes this package as it is", () => {
    const guide = readFileSync(join(workspace, 'packages', 'testkit', 'STORE-GUIDE.md'), 'utf8');
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    // The harness excerpt is this package's contract test, line for line.
    const excerpt = /```ts\n\/\/ test\/contract\.test\.ts of @session\/postgres\n([\s\S]*?)```/.exec(
      guide,
    )?.[1];
    expect(excerpt).toBeDefined();
    expect(squash(readFileSync(join(packageDir, 'test', 'contract.test.ts'), 'utf8'))).toContain(
      squash(excerpt as string),
    );
    // Every file of this package the guide names exists (it ships src; tests are named for reading here).
    for (const match of guide.matchAll(/@session\/postgres\/((?:src|test)\/[\w/.-]+\.ts)/g)) {
      expect(statSync(join(packageDir, match[1] as string)).isFile(), match[1]).toBe(true);
    }
    // Every harness field the guide lists is one the suite knows.
    const types = readFileSync(join(workspace, 'packages', 'testkit', 'src', 'contract', 'types.ts'), 'utf8');
    for (const field of [
      'createPeer',
      'backendOperations',
      'ready',
      'corrupt',
      'keptOnPurpose',
      'createUnreachable',
    ]) {
      expect(guide).toContain(field);
      expect(types).toContain(field);
    }
    // No monorepo paths in a file that ships in a tarball.
    expect(guide).not.toMatch(/\]\(\.\.?\/|packages\/testkit\/test|docs\/architecture/);
  });

  it('the README quick start runs as written', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const code = /## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(packageDir, 'test', '.quickstart-'));
    try {
      const file = join(dir, 'quickstart.ts');
      writeFileSync(file, code as string);
      const output = execFileSync(process.execPath, ['--conditions=dev-source', '--import', tsx, file], {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: server.url },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(output).toContain("{ status: 'written'");
      expect(output).toContain("[ 'sku-1' ] 1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('an app outside the workspace reaches this store and a community store from URLs alone', () => {
    // The app: its own node_modules with @session/core, @session/postgres and pg as installed
    // copies, and a community store published as session-store-<scheme>. No registration code.
    const app = mkdtempSync(join(tmpdir(), 'session-app-'));
    try {
      const modules = join(app, 'node_modules');
      for (const name of ['core', 'postgres']) {
        const target = join(modules, '@session', name);
        mkdirSync(target, { recursive: true });
        cpSync(join(workspace, 'packages', name, 'src'), join(target, 'src'), { recursive: true });
        cpSync(join(workspace, 'packages', name, 'package.json'), join(target, 'package.json'));
      }
      for (const dep of [
        'pg',
        'pg-connection-string',
        'pg-pool',
        'pg-protocol',
        'pg-types',
        'pgpass',
        'pg-int8',
        'postgres-array',
        'postgres-bytea',
        'postgres-date',
        'postgres-interval',
        'split2',
        'xtend',
        'pg-cloudflare',
      ]) {
        let resolved: string;
        try {
          resolved = dirname(
            createRequire(join(packageDir, 'node_modules', 'pg', 'package.json')).resolve(
              `${dep}/package.json`,
            ),
          );
        } catch {
          continue;
        }
        symlinkSync(resolved, join(modules, dep));
      }
      mkdirSync(join(modules, 'session-store-community'), { recursive: true });
      writeFileSync(
        join(modules, 'session-store-community', 'package.json'),
        JSON.stringify({
          name: 'session-store-community',
          type: 'module',
          main: 'index.js',
          peerDependencies: { '@session/core': '*' },
        }),
      );
      writeFileSync(
        join(modules, 'session-store-community', 'index.js'),
        `import { MapSession } from '@session/core';
export const sessionStore = { name: 'community', create: (config) => ({ config, made: new MapSession().id.length > 0, capabilities: { indexed: false, events: false } }) };
`,
      );
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'app', type: 'module', private: true }),
      );
      writeFileSync(
        join(app, 'app.mjs'),
        `import { createRepositoryFromConfig } from '@session/core';
const community = await createRepositoryFromConfig('community://somewhere/x?a=1');
const postgres = await createRepositoryFromConfig(process.env.SESSION_STORE);
const session = await postgres.createSession();
session.set('a', 1);
const saved = await postgres.save(session);
console.log(JSON.stringify({ community: community.config, made: community.made, saved: saved.status, caps: postgres.capabilities }));
await postgres.close();
`,
      );
      const output = execFileSync(process.execPath, ['--conditions=dev-source', '--import', tsx, 'app.mjs'], {
        cwd: app,
        env: { ...process.env, SESSION_STORE: `${server.url}?createSchema=true&tableName=outside_app` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(JSON.parse(output.trim().split('\n').pop() as string)).toEqual({
        community: { store: 'session-store-community', url: 'community://somewhere/x?a=1' },
        made: true,
        saved: 'written',
        caps: { indexed: true, events: true, touchesOnRead: true },
      });
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }, 90_000);
});
