/**
 * The load generator: wrk (C, one thread, little CPU) when it is on PATH, else autocannon (Node).
 * Either runs in its own process, never in a server's. BENCH_LOADGEN=wrk|autocannon forces one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LoadRequest {
  port: number;
  method: string;
  path: string;
  /** Cookie headers, used round-robin (one per request); empty: no cookie. */
  cookies: string[];
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses, socket errors and timeouts. */
  errors: number;
}

export type LoadGeneratorName = 'wrk' | 'autocannon';

export function pickLoadGenerator(): { name: LoadGeneratorName; version: string } {
  const forced = process.env.BENCH_LOADGEN;
  if (forced !== undefined && forced !== 'wrk' && forced !== 'autocannon') {
    throw new Error(`BENCH_LOADGEN must be wrk or autocannon, got ${forced}`);
  }
  if (forced !== 'autocannon') {
    const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    if (probe.error === undefined) {
      const version = /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? '?';
      return { name: 'wrk', version: `wrk ${version}` };
    }
    if (forced === 'wrk') throw new Error('BENCH_LOADGEN=wrk but wrk is not on PATH (apt-get install wrk)');
  }
  return { name: 'autocannon', version: 'autocannon (Node, in its own process)' };
}

const WRK_SCRIPT = `
local cookies = {}
local method = os.getenv("BENCH_METHOD")
local path = os.getenv("BENCH_PATH")
local cookieFile = os.getenv("BENCH_COOKIES") or ""
local n = 0
function init(args)
  if cookieFile ~= "" then
    for line in io.lines(cookieFile) do cookies[#cookies + 1] = line end
  end
  if #cookies > 0 then n = math.random(#cookies) end
end
function request()
  if #cookies == 0 then return wrk.format(method, path) end
  n = n % #cookies + 1
  return wrk.format(method, path, { Cookie = cookies[n] })
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function runWrk(load: LoadRequest): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'session-bench-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, WRK_SCRIPT);
  let cookieFile = '';
  if (load.cookies.length > 0) {
    cookieFile = join(dir, 'cookies.txt');
    writeFileSync(cookieFile, `${load.cookies.join('\n')}\n`);
  }
  const seconds = Math.max(1, Math.round(load.durationMs / 1000));
  return new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${load.connections}`,
        `-d${seconds}s`,
        '--timeout',
        '10s',
        '-s',
        script,
        `http://127.0.0.1:${load.port}${load.path}`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, BENCH_METHOD: load.method, BENCH_PATH: load.path, BENCH_COOKIES: cookieFile },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk failed (exit ${code}):\n${out}`));
        return;
      }
      const r = JSON.parse(line.slice('WRKJSON '.length)) as {
        requests: number;
        duration_us: number;
        errors: number;
        p50_us: number;
        p99_us: number;
      };
      const durationSec = r.duration_us / 1e6;
      resolve({
        requests: r.requests,
        durationSec,
        rps: r.requests / durationSec,
        p50Ms: r.p50_us / 1000,
        p99Ms: r.p99_us / 1000,
        errors: r.errors,
      });
    });
  });
}

/** autocannon in a child process (`node -e`), so the generator never shares a server's process. */
function runAutocannon(load: LoadRequest): Promise<LoadResult> {
  const program = `
    const autocannon = require('autocannon');
    const cookies = ${JSON.stringify(load.cookies)};
    let n = Math.floor(Math.random() * Math.max(1, cookies.length));
    autocannon({
      url: 'http://127.0.0.1:${load.port}${load.path}',
      method: ${JSON.stringify(load.method)},
      connections: ${load.connections},
      duration: ${load.durationMs / 1000},
      requests: [{ setupRequest(req) {
        if (cookies.length > 0) { n = (n + 1) % cookies.length; req.headers = { ...req.headers, cookie: cookies[n] }; }
        return req;
      } }],
    }, (err, r) => {
      if (err) { console.error(err); process.exit(1); }
      process.stdout.write('ACJSON ' + JSON.stringify({ requests: r.requests.total, duration: r.duration,
        errors: r.errors + r.timeouts + r.non2xx, p50: r.latency.p50, p99: r.latency.p99 }) + '\\n');
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', program], {
      cwd: BENCH_DIR,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('ACJSON '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`autocannon failed (exit ${code}):\n${out}`));
        return;
      }
      const r = JSON.parse(line.slice('ACJSON '.length)) as {
        requests: number;
        duration: number;
        errors: number;
        p50: number;
        p99: number;
      };
      resolve({
        requests: r.requests,
        durationSec: r.duration,
        rps: r.requests / r.duration,
        p50Ms: r.p50,
        p99Ms: r.p99,
        errors: r.errors,
      });
    });
  });
}

export function runLoad(generator: LoadGeneratorName, load: LoadRequest): Promise<LoadResult> {
  return generator === 'wrk' ? runWrk(load) : runAutocannon(load);
}
