/**
 * `pnpm bench profile`: where a request's time and allocations go, ours next to the floor.
 *
 * For each contender (default: the floors and ours with the default repository, on Express, Koa
 * and Fastify) and scenario (default: read), the server child runs once under `node --cpu-prof`
 * and once with V8's sampling heap profiler (collected objects included), each under wrk load.
 * Samples are cut to the measured window, positions mapped back to TypeScript lines through the
 * source maps tsx produced, and summarised per request into bench/.profiles/summary.md (raw
 * .cpuprofile and .heapprofile files beside it, for Chrome DevTools or speedscope).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from './apps/types.js';
import { bundleOurs } from './build.js';
import { BENCH_DIR, startServerChild } from './children.js';
import { seedSessions } from './client.js';
import { CONTENDERS, type Contender, SCENARIOS, type Scenario } from './contenders.js';
import { type LoadGeneratorName, runLoad } from './loadgen.js';

const ROOT = join(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, '.profiles');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

export interface ProfileOptions {
  contenders: Contender[];
  scenarios: Scenario[];
  durationMs: number;
  connections: number;
}

type Maps = Map<string, SourceMap>;

function loadMaps(file: string): Maps {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
  return new Map(Object.entries(raw).map(([url, payload]) => [url, new SourceMap(payload as never)]));
}

/** `packages/http/src/request-session.ts:312` for a generated position (0-based line and column). */
function where(frame: CallFrame, maps: Maps, line = frame.lineNumber, column = frame.columnNumber): string {
  if (frame.url === '') return '';
  const map = maps.get(frame.url);
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let shownLine = line + 1;
  if (map !== undefined) {
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
      file = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : entry.originalSource;
      shownLine = entry.originalLine + 1;
    }
  }
  const short = file.includes('node_modules/.pnpm/')
    ? file.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    : file.startsWith(ROOT)
      ? relative(ROOT, file)
      : file;
  return `${short}:${shownLine}`;
}

/** Who a function belongs to, from its (source-mapped) location. */
function category(frame: CallFrame, location: string): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return 'native';
  }
  const ours = /^packages\/([^/]+)\//.exec(location);
  if (ours) return `ours: @session/${ours[1]}`;
  if (location.startsWith('bench/')) return 'bench app';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  return pkg ?? 'other';
}

interface Row {
  name: string;
  location: string;
  category: string;
  selfUs: number;
  hotLine?: string;
}

/** Self time per function over samples inside [fromUs, toUs]. */
function cpuRows(
  profile: CpuProfile,
  maps: Maps,
  fromUs: number,
  toUs: number,
): { rows: Row[]; totalUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    // A sample's weight is the time until the next sample.
    const weight = profile.timeDeltas[i + 1] ?? delta;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + weight);
    totalUs += weight;
  }
  const grouped = new Map<string, Row>();
  for (const [id, us] of self) {
    const node = byId.get(id) as CpuNode;
    const frame = node.callFrame;
    const location = where(frame, maps);
    const key = `${frame.functionName}@${location}`;
    const row = grouped.get(key) ?? {
      name: frame.functionName || '(anonymous)',
      location,
      category: category(frame, location),
      selfUs: 0,
    };
    row.selfUs += us;
    const ticks = [...(node.positionTicks ?? [])].sort((a, b) => b.ticks - a.ticks)[0];
    // Line ticks carry no column: useless on a one-line script (tsx's output), so only for real lines.
    const multiLine = frame.lineNumber > 0 || frame.columnNumber === 0;
    if (ticks !== undefined && multiLine && row.hotLine === undefined) {
      row.hotLine = where(frame, maps, ticks.line - 1, 0);
    }
    grouped.set(key, row);
  }
  return { rows: [...grouped.values()].sort((a, b) => b.selfUs - a.selfUs), totalUs };
}

function heapRows(root: HeapNode, maps: Maps): { rows: Row[]; totalBytes: number } {
  const grouped = new Map<string, Row>();
  let totalBytes = 0;
  const walk = (node: HeapNode) => {
    if (node.selfSize > 0) {
      const location = where(node.callFrame, maps);
      const key = `${node.callFrame.functionName}@${location}`;
      const row = grouped.get(key) ?? {
        name: node.callFrame.functionName || '(anonymous)',
        location,
        category: category(node.callFrame, location),
        selfUs: 0,
      };
      row.selfUs += node.selfSize;
      grouped.set(key, row);
      totalBytes += node.selfSize;
    }
    for (const child of node.children) walk(child);
  };
  walk(root);
  return { rows: [...grouped.values()].sort((a, b) => b.selfUs - a.selfUs), totalBytes };
}

function sumBy(rows: Row[]): [string, number][] {
  const out = new Map<string, number>();
  for (const row of rows) out.set(row.category, (out.get(row.category) ?? 0) + row.selfUs);
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

async function profileOne(
  contender: Contender,
  scenario: Scenario,
  redisUrl: string,
  generator: LoadGeneratorName,
  options: ProfileOptions,
  db: number,
  bundle: string | undefined,
): Promise<string> {
  const name = `${contender.id}-${scenario}`;
  const route = ROUTES[scenario];
  const withCookie = scenario === 'read' || scenario === 'write';
  const load = (port: number, cookies: string[], durationMs: number) =>
    runLoad(generator, {
      port,
      method: route.method,
      path: route.path,
      cookies: withCookie ? cookies : [],
      connections: options.connections,
      durationMs,
    });
  const common = {
    redisUrl,
    db,
    namespace: `profile:${contender.id}`,
    ...(bundle !== undefined ? { bundle } : {}),
  };

  // CPU: the whole process runs under --cpu-prof; samples outside the measured window are cut.
  // Node writes one profile per thread (tsx's loader hooks run on a worker): the main thread's is `.0.`.
  const mapsFile = join(OUT, `${name}.sourcemaps.json`);
  const cpuDir = join(OUT, `${name}.cpu`);
  const cpuChild = await startServerChild(contender, {
    ...common,
    nodeFlags: ['--enable-source-maps', '--cpu-prof', `--cpu-prof-dir=${cpuDir}`, '--cpu-prof-interval=200'],
    env: { BENCH_SOURCEMAP_OUT: mapsFile },
  });
  const cookies = await seedSessions(cpuChild.port, 1000);
  await load(cpuChild.port, cookies, 2000);
  const from = await cpuChild.mark();
  const cpuUsage0 = (await cpuChild.usage()).cpu;
  const cpuLoad = await load(cpuChild.port, cookies, options.durationMs);
  const cpuUsage1 = (await cpuChild.usage()).cpu;
  const to = await cpuChild.mark();
  await cpuChild.stop();
  const maps = loadMaps(mapsFile);
  const mainThread = readdirSync(cpuDir).find((file) =>
    /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(file),
  );
  if (mainThread === undefined)
    throw new Error(`no main-thread profile in ${cpuDir}: ${readdirSync(cpuDir).join(', ')}`);
  const cpuFile = join(OUT, `${name}.cpuprofile`);
  renameSync(join(cpuDir, mainThread), cpuFile);
  rmSync(cpuDir, { recursive: true, force: true });
  const cpu = cpuRows(JSON.parse(readFileSync(cpuFile, 'utf8')) as CpuProfile, maps, from, to);
  const requests = cpuLoad.requests;
  const appCpuUs = (cpuUsage1.user + cpuUsage1.system - cpuUsage0.user - cpuUsage0.system) / requests;

  // Allocations: a second run with the sampling heap profiler on during the measured window.
  const heapFile = join(OUT, `${name}.heapprofile`);
  const heapChild = await startServerChild(contender, {
    ...common,
    env: { BENCH_HEAP_PROFILE_OUT: heapFile },
  });
  const heapCookies = await seedSessions(heapChild.port, 1000);
  await load(heapChild.port, heapCookies, 2000);
  await heapChild.heap('start');
  const heapLoad = await load(heapChild.port, heapCookies, Math.min(options.durationMs, 5000));
  await heapChild.heap('stop');
  await heapChild.stop();
  const heapProfile = JSON.parse(readFileSync(heapFile, 'utf8')) as { head: HeapNode };
  const heap = heapRows(heapProfile.head, maps);

  const perReq = (us: number) => (us / requests).toFixed(2);
  const busy = cpu.rows.filter((r) => r.category !== 'idle');
  const busyUs = busy.reduce((a, r) => a + r.selfUs, 0);
  const lines: string[] = [];
  lines.push(`## ${contender.label}: ${scenario}`, '');
  lines.push(
    `${requests} requests in ${(options.durationMs / 1000).toFixed(0)} s (${Math.round(cpuLoad.rps)} req/s under the profiler, ` +
      `p50 ${cpuLoad.p50Ms.toFixed(2)} ms); process CPU ${appCpuUs.toFixed(1)} µs/request; ` +
      `profiled busy time ${perReq(busyUs)} µs/request. Allocations (sampled, collected objects included): ` +
      `${Math.round(heap.totalBytes / heapLoad.requests)} B/request over ${heapLoad.requests} requests.`,
    '',
  );
  lines.push('Self time by area (µs/request):', '');
  lines.push('| area | µs/request | share of busy |', '| --- | ---: | ---: |');
  for (const [area, us] of sumBy(busy)) {
    lines.push(`| ${area} | ${perReq(us)} | ${((100 * us) / busyUs).toFixed(1)}% |`);
  }
  lines.push('', 'Top self-time functions (all code):', '');
  lines.push('| function | where | area | µs/request | share |', '| --- | --- | --- | ---: | ---: |');
  for (const row of busy.slice(0, 25)) {
    lines.push(
      `| ${row.name} | ${row.location} | ${row.category} | ${perReq(row.selfUs)} | ${((100 * row.selfUs) / busyUs).toFixed(1)}% |`,
    );
  }
  const ours = busy.filter((r) => r.category.startsWith('ours') || r.category === 'bench app');
  if (ours.length > 0) {
    lines.push('', 'Top self-time functions in @session/* (hottest line in parentheses):', '');
    lines.push('| function | where | µs/request | share |', '| --- | --- | ---: | ---: |');
    for (const row of ours.slice(0, 25)) {
      const hot =
        row.hotLine !== undefined && row.hotLine !== row.location
          ? ` (${row.hotLine.replace(/^.*:/, 'line ')})`
          : '';
      lines.push(
        `| ${row.name} | ${row.location}${hot} | ${perReq(row.selfUs)} | ${((100 * row.selfUs) / busyUs).toFixed(1)}% |`,
      );
    }
  }
  const heapPerReq = (bytes: number) => (bytes / heapLoad.requests).toFixed(0);
  lines.push('', 'Allocation sites (bytes/request, sampled):', '');
  lines.push('| function | where | area | B/request |', '| --- | --- | --- | ---: |');
  for (const row of heap.rows.slice(0, 25)) {
    lines.push(`| ${row.name} | ${row.location} | ${row.category} | ${heapPerReq(row.selfUs)} |`);
  }
  lines.push('', 'Allocations by area (B/request):', '');
  lines.push('| area | B/request |', '| --- | ---: |');
  for (const [area, bytes] of sumBy(heap.rows)) lines.push(`| ${area} | ${heapPerReq(bytes)} |`);
  lines.push('');
  return lines.join('\n');
}

export async function benchProfile(
  options: ProfileOptions,
  redis: { url: string },
  generator: { name: LoadGeneratorName; version: string },
): Promise<string> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const sections: string[] = [
    '# Profile of the request path',
    '',
    `Generated by \`pnpm bench profile\` (${new Date().toISOString()}), load by ${generator.version}, ` +
      `${options.connections} connections. Times are self time per request inside the measured window; ` +
      'file:line is the TypeScript source line of the function (mapped through the source maps of the bundle ' +
      'or of tsx). Ours runs bundled like the published build (see build.ts).',
    '',
  ];
  const bundles = await bundleOurs(options.contenders);
  for (const scenario of options.scenarios) {
    for (const contender of options.contenders) {
      process.stderr.write(`profiling ${contender.id} ${scenario}…\n`);
      sections.push(
        await profileOne(
          contender,
          scenario,
          redis.url,
          generator.name,
          options,
          CONTENDERS.indexOf(contender) + 1,
          contender.app === undefined ? undefined : bundles.get(contender.app),
        ),
      );
    }
  }
  const text = sections.join('\n');
  writeFileSync(join(OUT, 'summary.md'), text);
  return text;
}

/** Default: the floors and ours (default repository) on Express, Koa and Fastify, read scenario. */
const DEFAULT_CONTENDERS = [
  'express-floor',
  'express-ours',
  'koa-floor',
  'koa-ours',
  'fastify-floor',
  'fastify-ours',
];

export function profileOptions(): ProfileOptions {
  const wanted = process.env.BENCH_CONTENDERS?.split(',').map((s) => s.trim());
  const contenders = CONTENDERS.filter((c) =>
    wanted === undefined
      ? DEFAULT_CONTENDERS.includes(c.id)
      : c.skip === undefined && (wanted.includes(c.id) || wanted.includes(c.framework)),
  );
  const scenarios = (process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()) ?? ['read']) as Scenario[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
  return {
    contenders,
    scenarios,
    durationMs: Number(process.env.BENCH_ROUND_MS ?? 10_000),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  };
}
