/** Medians over rounds, ratios and the issue's targets, shared by the console table and the doc. */
import { type Contender, peersOf, SCENARIOS, type Scenario } from '../http/contenders.js';
import type { Calibration, HttpResults, RoundSample } from '../http/run.js';
import type { BenchResult } from '../types.js';

export interface Aggregate {
  rounds: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
  appCpuUs: number;
  redisCpuUs: number;
  redisCommands: number;
  errors: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function aggregate(samples: RoundSample[]): Aggregate {
  const pick = (f: (s: RoundSample) => number) => median(samples.map(f));
  return {
    rounds: samples.length,
    rps: pick((s) => s.rps),
    rpsMin: Math.min(...samples.map((s) => s.rps)),
    rpsMax: Math.max(...samples.map((s) => s.rps)),
    p50Ms: pick((s) => s.p50Ms),
    p99Ms: pick((s) => s.p99Ms),
    appCpuUs: pick((s) => s.appCpuUs),
    redisCpuUs: pick((s) => s.redisCpuUs),
    redisCommands: pick((s) => s.redisCommands),
    errors: samples.reduce((a, s) => a + s.errors, 0),
  };
}

export function aggregates(http: HttpResults): Map<string, Map<Scenario, Aggregate>> {
  const out = new Map<string, Map<Scenario, Aggregate>>();
  for (const contender of http.contenders) {
    const per = new Map<Scenario, Aggregate>();
    for (const scenario of SCENARIOS) {
      const samples = http.samples[contender.id]?.[scenario];
      if (samples !== undefined && samples.length > 0) per.set(scenario, aggregate(samples));
    }
    out.set(contender.id, per);
  }
  return out;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtRatio = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`;

/** ours ÷ peer for req/s, or undefined when either is missing. */
export function rpsRatio(
  all: Map<string, Map<Scenario, Aggregate>>,
  contender: Contender | undefined,
  peer: Contender | undefined,
  scenario: Scenario,
): number | undefined {
  if (contender === undefined || peer === undefined) return undefined;
  const a = all.get(contender.id)?.get(scenario)?.rps;
  const b = all.get(peer.id)?.get(scenario)?.rps;
  return a === undefined || b === undefined ? undefined : a / b;
}

export function commandsText(calibration: Calibration | undefined): string {
  if (calibration === undefined) return '–';
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([, n]) => n >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(
        ([name, n]) =>
          `${name.toUpperCase()}${Math.abs(n - 1) < 0.05 ? '' : `×${n.toFixed(n % 1 < 0.05 ? 0 : 2)}`}`,
      )
      .join(' ');
  const sent = list(calibration.clientCommands) || 'none';
  const inner = list(calibration.scriptCommands);
  return inner === '' ? sent : `${sent} (in scripts: ${inner})`;
}

/** Header and rows for the console. */
export function httpSummaryRows(http: HttpResults): [string[], string[][]] {
  const all = aggregates(http);
  const rows: string[][] = [];
  for (const scenario of http.options.scenarios) {
    for (const contender of http.contenders) {
      const a = all.get(contender.id)?.get(scenario);
      if (a === undefined) continue;
      const { floor, incumbent } = peersOf(contender, http.contenders);
      const calibration = http.calibration[contender.id]?.[scenario];
      rows.push([
        scenario,
        contender.id,
        fmtInt(a.rps),
        a.p50Ms.toFixed(2),
        a.p99Ms.toFixed(2),
        contender.kind === 'floor' ? '' : fmtRatio(rpsRatio(all, contender, floor, scenario)),
        contender.kind === 'ours' ? fmtRatio(rpsRatio(all, contender, incumbent, scenario)) : '',
        a.appCpuUs.toFixed(0),
        a.redisCpuUs.toFixed(1),
        calibration?.roundTrips.toFixed(2) ?? '–',
      ]);
    }
  }
  return [
    [
      'scenario',
      'contender',
      'req/s',
      'p50 ms',
      'p99 ms',
      '× floor',
      '× incumbent',
      'app µs/req',
      'redis µs/req',
      'round trips',
    ],
    rows,
  ];
}

export interface TargetCheck {
  group: string;
  target: string;
  measured: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

const ROUND_TRIP_TARGETS: Record<Scenario, number> = { anonymous: 0, read: 1, write: 2, login: 1 };

/** The targets of issue 15, checked against this run. */
export function checkTargets(http: HttpResults | undefined, stores: BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (http !== undefined) {
    const all = aggregates(http);
    for (const ours of http.contenders.filter((c) => c.kind === 'ours')) {
      const { floor, incumbent } = peersOf(ours, http.contenders);
      const group = ours.label;
      const ratioCheck = (scenario: Scenario, peer: Contender | undefined, atLeast: number, what: string) => {
        const ratio = rpsRatio(all, ours, peer, scenario);
        checks.push({
          group,
          target: `${scenario} req/s ≥ ${atLeast.toFixed(2)}× ${what}`,
          measured: ratio === undefined ? 'not run' : fmtRatio(ratio),
          met: ratio === undefined ? undefined : ratio >= atLeast,
        });
      };
      ratioCheck('read', incumbent, 1.25, incumbent?.label ?? 'the incumbent');
      ratioCheck('read', floor, 0.9, 'the floor');
      ratioCheck('write', incumbent, 1.1, incumbent?.label ?? 'the incumbent');
      ratioCheck('write', floor, 0.8, 'the floor');
      const mine = all.get(ours.id)?.get('read')?.redisCpuUs;
      const theirs = incumbent === undefined ? undefined : all.get(incumbent.id)?.get('read')?.redisCpuUs;
      checks.push({
        group,
        target: `Redis CPU per read ≤ 2× ${incumbent?.label ?? 'the incumbent'}'s`,
        measured:
          mine === undefined || theirs === undefined
            ? 'not run'
            : `${mine.toFixed(1)} µs vs ${theirs.toFixed(1)} µs (${fmtRatio(mine / theirs)})`,
        met: mine === undefined || theirs === undefined ? undefined : mine <= 2 * theirs,
      });
      for (const scenario of SCENARIOS) {
        const trips = http.calibration[ours.id]?.[scenario]?.roundTrips;
        const want = ROUND_TRIP_TARGETS[scenario];
        checks.push({
          group,
          target: `round trips, ${scenario}: ${want}`,
          measured: trips === undefined ? 'not run' : trips.toFixed(2),
          met: trips === undefined ? undefined : Math.abs(trips - want) < 0.05,
        });
      }
      const footprint = http.footprint[ours.id];
      const limit = ours.variant === 'indexed' ? 700 : 400;
      checks.push({
        group,
        target: `logged-in session ≤ ${limit} B in Redis${ours.variant === 'indexed' ? ' (all keys)' : ''}`,
        measured: footprint === undefined ? 'not run' : `${Math.round(footprint.loggedInBytes)} B`,
        met: footprint === undefined ? undefined : footprint.loggedInBytes <= limit,
      });
    }
  }
  for (const result of stores) {
    if (result.target === undefined || result.ratio === undefined) continue;
    checks.push({
      group: '@session/memory',
      target: result.target.text,
      measured: fmtRatio(result.ratio),
      met: result.ratio >= result.target.ratioAtLeast,
    });
  }
  return checks;
}
