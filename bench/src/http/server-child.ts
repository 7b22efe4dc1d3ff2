/**
 * One contender's HTTP server, in its own process so its CPU time is its own (the load generator
 * and the orchestrator run elsewhere). Started by `children.ts`; talks over the IPC channel:
 *
 * - sends `{ type: 'ready', port }` once listening on 127.0.0.1;
 * - answers `{ type: 'usage', seq }` with `{ type: 'usage', seq, cpu, rss }` (process.cpuUsage);
 * - on `{ type: 'stop' }` closes the server and the store and exits (which writes a `--cpu-prof`
 *   profile when profiling), after writing the source maps of the TypeScript it ran when
 *   BENCH_SOURCEMAP_OUT is set, so profile positions can be mapped back to source lines.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { findSourceMap } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppFactory } from './apps/types.js';

const appName = process.env.BENCH_APP;
if (!appName || !/^[a-z-]+$/.test(appName)) throw new Error('BENCH_APP must name a module in apps/');
// Ours comes prebuilt (build.ts) unless BENCH_OURS_FROM=source; the others run from apps/.
const bundle = process.env.BENCH_APP_BUNDLE;
const { create } = (await import(bundle ? bundle : `./apps/${appName}.js`)) as { create: AppFactory };
const app = await create({
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  db: Number(process.env.BENCH_REDIS_DB ?? 0),
  namespace: process.env.BENCH_NAMESPACE ?? 'bench',
  variant: process.env.BENCH_VARIANT,
});

// Every contender, Fastify included, on a server of the same settings: Fastify apps hand over the
// handler Fastify's own server would run (`fastifyListener` in apps/types.ts).
const server = createServer(app.listener);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.send?.({ type: 'ready', port: address.port });
});

function typeScriptFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) typeScriptFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Source maps tsx produced for the workspace TypeScript this process loaded. */
function dumpSourceMaps(file: string): void {
  const root = resolve(fileURLToPath(import.meta.url), '../../../..');
  const maps: Record<string, unknown> = {};
  if (bundle) {
    const map = findSourceMap(bundle);
    if (map !== undefined) maps[bundle] = map.payload;
  }
  for (const dir of ['packages', 'bench/src']) {
    for (const path of typeScriptFiles(join(root, dir))) {
      const url = pathToFileURL(path).href;
      const map = findSourceMap(url);
      if (map !== undefined) maps[url] = map.payload;
    }
  }
  writeFileSync(file, JSON.stringify(maps));
}

/**
 * Allocation sampling (BENCH_HEAP_PROFILE_OUT): V8's sampling heap profiler, keeping objects that
 * were collected too, so short-lived per-request garbage shows up. Started and stopped over IPC.
 */
let heapSession: import('node:inspector/promises').Session | undefined;
async function heapSampling(action: 'start' | 'stop'): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  if (action === 'start') {
    heapSession = new Session();
    heapSession.connect();
    await heapSession.post('HeapProfiler.enable');
    await heapSession.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
    return;
  }
  if (heapSession === undefined) return;
  const { profile } = (await heapSession.post('HeapProfiler.stopSampling')) as { profile: unknown };
  writeFileSync(process.env.BENCH_HEAP_PROFILE_OUT as string, JSON.stringify(profile));
  heapSession.disconnect();
  heapSession = undefined;
}

let stopping = false;
process.on('message', (message: { type: string; seq?: number }) => {
  if (message.type === 'usage') {
    // With --expose-gc (leak checks), heapUsed is measured after a full collection.
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send?.({ type: 'usage', seq: message.seq, cpu: process.cpuUsage(), rss, heapUsed });
  } else if (message.type === 'mark') {
    // CLOCK_MONOTONIC in µs: the clock V8's CPU profiler stamps its samples with.
    process.send?.({
      type: 'mark',
      seq: message.seq,
      monotonicUs: (process.hrtime.bigint() / 1000n).toString(),
    });
  } else if (
    (message.type === 'heap-start' || message.type === 'heap-stop') &&
    process.env.BENCH_HEAP_PROFILE_OUT
  ) {
    void heapSampling(message.type === 'heap-start' ? 'start' : 'stop').then(
      () => process.send?.({ type: 'heap', seq: message.seq }),
      (err: unknown) => {
        console.error('heap sampling failed', err);
        process.send?.({ type: 'heap', seq: message.seq, error: String(err) });
      },
    );
  } else if (message.type === 'stop' && !stopping) {
    stopping = true;
    server.closeAllConnections();
    server.close();
    void app
      .close()
      .catch((err: unknown) => console.error('closing the app failed', err))
      .finally(() => {
        const out = process.env.BENCH_SOURCEMAP_OUT;
        if (out) dumpSourceMaps(out);
        process.exit(0);
      });
  }
});
// The orchestrator went away: do not linger.
process.on('disconnect', () => process.exit(0));
