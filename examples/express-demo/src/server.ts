/**
 * The demo's entry point (`pnpm start` at the repository root).
 *
 *   pnpm start                                         # in-memory store on http://localhost:3000
 *   PORT=8080 pnpm start
 *   SESSION_STORE=redis://127.0.0.1:6379 pnpm start    # same code, sessions in Redis
 */
import { createRepositoryFromConfig } from '@session/core';
import { createDemo } from './app.js';

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

const repository = await createRepositoryFromConfig(storeUrl);
const demo = createDemo({ repository, storeLabel: redactStoreUrl(storeUrl) });
const url = await demo.listen(port, process.env.HOST);
const { indexed, events } = repository.capabilities;
console.log(
  `@session demo listening on ${url}  (store: ${redactStoreUrl(storeUrl)}, indexed: ${indexed}, events: ${events})`,
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  await demo.close();
  await repository.close?.();
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
