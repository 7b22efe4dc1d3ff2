/**
 * `pnpm bench`: the store benchmarks (memory, redis) and the HTTP benchmark against the incumbents,
 * then docs/benchmarks.md and its chart. Nothing here is asserted (speed never gates tests).
 *
 *   pnpm bench                       everything; writes docs/benchmarks.md + docs/benchmarks.{svg,png}
 *   pnpm bench http                  only the HTTP benchmark (prints; --docs writes the doc anyway)
 *   pnpm bench http --quick          2 rounds of 3 s instead of 5 of 10 s
 *   pnpm bench memory redis          only the store benchmarks
 *   pnpm bench profile               CPU and allocation profiles of the request path (bench/.profiles)
 *
 * Environment: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS, BENCH_CONNECTIONS,
 * BENCH_CONTENDERS (ids or frameworks, e.g. `express` or `koa-ours,koa-session`),
 * BENCH_SCENARIOS (`anonymous,read,write,login`), BENCH_LOADGEN (`wrk` | `autocannon`).
 */
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { pickLoadGenerator } from './http/loadgen.js';
import { httpOptions } from './http/options.js';
import type { HttpResults } from './http/run.js';
import { describeMachine, type Machine } from './report/machine.js';
import type { BenchResult } from './types.js';

const SUITES = ['memory', 'redis', 'http', 'profile'] as const;
type SuiteName = (typeof SUITES)[number];

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
for (const flag of flags) {
  if (!['--quick', '--docs', '--no-docs'].includes(flag))
    throw new Error(`unknown flag ${flag} (--quick, --docs, --no-docs)`);
}
const named = args.filter((a) => !a.startsWith('--'));
for (const name of named) {
  if (!SUITES.includes(name as SuiteName)) throw new Error(`unknown suite ${name} (${SUITES.join(', ')})`);
}
const selected: SuiteName[] = named.length > 0 ? (named as SuiteName[]) : ['memory', 'redis', 'http'];
const quick = flags.has('--quick');

function format(result: BenchResult): string[] {
  const measured =
    result.opsPerSec !== undefined
      ? `${Math.round(result.opsPerSec).toLocaleString('en-US')} ops/s`
      : `${result.value?.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${result.unit ?? ''}`;
  const ratio = result.ratio !== undefined ? `${result.ratio.toFixed(2)}×` : '';
  return [result.name, measured.trim(), result.peer ?? '', ratio];
}

function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export interface AllResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: Machine;
  memory?: BenchResult[];
  redis?: BenchResult[];
  http?: HttpResults;
}

async function importSuite(suite: 'memory' | 'redis'): Promise<unknown> {
  if (process.env.BENCH_OURS_FROM === 'source') {
    return suite === 'memory' ? import('./memory.js') : import('./redis.js');
  }
  const { bundleLikePublished } = await import('./http/build.js');
  const entry = fileURLToPath(new URL(`./${suite}.ts`, import.meta.url));
  return import(await bundleLikePublished(entry, `suite-${suite}`));
}

const startedAt = new Date().toISOString();
const loadAtStart = (await import('node:os')).loadavg();
const results: Partial<AllResults> = { startedAt };
let failed = false;

for (const suite of selected.filter((s) => s === 'memory' || s === 'redis')) {
  process.stderr.write(`running ${suite} benchmarks…\n`);
  try {
    // Ours runs from a bundle built like the published packages (no tsx `__name()` wrappers).
    const module = await importSuite(suite);
    if (suite === 'memory') results.memory = await (module as typeof import('./memory.js')).benchMemory();
    else results.redis = await (module as typeof import('./redis.js')).benchRedis();
  } catch (err) {
    failed = true;
    console.error(`${suite} benchmarks failed:`, err);
  }
}

let redisVersion = 'unknown';
if (selected.includes('http') || selected.includes('profile')) {
  const server = await startRedisServer({ useEnv: false });
  try {
    const probe = new Redis(server.url);
    redisVersion = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? 'unknown';
    probe.disconnect();
    const generator = pickLoadGenerator();
    if (selected.includes('http')) {
      process.stderr.write(
        `running http benchmarks (load: ${generator.version}, redis-server ${redisVersion})…\n`,
      );
      const { benchHttp } = await import('./http/run.js');
      results.http = await benchHttp(httpOptions(quick), server, generator);
    }
    if (selected.includes('profile')) {
      const { benchProfile, profileOptions } = await import('./http/profile.js');
      console.log(await benchProfile(profileOptions(), server, generator));
    }
  } catch (err) {
    failed = true;
    console.error('http benchmarks failed:', err);
  } finally {
    await server.stop();
  }
}

const machine = describeMachine({ redisVersion, loadAtStart, loadGenerator: results.http?.loadGenerator });
const all: AllResults = {
  ...(results as AllResults),
  finishedAt: new Date().toISOString(),
  command: reproduceCommand(),
  machine,
};

const storeRows = [...(all.memory ?? []), ...(all.redis ?? [])].map(format);
if (storeRows.length > 0) {
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}\n`);
  printTable(['benchmark', 'result', 'peer', 'ratio vs peer'], storeRows);
}
if (all.http !== undefined) {
  const { httpSummaryRows } = await import('./report/summary.js');
  console.log('');
  printTable(...httpSummaryRows(all.http));
}

const everything =
  selected.includes('memory') && selected.includes('redis') && all.http?.options.complete === true;
const writeDocs = !failed && !flags.has('--no-docs') && (flags.has('--docs') || (everything && !quick));
if (all.http !== undefined || storeRows.length > 0) {
  const { writeResultsJson } = await import('./report/markdown.js');
  const file = writeResultsJson(all);
  process.stderr.write(`raw results: ${file}\n`);
}
if (writeDocs) {
  const { writeBenchmarksDoc } = await import('./report/markdown.js');
  const written = await writeBenchmarksDoc(all);
  process.stderr.write(`wrote ${written.join(', ')}\n`);
}
if (failed) process.exitCode = 1;

/** The command line that reproduces this run, environment settings included. */
function reproduceCommand(): string {
  const env = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return [...env, 'pnpm bench', ...args].join(' ');
}
