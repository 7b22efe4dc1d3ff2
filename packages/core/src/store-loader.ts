import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidStoreConfigError, StoreNotInstalledError } from './errors.js';
import type { SessionRepositoryOptions } from './options.js';
import type { SessionRepository } from './repository.js';
import type { Session } from './session.js';

/**
 * A store described as data: `{ store: 'redis', url: 'redis://…', namespace: 'app' }`. `store` is
 * a built-in name (`memory`, `redis`, `redis-cluster`, `hazelcast`, `postgres`) or a package
 * name. Other keys are passed to the store (shared options plus the store's own).
 */
export interface StoreConfig extends SessionRepositoryOptions {
  store: string;
  url?: string;
  [option: string]: unknown;
}

/** What a store package exports (as `sessionStore`, or as its default export) to be loadable by config. */
export interface SessionStoreProvider {
  /** Short name, for messages. */
  readonly name: string;
  create(config: StoreConfig): SessionRepository<Session> | Promise<SessionRepository<Session>>;
}

/** How {@link createRepositoryFromConfig} imports store packages. */
export interface LoadStoreOptions {
  /** Custom import (for bundlers or tests). Default: `import()`, then resolution from `process.cwd()`. */
  importer?: (packageName: string) => Promise<unknown>;
  /** Options merged over the config (e.g. a logger that cannot be written in a config file). */
  overrides?: Partial<StoreConfig>;
}

const builtIn = new Map<string, string>([
  ['memory', '@session/memory'],
  ['redis', '@session/redis'],
  ['rediss', '@session/redis'],
  ['redis-cluster', '@session/redis'],
  ['redis+cluster', '@session/redis'],
  ['hazelcast', '@session/hazelcast'],
  ['postgres', '@session/postgres'],
  ['postgresql', '@session/postgres'],
]);

/**
 * Where a URL scheme no package registered leads: `mongodb://…` (and `mongodb+srv://…`) loads the
 * community store package `session-store-mongodb` when the app has it installed. A community
 * store published under that name needs no code in the app; one published under another name is
 * reached with `?sessionStore=<package>` in the URL, `{ store: '<package>', url }`, or
 * {@link registerStoreScheme}.
 */
/**
 * A store URL fit for logs and error messages: the password in its user info is replaced by
 * `***` (the user name stays, it helps find the account). Handles passwords holding a raw `@`
 * or `:`; URLs without credentials come back unchanged.
 */
export function redactStoreUrl(url: string): string {
  const match = /^([a-z][\w+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (match === null) return url;
  const [whole, scheme = '', userInfo = ''] = match;
  const colon = userInfo.indexOf(':');
  if (colon < 0) return url;
  return `${scheme}${userInfo.slice(0, colon)}:***@${url.slice(whole.length)}`;
}

export const COMMUNITY_STORE_PREFIX = 'session-store-';

/** The community package a URL scheme leads to by convention: `mongodb+srv` → `session-store-mongodb`. */
export function communityStorePackage(scheme: string): string {
  return `${COMMUNITY_STORE_PREFIX}${scheme.toLowerCase().split('+')[0]}`;
}

/** The URL query parameter that names the store package explicitly: `foo://host?sessionStore=@acme/session-foo`. */
export const STORE_PACKAGE_PARAMETER = 'sessionStore';

/**
 * Maps a store name or URL scheme to the package that implements it. Store packages call this
 * for extra schemes; apps can call it to alias a community store.
 */
export function registerStoreScheme(scheme: string, packageName: string): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme))
    throw new InvalidStoreConfigError(`Invalid store scheme "${scheme}"`);
  builtIn.set(scheme, packageName);
}

/**
 * The package that implements a store name or URL scheme (package names map to themselves; a URL
 * of a scheme nobody registered has its `store` set to {@link communityStorePackage} already).
 */
export function storePackageFor(store: string): string {
  return builtIn.get(store) ?? store;
}

const URL_LIKE = /^([a-z][a-z0-9+.-]*):/i;
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Turns a URL, store name or package name into a {@link StoreConfig}. */
export function parseStoreConfig(input: string | StoreConfig): StoreConfig {
  if (typeof input === 'object' && input !== null) {
    if (typeof input.store === 'string' && input.store.length > 0) {
      // Only names that map to a package: a path or URL here would import arbitrary files.
      if (!builtIn.has(input.store) && !PACKAGE_NAME.test(input.store)) {
        throw new InvalidStoreConfigError(
          `"${input.store}" is neither a known store name nor a package name`,
        );
      }
      return { ...input };
    }
    if (typeof input.url === 'string') {
      const parsed = parseStoreConfig(input.url);
      return { ...input, store: parsed.store, url: parsed.url ?? input.url };
    }
    throw new InvalidStoreConfigError('A store config needs `store` (e.g. "memory", "redis") or `url`');
  }
  if (typeof input !== 'string' || input.trim() === '') {
    throw new InvalidStoreConfigError('A store config must be a URL, a store name or an object with `store`');
  }
  const text = input.trim();
  const scheme = URL_LIKE.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && !text.startsWith('@')) {
    const explicit = storePackageParameter(text);
    if (explicit !== undefined) return { store: explicit.packageName, url: explicit.url };
    return { store: builtIn.has(scheme) ? scheme : communityStorePackage(scheme), url: text };
  }
  if (builtIn.has(text) || PACKAGE_NAME.test(text)) return { store: text };
  throw new InvalidStoreConfigError(`"${text}" is neither a store URL nor a package name`);
}

const STORE_PARAMETER = new RegExp(`([?&])${STORE_PACKAGE_PARAMETER}=([^&#]*)&?`);

/** `sessionStore=<package>` in a URL's query: the package, and the URL without the parameter. */
function storePackageParameter(url: string): { packageName: string; url: string } | undefined {
  const match = STORE_PARAMETER.exec(url);
  if (match === null) return undefined;
  let packageName: string;
  try {
    packageName = decodeURIComponent(match[2] as string);
  } catch {
    packageName = '';
  }
  // Only a package name: a path or URL here would import arbitrary files.
  if (!PACKAGE_NAME.test(packageName)) {
    throw new InvalidStoreConfigError(`"${STORE_PACKAGE_PARAMETER}" in a store URL must be a package name`);
  }
  const rest = `${url.slice(0, match.index)}${match[1] === '?' ? '?' : '&'}${url.slice(match.index + match[0].length)}`;
  return { packageName, url: rest.replace(/[?&]$/, '').replace('?&', '?') };
}

function isModuleNotFound(err: unknown, packageName: string): boolean {
  const code = (err as { code?: string } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the store package itself missing counts; a broken dependency inside it must surface. The
  // message of a missing dependency names the store only in a path ("imported from …/@session/redis/…"),
  // never quoted as the module that was not found.
  const message = String((err as Error).message);
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}

async function defaultImporter(packageName: string): Promise<unknown> {
  try {
    return await import(packageName);
  } catch (err) {
    if (!isModuleNotFound(err, packageName)) throw err;
    // Strict installs (pnpm) hide the app's packages from ours: resolve from the app instead.
    const requireFromApp = createRequire(join(process.cwd(), 'noop.js'));
    let resolved: string;
    try {
      resolved = requireFromApp.resolve(packageName);
    } catch {
      throw err;
    }
    return import(pathToFileURL(resolved).href);
  }
}

function providerOf(mod: unknown, packageName: string): SessionStoreProvider {
  const m = mod as {
    sessionStore?: SessionStoreProvider;
    default?: SessionStoreProvider & { sessionStore?: SessionStoreProvider };
  };
  const provider = m?.sessionStore ?? m?.default?.sessionStore ?? m?.default;
  if (provider === undefined || typeof provider.create !== 'function') {
    throw new InvalidStoreConfigError(
      `"${packageName}" does not export a session store provider (a \`sessionStore\` export with create(config))`,
    );
  }
  return provider;
}

/**
 * Turns a config object or URL into a repository, importing the store package only now:
 *
 * ```ts
 * const repository = await createRepositoryFromConfig(process.env.SESSION_STORE ?? 'memory:');
 * ```
 *
 * Throws {@link StoreNotInstalledError} ("install @session/redis") when the package is missing
 * and {@link InvalidStoreConfigError} for unusable configs.
 */
export async function createRepositoryFromConfig(
  input: string | StoreConfig,
  options: LoadStoreOptions = {},
): Promise<SessionRepository<Session>> {
  // Checked again after the merge: an override's `store` must not name a path or URL either.
  const config = parseStoreConfig({ ...parseStoreConfig(input), ...options.overrides } as StoreConfig);
  const packageName = storePackageFor(config.store);
  let mod: unknown;
  try {
    mod = await (options.importer ?? defaultImporter)(packageName);
  } catch (err) {
    if (!isModuleNotFound(err, packageName)) throw err;
    const scheme = typeof config.url === 'string' ? URL_LIKE.exec(config.url)?.[1]?.toLowerCase() : undefined;
    if (scheme !== undefined && !builtIn.has(scheme) && packageName === communityStorePackage(scheme)) {
      // A name made up from the scheme: never tell people to install a package nobody named.
      throw new InvalidStoreConfigError(
        `Unknown store URL scheme "${scheme}:". Known: ${[...builtIn.keys()].map((s) => `${s}:`).join(', ')}. ` +
          `A community store for it is found when installed as "${packageName}", or name its package with ` +
          `?${STORE_PACKAGE_PARAMETER}=<package> in the URL or registerStoreScheme('${scheme}', '<package>')`,
        { cause: err },
      );
    }
    throw new StoreNotInstalledError(packageName, { cause: err });
  }
  return providerOf(mod, packageName).create(config);
}
