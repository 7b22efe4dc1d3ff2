import type { Session, SessionRepository } from '@session/core';
import { decodeBase64Id, findSetCookie, send } from './client.js';
import { quietLogger } from './helpers.js';
import { SpyRepository } from './spy-repository.js';
import type {
  AdapterAppOptions,
  AdapterAssertion,
  AdapterHarness,
  AdapterSessionOptions,
  AdapterTestApi,
  HttpLayer,
  ReadBody,
  RepositoryFactory,
  RunningApp,
} from './types.js';

/** What every group of adapter cases is given: the test functions, the harness and the app helpers. */
export interface AdapterSuiteContext {
  readonly harness: AdapterHarness;
  /** `@session/http`'s resolver classes, as the caller passed them. */
  readonly http: HttpLayer;
  readonly describe: AdapterTestApi['describe'];
  /** Registers one case with the suite's timeout. */
  readonly it: (name: string, fn: () => Promise<void>) => void;
  readonly expect: (actual: unknown, message?: string) => AdapterAssertion;
  readonly afterAll: AdapterTestApi['afterAll'];
  /** Apps started by the cases; each is closed after its case. */
  readonly running: RunningApp[];
  /**
   * Starts the harness app on a fresh repository (the suite's `createRepository`) behind a
   * {@link SpyRepository}, so a case can count lookups and saves or simulate an outage.
   */
  start(
    options?: Omit<AdapterAppOptions, 'session'> & { session?: Partial<AdapterSessionOptions> },
  ): Promise<{ url: string; spy: SpyRepository<Session>; memory: SessionRepository<Session> }>;
  /** Creates a stored session with one attribute (`seed` = `1`) and returns its cookie header and id. */
  createSession(
    url: string,
    cookieName?: string,
  ): Promise<{ cookie: string; value: string; id: string; body: { id: string } }>;
  /** `GET /read`, expecting 200. */
  read(
    url: string,
    cookie?: string,
    headers?: Record<string, string>,
  ): Promise<{ res: Awaited<ReturnType<typeof send>>; body: ReadBody }>;
}

/**
 * Builds the context of one suite run and registers the `afterEach` that closes what its cases
 * started. Call inside the suite's top-level `describe`.
 */
export function createSuiteContext(
  harness: AdapterHarness,
  test: AdapterTestApi,
  http: HttpLayer,
  createRepository: RepositoryFactory,
  timeoutMs: number,
): AdapterSuiteContext {
  const { expect } = test;
  const running: RunningApp[] = [];
  const repositories: SessionRepository<Session>[] = [];

  test.afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    await Promise.all(repositories.splice(0).map((repository) => repository.close?.()));
  });

  return {
    harness,
    http,
    describe: (name, fn) => test.describe(name, fn),
    it: (name, fn) => {
      test.it(name, fn, timeoutMs);
    },
    expect: (actual, message) => test.expect(actual, message),
    afterAll: (fn, ms) => test.afterAll(fn, ms),
    running,
    async start(options = {}) {
      const memory = await createRepository();
      repositories.push(memory);
      const spy = new SpyRepository<Session>(memory);
      const app = await harness.start({
        ...options,
        session: { repository: spy, logger: quietLogger, ...options.session },
      });
      running.push(app);
      return { url: app.url, spy, memory };
    },
    async createSession(url, cookieName = 'SESSION') {
      const res = await send(`${url}/set?name=seed&value=1`, { method: 'POST' });
      expect(res.status).toBe(200);
      const cookie = findSetCookie(res.setCookies, cookieName);
      expect(cookie).toBeDefined();
      const value = cookie?.value ?? '';
      return {
        cookie: `${cookieName}=${value}`,
        value,
        id: decodeBase64Id(value),
        body: JSON.parse(res.body),
      };
    },
    async read(url, cookie, headers) {
      const res = await send(`${url}/read`, { cookie, headers });
      expect(res.status).toBe(200);
      return { res, body: JSON.parse(res.body) as ReadBody };
    },
  };
}
