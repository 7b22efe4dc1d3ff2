/**
 * `@session/testkit/http`: the behaviour suite every framework adapter runs (ours and community
 * ones), over real HTTP, plus the request helpers and repository wrappers it is built from. The
 * caller passes `@session/http` and a repository factory (the testkit imports neither, so their
 * own tests can use it); `ioredis` is an optional peer, only for {@link redisStores}.
 */
export { TestBrowser } from './browser.js';
export {
  decodeBase64Id,
  findSetCookie,
  type ParsedSetCookie,
  parseSetCookie,
  type SendOptions,
  send,
  sendRaw,
  type TestResponse,
} from './client.js';
export { LatencyRepository } from './latency-repository.js';
export { listenOnLoopback, type TestCleanup, useTestCleanup } from './listen.js';
export { PlainRepository } from './plain-repository.js';
export { type ReadmeExamples, type ReadmeExamplesOptions, useReadmeExamples } from './readme.js';
export { SpyRepository, type StoreMode } from './spy-repository.js';
export { memoryStore, type RedisRepositoryFactory, redisStores } from './stores.js';
export { quietLogger, RACE_ROUNDS, readBody, runAdapterSuite, STREAM_CHUNKS, waitFor } from './suite.js';
export type {
  AdapterAppOptions,
  AdapterAssertion,
  AdapterCookieOptions,
  AdapterHarness,
  AdapterSessionIdResolver,
  AdapterSessionOptions,
  AdapterSuiteOptions,
  AdapterTestApi,
  HttpLayer,
  ReadableSession,
  ReadBody,
  RepositoryFactory,
  RunningApp,
  StoreContext,
  StoreUnderTest,
} from './types.js';
