/**
 * `pnpm --filter @session/bench docs [results.json]`: rewrites docs/benchmarks.md and its chart from
 * the raw results of an earlier run (default: bench/.results/last.json), e.g. after a change to the
 * report itself. The numbers are the run's; nothing is measured again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from '../http/children.js';
import type { AllResults } from '../main.js';
import { writeBenchmarksDoc } from './markdown.js';

const file = process.argv[2] ?? join(BENCH_DIR, '.results/last.json');
const results = JSON.parse(readFileSync(file, 'utf8')) as AllResults;
const written = await writeBenchmarksDoc(results);
process.stderr.write(`wrote ${written.join(', ')} from ${file}\n`);
