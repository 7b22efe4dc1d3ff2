/**
 * `@session/testkit`: the contract suite every session store runs. Redis launchers live in
 * `@session/testkit/redis`.
 */
export { runSessionRepositoryContract } from './contract/run.js';
export type {
  ContractAssertion,
  ContractCapabilities,
  ContractOptions,
  ContractTestApi,
  ContractTestFn,
  RawBackendReads,
  StoreHarness,
} from './contract/types.js';
export { malformedIds, sleep, waitFor } from './contract/util.js';
