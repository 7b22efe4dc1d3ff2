import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningApp } from './types.js';

/**
 * Starts an app that listens like Node's `http.Server` (an Express app, a Koa app) on a free
 * loopback port; `close()` drops open connections and stops it.
 */
export async function listenOnLoopback(app: {
  listen(port: number, host: string): Server;
}): Promise<RunningApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What {@link useTestCleanup} gives a test file. */
export interface TestCleanup {
  /** Runs `close` after the current test. */
  later(close: () => Promise<unknown> | unknown): void;
  /** {@link listenOnLoopback}, closed after the current test. */
  serve(app: { listen(port: number, host: string): Server }): Promise<RunningApp>;
}

/**
 * Closes what a test started (apps, repositories) after it, through the test framework's
 * `afterEach`: `const cleanup = useTestCleanup({ afterEach })`.
 */
export function useTestCleanup(hooks: {
  afterEach(fn: () => unknown, timeoutMs?: number): unknown;
}): TestCleanup {
  const pending: Array<() => Promise<unknown> | unknown> = [];
  hooks.afterEach(async () => {
    await Promise.all(pending.splice(0).map((close) => close()));
  });
  return {
    later(close) {
      pending.push(close);
    },
    async serve(app) {
      const running = await listenOnLoopback(app);
      pending.push(() => running.close());
      return running;
    },
  };
}
