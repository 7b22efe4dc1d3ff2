/**
 * Who runs in the HTTP benchmark. Each contender is one app (see `apps/`) served from its own child
 * process; `skip` (none at the moment) keeps a slot in the list with the reason it does not run yet.
 */
export type Framework = 'express' | 'koa' | 'fastify';
export type ContenderKind = 'floor' | 'incumbent' | 'ours';

export interface Contender {
  /** Stable id, used in BENCH_CONTENDERS and in file names. */
  id: string;
  /** Name in tables and charts. */
  label: string;
  framework: Framework;
  kind: ContenderKind;
  /** Module under `apps/` exporting `create: AppFactory`. */
  app?: string;
  /** Passed to the app (`default` or `indexed` for ours). */
  variant?: string;
  /** Why this contender does not run (it is listed, and the reason printed). */
  skip?: string;
}

export const CONTENDERS: Contender[] = [
  {
    id: 'express-floor',
    label: 'Express floor (HGETALL)',
    framework: 'express',
    kind: 'floor',
    app: 'express-floor',
  },
  {
    id: 'express-session',
    label: 'express-session + connect-redis',
    framework: 'express',
    kind: 'incumbent',
    app: 'express-session',
  },
  {
    id: 'express-ours',
    label: '@session/express + Redis default',
    framework: 'express',
    kind: 'ours',
    app: 'express-ours',
    variant: 'default',
  },
  {
    id: 'express-ours-indexed',
    label: '@session/express + Redis indexed',
    framework: 'express',
    kind: 'ours',
    app: 'express-ours',
    variant: 'indexed',
  },
  { id: 'koa-floor', label: 'Koa floor (HGETALL)', framework: 'koa', kind: 'floor', app: 'koa-floor' },
  {
    id: 'koa-session',
    label: 'koa-session + Redis store',
    framework: 'koa',
    kind: 'incumbent',
    app: 'koa-session',
  },
  {
    id: 'koa-ours',
    label: '@session/koa + Redis default',
    framework: 'koa',
    kind: 'ours',
    app: 'koa-ours',
    variant: 'default',
  },
  {
    id: 'koa-ours-indexed',
    label: '@session/koa + Redis indexed',
    framework: 'koa',
    kind: 'ours',
    app: 'koa-ours',
    variant: 'indexed',
  },
  {
    id: 'fastify-floor',
    label: 'Fastify floor (HGETALL)',
    framework: 'fastify',
    kind: 'floor',
    app: 'fastify-floor',
  },
  {
    id: 'fastify-session',
    label: '@fastify/session + connect-redis',
    framework: 'fastify',
    kind: 'incumbent',
    app: 'fastify-session',
  },
  {
    id: 'fastify-ours',
    label: '@session/fastify + Redis default',
    framework: 'fastify',
    kind: 'ours',
    app: 'fastify-ours',
    variant: 'default',
  },
  {
    id: 'fastify-ours-indexed',
    label: '@session/fastify + Redis indexed',
    framework: 'fastify',
    kind: 'ours',
    app: 'fastify-ours',
    variant: 'indexed',
  },
];

export const SCENARIOS = ['anonymous', 'read', 'write', 'login'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The floor and the incumbent a contender is compared with (same framework). */
export function peersOf(
  contender: Contender,
  all: Contender[],
): { floor?: Contender; incumbent?: Contender } {
  const same = all.filter((c) => c.framework === contender.framework);
  return { floor: same.find((c) => c.kind === 'floor'), incumbent: same.find((c) => c.kind === 'incumbent') };
}
