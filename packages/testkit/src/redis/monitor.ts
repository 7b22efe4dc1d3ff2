import { randomBytes } from 'node:crypto';
import { connectNode, monitorNode, withTimeout } from './client.js';

/** One command as Redis' MONITOR reported it. */
export interface MonitoredCommand {
  /** Lower-case command name, e.g. `evalsha`. */
  readonly name: string;
  readonly args: readonly string[];
  /** `host:port` of the client connection, or `lua` for commands run inside a script. */
  readonly source: string;
  /** True for commands a script ran (they cost no round trip of their own). */
  readonly fromScript: boolean;
}

/** Watches every command one Redis server executes (MONITOR), to count round trips from Redis itself. */
export interface CommandMonitor {
  /** Commands seen so far, oldest first. */
  commands(): readonly MonitoredCommand[];
  /** Resolves once every command the server executed before this call has been seen. */
  sync(): Promise<void>;
  /**
   * Runs `fn` and returns the commands clients sent while it ran (script internals left out).
   * Other clients of the server count too: use it where nothing else talks to the server.
   */
  during(fn: () => Promise<unknown>): Promise<MonitoredCommand[]>;
  stop(): void;
}

/** Undoes MONITOR's quoting: `"a\"b"` → `a"b`, `\xNN` → the byte. */
function unquote(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, esc: string) => {
    if (esc.startsWith('x') && esc.length === 3)
      return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' } as Record<string, string>)[esc] ?? esc;
  });
}

/** Parses `1700000000.123456 [0 127.0.0.1:5000] "get" "key"`. */
export function parseMonitorLine(line: string): MonitoredCommand | undefined {
  const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  const source = match[1] as string;
  // MONITOR escapes every byte outside printable ASCII as \xNN: rebuild the bytes, then read UTF-8.
  const words = [...(match[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) =>
    Buffer.from(unquote(m[1] as string), 'latin1').toString('utf8'),
  );
  const [name = '', ...args] = words;
  return { name: name.toLowerCase(), args, source, fromScript: source === 'lua' };
}

/** Starts a MONITOR connection on `node`. */
export async function monitorCommands(node: { host: string; port: number }): Promise<CommandMonitor> {
  const seen: MonitoredCommand[] = [];
  const waiters = new Map<string, () => void>();
  const token = `__monitor_sync_${randomBytes(4).toString('hex')}_`;
  const onLine = (line: string) => {
    const command = parseMonitorLine(line);
    if (command === undefined) return;
    if (command.name === 'echo' && command.args[0]?.startsWith(token)) {
      waiters.get(command.args[0])?.();
      return;
    }
    seen.push(command);
  };
  const monitor = await monitorNode(node.host, node.port, onLine);
  let control: Awaited<ReturnType<typeof connectNode>>;
  try {
    control = await connectNode(node.host, node.port);
  } catch (err) {
    monitor.stop();
    throw err;
  }
  let syncs = 0;
  const sync = async () => {
    const mark = `${token}${syncs++}`;
    const arrived = new Promise<void>((resolve) => waiters.set(mark, resolve));
    await control.call('ECHO', mark);
    await withTimeout(arrived, 5000, 'MONITOR sync');
    waiters.delete(mark);
  };
  return {
    commands: () => seen,
    sync,
    async during(fn) {
      await sync();
      const start = seen.length;
      await fn();
      await sync();
      return seen.slice(start).filter((c) => !c.fromScript);
    },
    stop() {
      monitor.stop();
      control.disconnect();
    },
  };
}
