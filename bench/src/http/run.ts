/**
 * The HTTP benchmark: every contender's server in its own child process, all on one redis-server
 * (each in its own database), loaded by wrk with 50 connections in interleaved rounds.
 *
 * 1. Calibration, one contender at a time with nothing else running: sequential requests through a
 *    round-trip-counting proxy while Redis' MONITOR names the commands; then the bytes a session
 *    leaves in Redis (MEMORY USAGE over every key of the contender's database).
 * 2. Load: in each round every contender's database is emptied and re-seeded with logged-in
 *    sessions, then each scenario runs on every contender in turn (the order rotates per round), so
 *    whatever else loads the machine hits all contenders alike. Medians over rounds are reported.
 */
import { loadavg } from 'node:os';
import { monitorCommands } from '@session/testkit/redis';
import { Redis } from 'ioredis';
import { ROUTES } from './apps/types.js';
import { bundleOurs } from './build.js';
import { type ServerChild, startServerChild } from './children.js';
import { seedSessions, send } from './client.js';
import { CONTENDERS, type Contender, type Scenario } from './contenders.js';
import { type LoadGeneratorName, type LoadResult, runLoad } from './loadgen.js';
import type { HttpBenchOptions } from './options.js';
import {
  commandCalls,
  commandDelta,
  memoryOfDatabase,
  redisCpuSeconds,
  startCountingProxy,
} from './redis-probe.js';

export interface RoundSample {
  round: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** Server process CPU (user + system) per request, µs. */
  appCpuUs: number;
  /** redis-server CPU (used_cpu_sys + used_cpu_user) per request, µs. */
  redisCpuUs: number;
  /** Commands Redis executed per request, scripts' inner commands included (INFO commandstats). */
  redisCommands: number;
  loadBefore: number[];
  loadAfter: number[];
}

export interface Calibration {
  requests: number;
  /** Redis round trips per request (bursts the app sent after Redis last answered). */
  roundTrips: number;
  /** Commands the app sent per request, by name. */
  clientCommands: Record<string, number>;
  /** Commands run inside scripts per request, by name. */
  scriptCommands: Record<string, number>;
}

export interface Footprint {
  sessions: number;
  /** A session holding one attribute and no principal (`POST /write` without a cookie). */
  anonymousBytes: number;
  anonymousKeys: number;
  /** A logged-in session: principal set (`POST /login` without a cookie). */
  loggedInBytes: number;
  loggedInKeys: number;
}

export interface HttpResults {
  options: Omit<HttpBenchOptions, 'contenders' | 'skipped'>;
  loadGenerator: string;
  /** How ours was loaded: bundled like the published build, or from source through tsx. */
  oursFrom: string;
  contenders: Contender[];
  skipped: Contender[];
  samples: Record<string, Partial<Record<Scenario, RoundSample[]>>>;
  calibration: Record<string, Partial<Record<Scenario, Calibration>>>;
  footprint: Record<string, Footprint>;
}

const databaseOf = (contender: Contender) => CONTENDERS.indexOf(contender) + 1;
const namespaceOf = (contender: Contender) => `bench:${contender.id}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const perRequest = (counts: Record<string, number>, requests: number) =>
  Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, n / requests]));
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function flushDatabase(redisUrl: string, db: number): Promise<void> {
  const client = new Redis(redisUrl, { db });
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

async function calibrate(
  contender: Contender,
  redis: { host: string; port: number; url: string },
  options: HttpBenchOptions,
  bundle: string | undefined,
): Promise<{ calibration: Partial<Record<Scenario, Calibration>>; footprint?: Footprint }> {
  const db = databaseOf(contender);
  await flushDatabase(redis.url, db);
  const proxy = await startCountingProxy(redis);
  const child = await startServerChild(contender, {
    redisUrl: `redis://127.0.0.1:${proxy.port}`,
    db,
    namespace: namespaceOf(contender),
    ...(bundle !== undefined ? { bundle } : {}),
  });
  const calibration: Partial<Record<Scenario, Calibration>> = {};
  let footprint: Footprint | undefined;
  const monitor = await monitorCommands(redis);
  try {
    const cookies = await seedSessions(child.port, 20, 1);
    for (const scenario of options.scenarios) {
      const route = ROUTES[scenario];
      const withCookie = scenario === 'read' || scenario === 'write';
      // A few requests first, so one-time work (script loading) is not counted.
      for (let i = 0; i < 5; i++)
        await send(child.port, route.method, route.path, withCookie ? cookies[i] : undefined);
      await sleep(50);
      await monitor.sync();
      const seen = monitor.commands().length;
      const trips = proxy.roundTrips();
      const n = options.calibrationRequests;
      for (let i = 0; i < n; i++) {
        const reply = await send(
          child.port,
          route.method,
          route.path,
          withCookie ? cookies[i % cookies.length] : undefined,
        );
        if (reply.status !== 200)
          throw new Error(`${contender.id} ${scenario}: HTTP ${reply.status} ${reply.body}`);
      }
      // Work a server does after the response (a late commit) belongs to the request too.
      await sleep(100);
      await monitor.sync();
      const upstream = proxy.upstreamAddresses();
      const client: Record<string, number> = {};
      const script: Record<string, number> = {};
      for (const command of monitor.commands().slice(seen)) {
        if (command.fromScript) script[command.name] = (script[command.name] ?? 0) + 1;
        else if (upstream.has(command.source)) client[command.name] = (client[command.name] ?? 0) + 1;
      }
      calibration[scenario] = {
        requests: n,
        roundTrips: (proxy.roundTrips() - trips) / n,
        clientCommands: perRequest(client, n),
        scriptCommands: perRequest(script, n),
      };
    }
    monitor.stop();
    if (contender.kind !== 'floor') {
      const admin = new Redis(redis.url, { db });
      try {
        const sizeAfter = async (route: { method: string; path: string }) => {
          await admin.flushdb();
          const n = options.footprintSessions;
          let next = 0;
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              while (next < n) {
                next++;
                const reply = await send(child.port, route.method, route.path);
                if (reply.status !== 200)
                  throw new Error(`${contender.id} ${route.path}: HTTP ${reply.status}`);
              }
            }),
          );
          await sleep(100);
          return memoryOfDatabase(admin);
        };
        const anonymous = await sizeAfter(ROUTES.write);
        const loggedIn = await sizeAfter(ROUTES.login);
        const n = options.footprintSessions;
        footprint = {
          sessions: n,
          anonymousBytes: anonymous.bytes / n,
          anonymousKeys: anonymous.keys / n,
          loggedInBytes: loggedIn.bytes / n,
          loggedInKeys: loggedIn.keys / n,
        };
        await admin.flushdb();
      } finally {
        admin.disconnect();
      }
    }
  } finally {
    monitor.stop();
    await child.stop();
    await proxy.close();
  }
  return footprint === undefined ? { calibration } : { calibration, footprint };
}

async function measure(
  child: ServerChild,
  admin: Redis,
  generator: LoadGeneratorName,
  scenario: Scenario,
  cookies: string[],
  options: HttpBenchOptions,
  round: number,
): Promise<RoundSample> {
  const route = ROUTES[scenario];
  const withCookie = scenario === 'read' || scenario === 'write';
  const loadBefore = loadavg();
  const commandsBefore = await commandCalls(admin);
  const redisBefore = await redisCpuSeconds(admin);
  const appBefore = (await child.usage()).cpu;
  const result: LoadResult = await runLoad(generator, {
    port: child.port,
    method: route.method,
    path: route.path,
    cookies: withCookie ? cookies : [],
    connections: options.connections,
    durationMs: options.roundMs,
  });
  const appAfter = (await child.usage()).cpu;
  const redisAfter = await redisCpuSeconds(admin);
  const commandsAfter = await commandCalls(admin);
  const loadAfter = loadavg();
  const requests = Math.max(1, result.requests);
  const commands = Object.values(commandDelta(commandsBefore, commandsAfter)).reduce((a, b) => a + b, 0);
  return {
    round,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    requests: result.requests,
    errors: result.errors,
    appCpuUs: (appAfter.user + appAfter.system - appBefore.user - appBefore.system) / requests,
    redisCpuUs: ((redisAfter - redisBefore) * 1e6) / requests,
    redisCommands: commands / requests,
    loadBefore,
    loadAfter,
  };
}

export async function benchHttp(
  options: HttpBenchOptions,
  redis: { host: string; port: number; url: string },
  generator: { name: LoadGeneratorName; version: string },
): Promise<HttpResults> {
  const results: HttpResults = {
    options: {
      rounds: options.rounds,
      roundMs: options.roundMs,
      warmupMs: options.warmupMs,
      connections: options.connections,
      seededSessions: options.seededSessions,
      calibrationRequests: options.calibrationRequests,
      footprintSessions: options.footprintSessions,
      scenarios: options.scenarios,
      complete: options.complete,
    },
    loadGenerator: generator.version,
    oursFrom: '',
    contenders: options.contenders,
    skipped: options.skipped,
    samples: {},
    calibration: {},
    footprint: {},
  };
  for (const skipped of options.skipped) log(`skipping ${skipped.id}: ${skipped.skip}`);
  const bundles = await bundleOurs(options.contenders);
  const bundleOf = (c: Contender) => (c.app === undefined ? undefined : bundles.get(c.app));
  results.oursFrom =
    bundles.size > 0
      ? 'bundled by esbuild from the workspace source like the published build (node20, no keepNames)'
      : 'workspace TypeScript through tsx (BENCH_OURS_FROM=source)';
  log(`ours: ${results.oursFrom}`);

  log(
    `calibration: ${options.calibrationRequests} sequential requests per scenario through a counting proxy`,
  );
  for (const contender of options.contenders) {
    const { calibration, footprint } = await calibrate(contender, redis, options, bundleOf(contender));
    results.calibration[contender.id] = calibration;
    if (footprint !== undefined) results.footprint[contender.id] = footprint;
    const trips = options.scenarios.map((s) => `${s} ${calibration[s]?.roundTrips.toFixed(2)}`).join(', ');
    const bytes = footprint
      ? `; bytes/session ${Math.round(footprint.anonymousBytes)} anonymous, ${Math.round(footprint.loggedInBytes)} logged in`
      : '';
    log(`  ${contender.id}: round trips/request ${trips}${bytes}`);
  }

  const admin = new Redis(redis.url);
  const children = new Map<string, ServerChild>();
  try {
    for (const contender of options.contenders) {
      await flushDatabase(redis.url, databaseOf(contender));
      children.set(
        contender.id,
        await startServerChild(contender, {
          redisUrl: redis.url,
          db: databaseOf(contender),
          namespace: namespaceOf(contender),
          ...(bundleOf(contender) !== undefined ? { bundle: bundleOf(contender) } : {}),
        }),
      );
    }
    const total = options.rounds * options.scenarios.length * options.contenders.length;
    let done = 0;
    for (let round = 1; round <= options.rounds; round++) {
      const cookies = new Map<string, string[]>();
      for (const contender of options.contenders) {
        await flushDatabase(redis.url, databaseOf(contender));
        const child = children.get(contender.id) as ServerChild;
        cookies.set(contender.id, await seedSessions(child.port, options.seededSessions));
      }
      for (const scenario of options.scenarios) {
        const shift = (round - 1) % options.contenders.length;
        const order = [...options.contenders.slice(shift), ...options.contenders.slice(0, shift)];
        for (const contender of order) {
          const child = children.get(contender.id) as ServerChild;
          const sessionCookies = cookies.get(contender.id) as string[];
          if (round === 1 && options.warmupMs > 0) {
            const route = ROUTES[scenario];
            await runLoad(generator.name, {
              port: child.port,
              method: route.method,
              path: route.path,
              cookies: scenario === 'read' || scenario === 'write' ? sessionCookies : [],
              connections: options.connections,
              durationMs: options.warmupMs,
            });
            await sleep(200);
          }
          const sample = await measure(
            child,
            admin,
            generator.name,
            scenario,
            sessionCookies,
            options,
            round,
          );
          done++;
          const perContender = results.samples[contender.id] ?? {};
          results.samples[contender.id] = perContender;
          perContender[scenario] = [...(perContender[scenario] ?? []), sample];
          log(
            `[${done}/${total}] round ${round} ${scenario.padEnd(9)} ${contender.id.padEnd(20)} ` +
              `${Math.round(sample.rps).toString().padStart(6)} req/s  p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  ` +
              `app ${sample.appCpuUs.toFixed(0)} µs/req  redis ${sample.redisCpuUs.toFixed(1)} µs/req  ` +
              `${sample.redisCommands.toFixed(2)} cmds/req  errors ${sample.errors}  ` +
              `load ${fmtLoad(sample.loadBefore)} → ${fmtLoad(sample.loadAfter)}`,
          );
          if (sample.errors > 0) log(`  warning: ${sample.errors} failed requests`);
          await sleep(300);
        }
      }
    }
  } finally {
    await Promise.all([...children.values()].map((child) => child.stop()));
    admin.disconnect();
  }
  return results;
}
