/**
 * `pnpm bench`: throughput and memory of the stores, each against a named peer where one exists.
 * Results are printed as a table; nothing here is asserted (speed never gates tests).
 */
import type { BenchResult } from './types.js';

type Suite = { name: string; load: () => Promise<() => Promise<BenchResult[]>> };

const suites: Suite[] = [
  { name: 'memory', load: async () => (await import('./memory.js')).benchMemory },
  { name: 'redis', load: async () => (await import('./redis.js')).benchRedis },
];

const selected = process.argv.slice(2);

function format(result: BenchResult): string[] {
  const measured =
    result.opsPerSec !== undefined
      ? `${Math.round(result.opsPerSec).toLocaleString('en-US')} ops/s`
      : `${result.value?.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${result.unit ?? ''}`;
  const ratio = result.ratio !== undefined ? `${result.ratio.toFixed(2)}×` : '';
  return [result.name, measured.trim(), result.peer ?? '', ratio];
}

function printTable(rows: string[][]): void {
  const header = ['benchmark', 'result', 'peer', 'ratio vs peer'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

const rows: string[][] = [];
let failed = false;
for (const suite of suites) {
  if (selected.length > 0 && !selected.includes(suite.name)) continue;
  process.stderr.write(`running ${suite.name} benchmarks…\n`);
  try {
    const run = await suite.load();
    for (const result of await run()) rows.push(format(result));
  } catch (err) {
    failed = true;
    console.error(`${suite.name} benchmarks failed:`, err);
  }
}
console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}\n`);
printTable(rows);
if (failed) process.exitCode = 1;
