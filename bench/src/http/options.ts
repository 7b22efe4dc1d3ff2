/** HTTP benchmark settings, from the environment (and `--quick`). */
import { CONTENDERS, type Contender, SCENARIOS, type Scenario } from './contenders.js';

export interface HttpBenchOptions {
  rounds: number;
  roundMs: number;
  warmupMs: number;
  connections: number;
  /** Logged-in sessions seeded per contender for the read and write scenarios. */
  seededSessions: number;
  /** Sequential requests per scenario in the calibration pass (round trips, commands). */
  calibrationRequests: number;
  /** Sessions created per kind for the bytes-per-session figures. */
  footprintSessions: number;
  contenders: Contender[];
  skipped: Contender[];
  scenarios: Scenario[];
  /** True when every contender and scenario runs (what docs/benchmarks.md is written from). */
  complete: boolean;
}

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

function listFromEnv(name: string): string[] | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * BENCH_ROUNDS (5), BENCH_ROUND_MS (10000), BENCH_WARMUP_MS (3000), BENCH_CONNECTIONS (50),
 * BENCH_CONTENDERS (ids or frameworks, comma-separated, e.g. `express` or `koa-ours,koa-session`),
 * BENCH_SCENARIOS (e.g. `read,write`). `quick` lowers the defaults to 2 rounds of 3 s.
 */
export function httpOptions(quick: boolean): HttpBenchOptions {
  const wanted = listFromEnv('BENCH_CONTENDERS');
  const known = new Set(CONTENDERS.flatMap((c) => [c.id, c.framework]));
  for (const name of wanted ?? []) {
    if (!known.has(name))
      throw new Error(`BENCH_CONTENDERS: unknown ${name} (known: ${[...known].join(', ')})`);
  }
  const selected = CONTENDERS.filter(
    (c) => wanted === undefined || wanted.includes(c.id) || wanted.includes(c.framework),
  );
  const scenarios = (listFromEnv('BENCH_SCENARIOS') ?? [...SCENARIOS]) as Scenario[];
  for (const s of scenarios) {
    if (!SCENARIOS.includes(s))
      throw new Error(`BENCH_SCENARIOS: unknown ${s} (known: ${SCENARIOS.join(', ')})`);
  }
  const options: HttpBenchOptions = {
    rounds: intFromEnv('BENCH_ROUNDS', quick ? 2 : 5, 1),
    roundMs: intFromEnv('BENCH_ROUND_MS', quick ? 3000 : 10_000, 1000),
    warmupMs: intFromEnv('BENCH_WARMUP_MS', quick ? 1000 : 3000, 0),
    connections: intFromEnv('BENCH_CONNECTIONS', 50, 1),
    seededSessions: intFromEnv('BENCH_SEEDED_SESSIONS', 1000, 1),
    calibrationRequests: intFromEnv('BENCH_CALIBRATION_REQUESTS', quick ? 100 : 200, 10),
    footprintSessions: intFromEnv('BENCH_FOOTPRINT_SESSIONS', 1000, 10),
    contenders: selected.filter((c) => c.skip === undefined),
    skipped: selected.filter((c) => c.skip !== undefined),
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    complete: wanted === undefined && scenarios.length === SCENARIOS.length,
  };
  return options;
}
