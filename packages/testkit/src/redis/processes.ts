import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Temp dirs of launched servers start with this; the orphan reaper looks for it. */
const TEMP_PREFIX = 'session-testkit-redis-';
const OWNER_FILE = 'owner.json';

/** A redis-server child process started by the launchers. */
export interface ManagedProcess {
  readonly pid: number;
  readonly port: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** True until the process exits. */
  readonly running: boolean;
  /** The last few kB the process printed (for error messages). */
  output(): string;
  /** SIGKILLs the process and waits for it to exit. */
  kill(): Promise<void>;
}

const liveChildren = new Map<number, ChildProcess>();
const liveDirs = new Set<string>();
let hooksInstalled = false;
let orphansReaped = false;

/** Kills every child and removes every temp dir, synchronously (safe inside an 'exit' handler). */
function cleanupNow(): void {
  for (const [pid] of liveChildren) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupNow();
  // Keep the signal's default meaning (terminate) unless someone else handles it.
  process.removeListener(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Children must not outlive the test process: clean up on exit and on termination signals. */
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by its parent) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function isRedisProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/**
 * Removes what an earlier test process left behind when it died without running its exit hooks
 * (SIGKILL, OOM): its redis-server children and temp dirs. Only dirs whose owner is dead are touched.
 */
function reapOrphans(): void {
  if (orphansReaped) return;
  orphansReaped = true;
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(tmpdir(), name);
    try {
      const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as {
        ownerPid: number;
        children: number[];
      };
      if (isAlive(owner.ownerPid)) continue;
      for (const pid of owner.children) {
        if (isAlive(pid) && isRedisProcess(pid)) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // No readable owner file: a dir being set up right now, or not ours to judge.
    }
  }
}

/** A temp dir for one server or cluster, removed on exit. */
export function makeTempDir(): string {
  installHooks();
  reapOrphans();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  liveDirs.add(dir);
  writeOwner(dir, []);
  return dir;
}

function writeOwner(dir: string, children: number[]): void {
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ ownerPid: process.pid, children }));
}

/** Removes a temp dir made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
  liveDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Finds an executable on PATH (or checks an absolute path); `undefined` when absent. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

const OUTPUT_LIMIT = 8192;

/** Spawns `binary args…` in `dir`, registered for cleanup; records the pid in the dir's owner file. */
export function spawnServer(binary: string, args: string[], dir: string, port: number): ManagedProcess {
  installHooks();
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let running = child.pid !== undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running = false;
      if (child.pid !== undefined) liveChildren.delete(child.pid);
      resolve();
    });
    child.once('error', (err) => {
      running = false;
      output += `\n${String(err)}`;
      resolve();
    });
  });
  // The test process may exit while servers run; the exit hook kills them.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const pid = child.pid ?? -1;
  if (pid > 0) {
    liveChildren.set(pid, child);
    const owned = [...liveChildren.keys()];
    try {
      writeOwner(dir, owned);
    } catch {
      // best effort: only used to reap orphans
    }
  }
  return {
    pid,
    port,
    exited,
    get running() {
      return running;
    },
    output: () => output,
    async kill() {
      // Waiting for the exit must keep the event loop alive (the child is unref'd otherwise).
      child.ref();
      if (running && pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}
