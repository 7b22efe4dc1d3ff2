/** Starting and talking to contender server processes (see server-child.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender } from './contenders.js';

const here = dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = join(here, '../..');

export interface CpuUsage {
  user: number;
  system: number;
}

export interface ServerChild {
  readonly contender: Contender;
  readonly port: number;
  readonly pid: number;
  /** CPU time the server process used so far (µs, all its threads), from process.cpuUsage in the child. */
  usage(): Promise<{ cpu: CpuUsage; rss: number; heapUsed: number }>;
  /** The child's CLOCK_MONOTONIC in µs (the clock of `--cpu-prof` sample times). */
  mark(): Promise<number>;
  /** Starts or stops allocation sampling (children started with BENCH_HEAP_PROFILE_OUT). */
  heap(action: 'start' | 'stop'): Promise<void>;
  /** Asks the child to close and exit; resolves when it has. */
  stop(): Promise<void>;
}

export interface StartChildOptions {
  redisUrl: string;
  db: number;
  namespace: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** A prebuilt bundle of the contender's app (see build.ts), as a file URL. */
  bundle?: string;
  env?: Record<string, string>;
}

export async function startServerChild(
  contender: Contender,
  options: StartChildOptions,
): Promise<ServerChild> {
  if (contender.app === undefined) throw new Error(`${contender.id} has no app`);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--conditions=dev-source',
      '--import',
      'tsx',
      ...(options.nodeFlags ?? []),
      join(here, 'server-child.ts'),
    ],
    {
      cwd: BENCH_DIR,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BENCH_APP: contender.app,
        BENCH_VARIANT: contender.variant ?? '',
        BENCH_REDIS_URL: options.redisUrl,
        BENCH_REDIS_DB: String(options.db),
        BENCH_NAMESPACE: options.namespace,
        BENCH_APP_BUNDLE: options.bundle ?? '',
        ...options.env,
      },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${contender.id} did not start within 30 s`)), 30_000);
    child.on('message', function onReady(message: { type?: string; port?: number }) {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve(message.port as number);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${contender.id} exited with code ${code} before listening`));
    });
  });
  let seq = 0;
  /** Sends `{ type, seq }` and resolves with the child's reply carrying the same seq. */
  const ask = <T>(type: string, replyType: string): Promise<T> => {
    const mine = ++seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${contender.id} did not answer ${type}`)), 30_000);
      child.on('message', function onReply(message: { type?: string; seq?: number }) {
        if (message.type !== replyType || message.seq !== mine) return;
        clearTimeout(timer);
        child.off('message', onReply);
        resolve(message as T);
      });
      child.send({ type, seq: mine });
    });
  };
  return {
    contender,
    port,
    pid: child.pid as number,
    async usage() {
      const reply = await ask<{ cpu: CpuUsage; rss: number; heapUsed: number }>('usage', 'usage');
      return { cpu: reply.cpu, rss: reply.rss, heapUsed: reply.heapUsed };
    },
    async mark() {
      return Number((await ask<{ monotonicUs: string }>('mark', 'mark')).monotonicUs);
    },
    async heap(action) {
      const reply = await ask<{ error?: string }>(`heap-${action}`, 'heap');
      if (reply.error !== undefined) throw new Error(reply.error);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
