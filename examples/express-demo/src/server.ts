/**
 * The demo's entry point (`pnpm start` at the repository root).
 *
 *   pnpm start                                         # in-memory store on http://localhost:3000
 *   PORT=8080 pnpm start
 *   SESSION_STORE=redis://127.0.0.1:6379 pnpm start    # same code, sessions in Redis
 *   HONO_PORT=off pnpm start                           # without the Hono copy of the REST API
 *
 * Next to the Express app, the same REST API is served by Hono on HONO_PORT (default PORT + 1000),
 * on the same repository: a token or cookie from one works on the other.
 */
import { createRepositoryFromConfig } from '@session/core';
import { createDemo, type Demo } from './app.js';
import { createHonoApi, type HonoApiServer, listenHonoApi } from './hono-api.js';

/** The store URL without its password, for logs and the page. */
function redactStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // An unparseable URL may still hold a password; show only its scheme.
    return `${/^[a-z][\w+.-]*:/i.exec(url)?.[0] ?? 'store'}//(hidden)`;
  }
}

const storeUrl = process.env.SESSION_STORE ?? 'memory:';
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}
const honoSetting = process.env.HONO_PORT ?? (port === 0 ? '0' : String(port + 1000));
const honoPort = honoSetting === 'off' ? undefined : Number(honoSetting);
if (honoPort !== undefined && (!Number.isInteger(honoPort) || honoPort < 0 || honoPort > 65535)) {
  console.error(`HONO_PORT must be a port number or "off", got "${process.env.HONO_PORT}"`);
  process.exit(1);
}

// How long a graceful stop may take before the process gives up on open work and exits.
const STOP_TIMEOUT_MS = 10_000;

let repository: Awaited<ReturnType<typeof createRepositoryFromConfig>> | undefined;
let demo: Demo | undefined;
let honoApi: HonoApiServer | undefined;
let stopping = false;

/**
 * Ctrl-C, `kill` and a closed terminal all end the demo the same way: stop taking requests, close
 * the sockets and the store, exit 0. `pnpm start` passes the signal on to this process (its scripts
 * run without an `sh -c` in between, see pnpm-workspace.yaml), so it reports success too. Signals
 * that arrive while stopping (pnpm may forward one more) are ignored, never fatal.
 */
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  const force = setTimeout(() => {
    console.error(`still shutting down after ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  force.unref();
  try {
    await demo?.close();
    await honoApi?.close();
    await repository?.close?.();
  } catch (err) {
    console.error('shutting down failed', err);
    process.exit(1);
  }
  process.exit(0);
}
// Installed before anything else: a signal during startup, or right after the "listening" line
// (which a supervisor may wait for), must find them.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

repository = await createRepositoryFromConfig(storeUrl);
demo = createDemo({ repository, storeLabel: redactStoreUrl(storeUrl) });
const url = await demo.listen(port, process.env.HOST);
const { indexed, events } = repository.capabilities;
console.log(
  `@session demo listening on ${url}  (store: ${redactStoreUrl(storeUrl)}, indexed: ${indexed}, events: ${events})`,
);
if (honoPort !== undefined) {
  honoApi = await listenHonoApi(createHonoApi({ repository }), honoPort, process.env.HOST);
  console.log(
    `the same REST API, served by Hono on ${honoApi.url}/api (sessions shared with the Express app)`,
  );
}
