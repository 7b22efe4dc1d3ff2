import type { MapSession } from '@session/core';
import { silentLogger } from '@session/core';
import { encodeSessionIdBase64 } from '@session/http';
import { MemorySessionRepository } from '@session/memory';
import { afterEach } from 'vitest';
import type { WebSocketSessionOptions } from '../../src/index.js';
import { startWsApp, type WsApp } from './ws-app.js';

const apps: WsApp<MapSession>[] = [];
const repositories: MemorySessionRepository[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

/** Closes `repository` after the current test. */
export function closeAfterTest<R extends MemorySessionRepository>(repository: R): R {
  repositories.push(repository);
  return repository;
}

/** A memory store that sweeps often, closed after the test. */
export function memoryRepository(): MemorySessionRepository {
  return closeAfterTest(new MemorySessionRepository({ sweepIntervalMs: 20, logger: silentLogger }));
}

/** A {@link startWsApp} on `options.repository` (default: a fresh memory store), closed after the test. */
export async function start(options: Partial<WebSocketSessionOptions<MapSession>> = {}) {
  const repository = (options.repository as MemorySessionRepository | undefined) ?? memoryRepository();
  const app = await startWsApp<MapSession>({ logger: silentLogger, ...options, repository });
  apps.push(app);
  return { app, repository };
}

/** A stored session of `alice`, with an idle timeout of `idleMs` when given. */
export async function storedSession(
  repository: MemorySessionRepository,
  idleMs?: number,
): Promise<MapSession> {
  const session = await repository.createSession();
  if (idleMs !== undefined) session.maxInactiveIntervalMs = idleMs;
  session.set('user', 'alice');
  await repository.save(session);
  return session;
}

/** Client options that present `id` as `X-Auth-Token`. */
export const withToken = (id: string) => ({ headers: { 'X-Auth-Token': id } });

/** `@session/http` writes the cookie as Spring does: the base64 of the id. */
export const sessionCookie = (id: string) => `SESSION=${encodeSessionIdBase64(id)}`;
