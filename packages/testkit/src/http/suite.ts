import { cookieFlowCases } from './cases/cookie-flow.js';
import { cookieOptionCases } from './cases/cookie-options.js';
import { headerFlowCases } from './cases/header-flow.js';
import { loginAndLogoutCases } from './cases/login-and-logout.js';
import { malformedIdCases } from './cases/malformed-ids.js';
import { perStoreCases } from './cases/per-store.js';
import { responseKindCases } from './cases/response-kinds.js';
import { storeDownCases } from './cases/store-down.js';
import { memoryStore } from './stores.js';
import { createSuiteContext } from './suite-context.js';
import type { AdapterSuiteOptions } from './types.js';

export { quietLogger, RACE_ROUNDS, readBody, STREAM_CHUNKS, waitFor } from './helpers.js';

/**
 * Registers the adapter behaviour suite with the caller's test framework: every case runs over
 * real HTTP (`fetch` and `http.request`) against an app the harness starts on a loopback port.
 *
 * ```ts
 * import * as http from '@session/http';
 * import { MemorySessionRepository } from '@session/memory';
 * import { runAdapterSuite } from '@session/testkit/http';
 * import { afterAll, afterEach, describe, expect, it } from 'vitest';
 *
 * runAdapterSuite({
 *   harness: { name: 'my framework', start: (options) => startMyApp(options) },
 *   test: { describe, it, expect, afterEach, afterAll },
 *   http,
 *   createRepository: () => new MemorySessionRepository(),
 * });
 * ```
 *
 * The harness app mounts the adapter with `options.session` (under `options.mountPath` when set)
 * and serves these routes with the framework's own idioms:
 *
 * | route | does |
 * | --- | --- |
 * | GET /anon | answers `anon`, never touches the session |
 * | GET /read | JSON {@link ReadBody} of the session (see {@link readBody}) |
 * | POST /set?name&value | sets one attribute, JSON `{ id }` |
 * | POST /login?user | `setPrincipal(user)`, JSON `{ id }` |
 * | POST /login-keep-id?user | `setPrincipal(user, { rotateId: false })`, JSON `{ id }` |
 * | POST /rotate | `changeSessionId()`, JSON `{ id }` (the new id) |
 * | POST /logout | `await invalidate()`, answers `bye` |
 * | POST /logout-flash | `await invalidate()`, then sets `flash` = `logged out`, answers `bye` |
 * | POST /remember | sets `remember` = `yes`, `rememberMe()`, answers `ok` |
 * | POST /save-early | sets `early` = `1`, `await save()`, answers `ok` |
 * | GET /redirect | sets `via` = `redirect`, 302 to `/read` |
 * | GET /stream | sets `via` = `stream`, streams {@link STREAM_CHUNKS} chunks `chunk-<i>\n` |
 * | GET /raw | sets `via` = `raw`, writes `a`, `b`, `c` at the framework's lowest level (the Node response, a raw Web `Response`) |
 * | GET /json | sets `via` = `json`, JSON `{ "ok": true }` |
 * | GET /late | sets `before` = `1`, sends `x`, sets `after` = `2` on a later tick, ends with `y` |
 * | GET /error | sets `via` = `error`, throws; the app's error handler answers |
 * | GET /error-unhandled | sets `via` = `error-unhandled`, throws to the framework's default handler |
 *
 * The app's error handler answers the error's `status` (default 500) with JSON
 * `{ "error": code ?? "internal" }`, except for `/error-unhandled` (and every route when
 * `defaultErrorHandler` is set), which the framework's default handling answers.
 *
 * Cases: the cookie flow (nothing stored or looked up for anonymous requests, Spring-style base64
 * cookies, several cookies), login/rotation/logout (fixation), response kinds (the session is
 * saved before the headers leave: redirects, JSON, raw writes, streams, errors), the header flow
 * and composite resolvers, every cookie option asserted on `Set-Cookie` (rolling expiry of a
 * `Max-Age` cookie on reading requests, signed values and secret rotation, `Priority`,
 * `saveUninitialized`), malformed ids with zero store lookups, a store that fails or hangs (503
 * and recovery; with `whenStoreUnavailable: 'continue'` the request runs without a session and
 * nothing is written), and per store: 50 concurrent
 * writes with no lost update, races of a login with a write, a login and a logout
 * ({@link RACE_ROUNDS} rounds each; they need a store with save outcomes and `movedRecently`),
 * round trips per request, and a real backend outage.
 */
export function runAdapterSuite(options: AdapterSuiteOptions): void {
  const { harness, test } = options;
  if (typeof harness?.start !== 'function')
    throw new TypeError('runAdapterSuite needs a harness with start()');
  if (typeof test?.it !== 'function' || typeof test.describe !== 'function') {
    throw new TypeError(
      'runAdapterSuite needs the test functions (describe, it, expect, afterEach, afterAll)',
    );
  }
  if (typeof options.createRepository !== 'function') {
    throw new TypeError('runAdapterSuite needs createRepository, e.g. () => new MemorySessionRepository()');
  }
  if (typeof options.http?.HeaderSessionIdResolver !== 'function') {
    throw new TypeError(
      "runAdapterSuite needs http: the @session/http module (import * as http from '@session/http')",
    );
  }
  const { createRepository, http } = options;
  const stores = options.stores ?? [memoryStore(createRepository)];
  const timeoutMs = options.timeoutMs ?? 30_000;
  test.describe(`${harness.name} adapter`, () => {
    const ctx = createSuiteContext(harness, test, http, createRepository, timeoutMs);
    cookieFlowCases(ctx);
    loginAndLogoutCases(ctx);
    responseKindCases(ctx);
    headerFlowCases(ctx);
    cookieOptionCases(ctx);
    malformedIdCases(ctx);
    storeDownCases(ctx);
    for (const store of stores) perStoreCases(ctx, store);
  });
}
