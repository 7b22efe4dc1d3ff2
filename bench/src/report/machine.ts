/** What machine a run happened on, for the report. */
import { cpus, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  redisServer: string;
  loadGenerator?: string;
  loadAtStart: number[];
  loadAtEnd: number[];
}

export function describeMachine(input: {
  redisVersion: string;
  loadAtStart: number[];
  loadGenerator?: string;
}): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()} (${process.platform}/${process.arch})`,
    node: process.version,
    redisServer: input.redisVersion,
    ...(input.loadGenerator !== undefined ? { loadGenerator: input.loadGenerator } : {}),
    loadAtStart: input.loadAtStart,
    loadAtEnd: loadavg(),
  };
}
