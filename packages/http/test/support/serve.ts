import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from '@session/core';
import { afterEach } from 'vitest';
import {
  HttpSessionManager,
  type HttpSessionOptions,
  holdResponseUntilCommitted,
  type RequestSession,
} from '../../src/index.js';

/** A route of {@link serve}: plain `node:http` with the request's session. */
export type Handler = (req: IncomingMessage, res: ServerResponse, session: RequestSession) => unknown;

const servers: http.Server[] = [];

/** Closes `server` (and its connections) after the current test. */
export function closeAfterTest(server: http.Server): void {
  servers.push(server);
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * Plain `node:http` with the framework-neutral layer and no framework at all: open, hold the
 * response until committed, commit after it. A store failure while opening answers its status.
 * Servers are closed after each test.
 */
export async function serve(options: HttpSessionOptions<Session>, handler: Handler) {
  const manager = new HttpSessionManager(options);
  const server = http.createServer(async (req, res) => {
    let controller: Awaited<ReturnType<typeof manager.open>>;
    try {
      controller = await manager.open({ request: req, response: res });
    } catch (err) {
      res.statusCode = (err as { status?: number }).status ?? 500;
      res.end();
      return;
    }
    holdResponseUntilCommitted(res, controller, { logger: options.logger });
    res.once('finish', () => void controller.commitAfterResponse());
    await handler(req, res, controller.session);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
