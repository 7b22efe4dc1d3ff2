import { InvalidStoreConfigError, type SessionStoreProvider, type StoreConfig } from '@session/core';
import type { MemorySessionRepositoryOptions } from './options.js';
import { MemorySessionRepository } from './repository.js';

/** Query parameters `memory:?…` accepts, with how each is read. */
const URL_OPTIONS: Record<string, (text: string, name: string) => unknown> = {
  maxSessions: (text, name) => (text === 'Infinity' ? Number.POSITIVE_INFINITY : parseNumber(text, name)),
  sweepIntervalMs: parseNumber,
  defaultMaxInactiveIntervalMs: parseNumber,
  flushMode: (text) => text,
  saveMode: (text) => text,
};

function parseNumber(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) {
    throw new InvalidStoreConfigError(`memory: "${name}" must be a number, got "${text}"`);
  }
  return value;
}

/**
 * Reads `memory:?maxSessions=1000&sweepIntervalMs=50` into options; unknown parameters are errors.
 * `namespace` is accepted and ignored, so one URL pattern fits every store.
 */
export function parseMemoryUrl(url: string): MemorySessionRepositoryOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new InvalidStoreConfigError(`Invalid memory store URL "${url}"`, { cause: err });
  }
  if (parsed.protocol !== 'memory:') {
    throw new InvalidStoreConfigError(`The memory store needs a memory: URL, got "${parsed.protocol}"`);
  }
  const options: Record<string, unknown> = {};
  for (const [name, text] of parsed.searchParams) {
    if (name === 'namespace') continue;
    // Own keys only: `constructor` or `toString` must be unknown options, not Object.prototype's.
    const read = Object.hasOwn(URL_OPTIONS, name) ? URL_OPTIONS[name] : undefined;
    if (read === undefined) {
      throw new InvalidStoreConfigError(
        `Unknown memory store option "${name}" in URL. Known: ${Object.keys(URL_OPTIONS).join(', ')}`,
      );
    }
    options[name] = read(text, name);
  }
  return options as MemorySessionRepositoryOptions;
}

/**
 * Lets `createRepositoryFromConfig` build this store: `'memory:'`, `'memory:?maxSessions=1000'`
 * or `{ store: 'memory', maxSessions: 1000 }`. Keys given in the object win over URL parameters.
 */
export const sessionStore: SessionStoreProvider = {
  name: 'memory',
  create(config: StoreConfig): MemorySessionRepository {
    // `namespace` means nothing to a store that lives in one repository object; dropping it keeps
    // one config working on every store.
    const { store: _store, url, namespace: _namespace, ...rest } = config;
    const fromUrl = typeof url === 'string' ? parseMemoryUrl(url) : {};
    // No prototype: a `__proto__` key in a parsed config file stays an ignored key instead of
    // becoming the prototype the options inherit from.
    const options = Object.assign(Object.create(null) as Record<string, unknown>, fromUrl);
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) options[key] = value;
    return new MemorySessionRepository(options as MemorySessionRepositoryOptions);
  },
};
