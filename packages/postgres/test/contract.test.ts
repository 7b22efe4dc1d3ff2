import { runSessionRepositoryContract } from '@session/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresHarness } from './support/harness.js';
import { type PostgresTestServer, startPostgres } from './support/postgres-server.js';

let server: PostgresTestServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

runSessionRepositoryContract({
  name: 'PostgresSessionRepository on a real PostgreSQL server',
  test: { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach },
  capabilities: { indexed: true, events: true, touchesOnRead: true },
  // Expiry is exact to the millisecond (EXPIRY_TIME), the harness sweeps every 50 ms.
  expiry: { minIntervalMs: 200, eventWithinMs: 1500 },
  createHarness: postgresHarness(() => server.url),
});
