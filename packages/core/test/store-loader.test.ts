import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createRepositoryFromConfig,
  InvalidStoreConfigError,
  isSessionError,
  parseStoreConfig,
  redactStoreUrl,
  registerStoreScheme,
  type SessionRepository,
  type SessionStoreProvider,
  type StoreConfig,
  StoreNotInstalledError,
  silentLogger,
  storePackageFor,
} from '../src/index.js';

describe('parseStoreConfig', () => {
  it.each<[string, StoreConfig]>([
    ['memory:', { store: 'memory', url: 'memory:' }],
    ['redis://127.0.0.1:6379/0', { store: 'redis', url: 'redis://127.0.0.1:6379/0' }],
    [
      'rediss://user:pw@cache.example.com:6380',
      { store: 'rediss', url: 'rediss://user:pw@cache.example.com:6380' },
    ],
    ['redis-cluster://a:1,b:2', { store: 'redis-cluster', url: 'redis-cluster://a:1,b:2' }],
    ['hazelcast://10.0.0.1:5701', { store: 'hazelcast', url: 'hazelcast://10.0.0.1:5701' }],
    ['  memory:  ', { store: 'memory', url: 'memory:' }],
    ['REDIS://host:6379', { store: 'redis', url: 'REDIS://host:6379' }],
    ['memory', { store: 'memory' }],
    ['session-store-community', { store: 'session-store-community' }],
    ['@acme/session-store', { store: '@acme/session-store' }],
    ['@session/redis', { store: '@session/redis' }],
  ])('%s', (input, expected) => {
    expect(parseStoreConfig(input)).toEqual(expected);
  });

  it('maps built-in names and schemes to their packages; package names map to themselves', () => {
    expect(storePackageFor('memory')).toBe('@session/memory');
    expect(storePackageFor('redis')).toBe('@session/redis');
    expect(storePackageFor('rediss')).toBe('@session/redis');
    expect(storePackageFor('redis-cluster')).toBe('@session/redis');
    expect(storePackageFor('hazelcast')).toBe('@session/hazelcast');
    expect(storePackageFor('@acme/session-store')).toBe('@acme/session-store');
  });

  it('keeps object configs, and derives the store from a url', () => {
    const config = { store: 'redis', url: 'redis://h:1', namespace: 'app', custom: 1 };
    const parsed = parseStoreConfig(config);
    expect(parsed).toEqual(config);
    expect(parsed).not.toBe(config);
    expect(parseStoreConfig({ url: 'redis-cluster://a:1', namespace: 'n' } as StoreConfig)).toEqual({
      store: 'redis-cluster',
      url: 'redis-cluster://a:1',
      namespace: 'n',
    });
  });

  it('a scheme nobody registered leads to the community package named after it', () => {
    expect(parseStoreConfig('mongodb://localhost/db')).toEqual({
      store: 'session-store-mongodb',
      url: 'mongodb://localhost/db',
    });
    expect(parseStoreConfig('MongoDB+srv://cluster/db').store).toBe('session-store-mongodb');
    expect(parseStoreConfig({ url: 'mongodb://x', namespace: 'n' } as StoreConfig)).toEqual({
      store: 'session-store-mongodb',
      url: 'mongodb://x',
      namespace: 'n',
    });
  });

  it('?sessionStore=<package> names the package and is taken out of the URL', () => {
    expect(parseStoreConfig('kv://h:1/0?sessionStore=%40acme%2Fsession-kv&tls=true')).toEqual({
      store: '@acme/session-kv',
      url: 'kv://h:1/0?tls=true',
    });
    expect(parseStoreConfig('kv://h?a=1&sessionStore=acme-kv')).toEqual({
      store: 'acme-kv',
      url: 'kv://h?a=1',
    });
    expect(parseStoreConfig('kv://h?sessionStore=acme-kv')).toEqual({ store: 'acme-kv', url: 'kv://h' });
    for (const bad of ['../evil.js', 'file:///tmp/x.mjs', '%2Ftmp%2Fx.js', '']) {
      expect(() => parseStoreConfig(`kv://h?sessionStore=${bad}`), bad).toThrow(InvalidStoreConfigError);
    }
  });

  it('postgres: and postgresql: lead to @session/postgres', () => {
    expect(parseStoreConfig('postgres://u@db/app')).toEqual({
      store: 'postgres',
      url: 'postgres://u@db/app',
    });
    expect(storePackageFor(parseStoreConfig('postgresql://db/app').store)).toBe('@session/postgres');
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['blank', '   '],
    ['something that is no package name', 'Not A Package'],
    ['a relative path', './my-store.js'],
    ['an object without store or url', { namespace: 'x' }],
    ['an object with an empty store', { store: '' }],
    ['an object whose store is a path', { store: '../../evil.js' }],
    ['an object whose store is a URL', { store: 'https://evil.example/x.js' }],
    ['null', null],
    ['a number', 6379],
  ])('rejects %s', (_label, input) => {
    expect(() => parseStoreConfig(input as StoreConfig)).toThrow(InvalidStoreConfigError);
  });

  it('registerStoreScheme adds a scheme and rejects malformed ones', () => {
    registerStoreScheme('acme-kv', '@acme/session-kv');
    expect(parseStoreConfig('acme-kv://h')).toEqual({ store: 'acme-kv', url: 'acme-kv://h' });
    expect(storePackageFor('acme-kv')).toBe('@acme/session-kv');
    expect(() => registerStoreScheme('Bad Scheme', 'x')).toThrow(InvalidStoreConfigError);
  });
});

/** A stand-in repository; the loader only hands it back. */
function fakeRepository(config: StoreConfig): SessionRepository & { config: StoreConfig } {
  return {
    config,
    capabilities: { indexed: false, events: false },
    createSession: () => Promise.reject(new Error('not used')),
    save: (session) => Promise.resolve({ status: 'written', id: session.id }),
    findById: () => Promise.resolve(null),
    deleteById: () => Promise.resolve(),
  };
}

function provider(name: string): SessionStoreProvider & { create: ReturnType<typeof vi.fn> } {
  return { name, create: vi.fn((config: StoreConfig) => fakeRepository(config)) };
}

/**
 * An importer that runs Node's own `import()` from inside the app directory (a module under
 * node_modules, which vitest leaves to Node), so errors are exactly what an installed app sees.
 * ESM resolution also ignores NODE_PATH, which package-manager shims point at the workspace.
 */
function importFromApp(dir: string) {
  const loader = pathToFileURL(join(dir, 'node_modules', 'app-loader', 'index.js')).href;
  return async (packageName: string): Promise<unknown> => {
    const { load } = (await import(loader)) as { load(name: string): Promise<unknown> };
    return load(packageName);
  };
}

function writePackage(dir: string, name: string, source: string): void {
  const pkg = join(dir, 'node_modules', name);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), source);
}

describe('createRepositoryFromConfig', () => {
  let appDir: string;

  beforeAll(() => {
    // An app directory with an installed store whose own dependency is missing.
    appDir = mkdtempSync(join(tmpdir(), 'session-core-loader-'));
    writePackage(appDir, 'app-loader', 'export function load(name) {\n  return import(name);\n}\n');
    writePackage(
      appDir,
      'broken-session-store',
      "import 'missing-dependency-of-the-store';\nexport const sessionStore = {};\n",
    );
    writePackage(
      appDir,
      'session-store-community',
      'export const sessionStore = { name: "community", create: (config) => ({ config, capabilities: { indexed: false, events: false } }) };\n',
    );
    writePackage(
      appDir,
      'working-session-store',
      'export const sessionStore = { name: "working", create: (config) => ({ config, capabilities: { indexed: false, events: false } }) };\n',
    );
  });

  afterAll(() => {
    rmSync(appDir, { recursive: true, force: true });
  });

  it('loads a provider exported as sessionStore, importing the mapped package', async () => {
    const store = provider('redis');
    const importer = vi.fn(async () => ({ sessionStore: store }));
    const repo = await createRepositoryFromConfig('redis://cache:6379', { importer });
    expect(importer).toHaveBeenCalledWith('@session/redis');
    expect(store.create).toHaveBeenCalledWith({ store: 'redis', url: 'redis://cache:6379' });
    expect((repo as ReturnType<typeof fakeRepository>).config.url).toBe('redis://cache:6379');
  });

  it('loads a provider that is the default export, or sits on it (CommonJS interop)', async () => {
    const asDefault = provider('memory');
    await createRepositoryFromConfig('memory:', { importer: async () => ({ default: asDefault }) });
    expect(asDefault.create).toHaveBeenCalledOnce();

    const onDefault = provider('memory');
    await createRepositoryFromConfig('memory:', {
      importer: async () => ({ default: { sessionStore: onDefault } }),
    });
    expect(onDefault.create).toHaveBeenCalledOnce();
  });

  it('waits for an async create', async () => {
    const store: SessionStoreProvider = { name: 'async', create: async (config) => fakeRepository(config) };
    const repo = await createRepositoryFromConfig(
      { store: '@acme/async-store' },
      { importer: async () => ({ sessionStore: store }) },
    );
    expect((repo as ReturnType<typeof fakeRepository>).config.store).toBe('@acme/async-store');
  });

  it('merges overrides over the config', async () => {
    const store = provider('redis');
    await createRepositoryFromConfig(
      { store: 'redis', url: 'redis://h:1', namespace: 'from-config', defaultMaxInactiveIntervalMs: 1_000 },
      {
        importer: async () => ({ sessionStore: store }),
        overrides: { namespace: 'override', logger: silentLogger },
      },
    );
    expect(store.create).toHaveBeenCalledWith({
      store: 'redis',
      url: 'redis://h:1',
      namespace: 'override',
      defaultMaxInactiveIntervalMs: 1_000,
      logger: silentLogger,
    });
  });

  it.each<[string, unknown]>([
    ['no provider at all', { something: 1 }],
    ['a sessionStore without create', { sessionStore: { name: 'x' } }],
    ['a default export that is not a provider', { default: class Store {} }],
    ['nothing', undefined],
  ])('a module with %s is an InvalidStoreConfigError naming the package', async (_label, mod) => {
    const attempt = createRepositoryFromConfig('@acme/not-a-store', { importer: async () => mod });
    await expect(attempt).rejects.toThrow(InvalidStoreConfigError);
    await expect(
      createRepositoryFromConfig('@acme/not-a-store', { importer: async () => mod }),
    ).rejects.toThrow('@acme/not-a-store');
  });

  it('a missing store package is a StoreNotInstalledError that says how to install it', async () => {
    const attempt = createRepositoryFromConfig('redis://h:6379', { importer: importFromApp(appDir) });
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreNotInstalledError);
    expect((err as StoreNotInstalledError).packageName).toBe('@session/redis');
    expect((err as Error).message).toContain('npm install @session/redis');
    expect(isSessionError(err, 'SESSION_STORE_NOT_INSTALLED')).toBe(true);
    expect(((err as Error).cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('an installed store package loads through Node', async () => {
    const repo = await createRepositoryFromConfig(
      { store: 'working-session-store', namespace: 'n' },
      { importer: importFromApp(appDir) },
    );
    expect((repo as ReturnType<typeof fakeRepository>).config).toEqual({
      store: 'working-session-store',
      namespace: 'n',
    });
  });

  it('the default importer reports a missing package the same way', async () => {
    const err = await createRepositoryFromConfig({ store: '@session-test/definitely-not-installed' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(StoreNotInstalledError);
    expect((err as Error).message).toContain('npm install @session-test/definitely-not-installed');
  });

  it('a broken dependency inside an installed store surfaces as its own error', async () => {
    const err = await createRepositoryFromConfig(
      { store: 'broken-session-store' },
      { importer: importFromApp(appDir) },
    ).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(StoreNotInstalledError);
    expect((err as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    expect((err as Error).message).toContain('missing-dependency-of-the-store');
    // The path in that message names the store package, which must not fool the check.
    expect((err as Error).message).toContain('broken-session-store');
  });

  it('errors thrown by the importer or by create pass through', async () => {
    const failure = new Error('syntax error in store');
    await expect(
      createRepositoryFromConfig('memory:', { importer: () => Promise.reject(failure) }),
    ).rejects.toBe(failure);
    const createFailure = new Error('cannot connect');
    const store: SessionStoreProvider = {
      name: 'x',
      create: () => {
        throw createFailure;
      },
    };
    await expect(
      createRepositoryFromConfig('memory:', { importer: async () => ({ sessionStore: store }) }),
    ).rejects.toBe(createFailure);
  });

  it('an unusable config fails before anything is imported', async () => {
    const importer = vi.fn();
    for (const input of ['Not A Package', { store: '../evil.js' }, 'kv://h?sessionStore=../evil.js']) {
      await expect(createRepositoryFromConfig(input as StoreConfig, { importer })).rejects.toThrow(
        InvalidStoreConfigError,
      );
    }
    expect(importer).not.toHaveBeenCalled();
  });

  it('a scheme whose community package is not installed names the known schemes and the ways to add one, never "npm install" a made-up name', async () => {
    const err = await createRepositoryFromConfig('ftp://x', { importer: importFromApp(appDir) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidStoreConfigError);
    expect((err as Error).message).toMatch(/Unknown store URL scheme "ftp:".*redis:.*postgres:/);
    expect((err as Error).message).toContain('session-store-ftp');
    expect((err as Error).message).toContain('?sessionStore=');
    expect((err as Error).message).not.toContain('npm install');
  });

  it('a community store installed as session-store-<scheme> loads from its URL with no registration', async () => {
    const repo = await createRepositoryFromConfig('community://h:1/x?n=1', {
      importer: importFromApp(appDir),
    });
    expect((repo as ReturnType<typeof fakeRepository>).config).toEqual({
      store: 'session-store-community',
      url: 'community://h:1/x?n=1',
    });
  });
});

describe('overrides', () => {
  it('cannot smuggle a path in as the store: the merged config is checked too', async () => {
    const imported: string[] = [];
    const importer = async (name: string) => {
      imported.push(name);
      return { sessionStore: { name: 'x', create: () => ({}) } };
    };
    for (const store of ['./evil.js', '/tmp/evil.mjs', 'file:///tmp/evil.mjs', 'data:text/javascript,1']) {
      await expect(
        createRepositoryFromConfig('memory:', { importer, overrides: { store } }),
        store,
      ).rejects.toBeInstanceOf(InvalidStoreConfigError);
    }
    expect(imported).toEqual([]);
  });
});

describe('redactStoreUrl', () => {
  it.each([
    ['redis://:secret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['rediss://user:secret@cache.example.com/2', 'rediss://user:***@cache.example.com/2'],
    ['redis://user:p@ss:w0rd@host:6379?indexed=true', 'redis://user:***@host:6379?indexed=true'],
    [
      'hazelcast://dev:pw@10.0.0.1:5701,10.0.0.2?cluster=dev',
      'hazelcast://dev:***@10.0.0.1:5701,10.0.0.2?cluster=dev',
    ],
    ['postgres://app:hunter2@db/sessions', 'postgres://app:***@db/sessions'],
  ])('hides the password of %s', (url, redacted) => {
    expect(redactStoreUrl(url)).toBe(redacted);
  });

  it.each(['redis://127.0.0.1:6379', 'redis://user@host', 'memory:', 'redis://host/0?x=a@b'])(
    'leaves %s (no password) as it is',
    (url) => {
      expect(redactStoreUrl(url)).toBe(url);
    },
  );
});
