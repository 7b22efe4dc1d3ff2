import { parseInfo, runCommand } from './client.js';

/** Per-command call counts of one server, from `INFO commandstats` (`{ evalsha: 12, get: 3 }`). */
export async function readCommandStats(node: {
  host: string;
  port: number;
}): Promise<Record<string, number>> {
  const info = parseInfo(String(await runCommand(node.host, node.port, ['INFO', 'commandstats'])));
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(info)) {
    if (!key.startsWith('cmdstat_')) continue;
    const calls = /(?:^|,)calls=(\d+)/.exec(value);
    if (calls) out[key.slice('cmdstat_'.length)] = Number(calls[1]);
  }
  return out;
}

/**
 * Commands a server executed while `fn` ran, by name, counted by Redis itself (INFO commandstats
 * deltas). The INFO calls this makes are left out. Other clients of the same server count too,
 * so use it on a server nothing else talks to meanwhile.
 */
export async function countCommands(
  node: { host: string; port: number },
  fn: () => Promise<unknown>,
): Promise<{ total: number; byCommand: Record<string, number> }> {
  const before = await readCommandStats(node);
  await fn();
  const after = await readCommandStats(node);
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    // The INFO that produced `before` is counted in `after`.
    const delta = calls - (before[name] ?? 0) - (name === 'info' ? 1 : 0);
    if (delta > 0) {
      byCommand[name] = delta;
      total += delta;
    }
  }
  return { total, byCommand };
}
