import type { Session, SessionRepository } from '@session/core';
import type { AdapterCookieOptions, AdapterSessionIdResolver } from './types.js';

/*
 * `@session/testkit/http` runs against `@session/http` and `@session/memory`, optional peers of
 * the testkit loaded when the suite runs: the contract suite (the package's main entry) needs
 * neither, and a missing one fails with an "install X" message. Names are kept in variables so
 * bundlers and type checkers do not resolve them at build time.
 */

/** The resolver classes of `@session/http` the suite constructs. */
export interface HttpLayer {
  CookieSessionIdResolver: new (options?: AdapterCookieOptions) => AdapterSessionIdResolver;
  HeaderSessionIdResolver: new (options?: { headerName?: string }) => AdapterSessionIdResolver;
  CompositeSessionIdResolver: new (resolvers: AdapterSessionIdResolver[]) => AdapterSessionIdResolver;
}

interface MemoryModule {
  MemorySessionRepository: new () => SessionRepository<Session> & { close(): Promise<void> };
}

const HTTP_PACKAGE = '@session/http';
const MEMORY_PACKAGE = '@session/memory';

const loaded = new Map<string, Promise<unknown>>();

function loadPeer<T>(name: string, purpose: string): Promise<T> {
  let pending = loaded.get(name);
  if (pending === undefined) {
    pending = import(name).catch((err: unknown) => {
      loaded.delete(name);
      throw new Error(
        `@session/testkit/http needs ${name} ${purpose}, which is not installed: npm install --save-dev ${name}`,
        { cause: err },
      );
    });
    loaded.set(name, pending);
  }
  return pending as Promise<T>;
}

/** `@session/http`, for the resolvers the suite configures. */
export function loadHttpLayer(): Promise<HttpLayer> {
  return loadPeer<HttpLayer>(HTTP_PACKAGE, 'for its session id resolvers');
}

/** A new `MemorySessionRepository` of `@session/memory`. */
export async function createMemoryRepository(): Promise<
  SessionRepository<Session> & { close(): Promise<void> }
> {
  const memory = await loadPeer<MemoryModule>(MEMORY_PACKAGE, 'for its default in-memory store');
  return new memory.MemorySessionRepository();
}
