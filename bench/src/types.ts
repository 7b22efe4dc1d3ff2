/** One line of `pnpm bench` output. */
export interface BenchResult {
  /** What was measured, e.g. "memory: create+save". */
  name: string;
  /** Throughput, when the result is a rate. */
  opsPerSec?: number;
  /** A non-rate measurement (bytes, ms…), with its unit. */
  value?: number;
  unit?: string;
  /** The named peer this result is compared against, e.g. "raw ioredis HGETALL+HSET". */
  peer?: string;
  /** Ours divided by the peer's (for rates: >1 is faster than the peer; for sizes: >1 is bigger). */
  ratio?: number;
  /** A goal this result is held to (from issue 15), checked against `ratio`. */
  target?: { ratioAtLeast: number; text: string };
}
