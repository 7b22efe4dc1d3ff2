/** docs/benchmarks.md, written from a run's results (and the raw results as JSON). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BENCH_DIR } from '../http/children.js';
import { type Contender, peersOf, SCENARIOS } from '../http/contenders.js';
import type { AllResults } from '../main.js';
import type { BenchResult } from '../types.js';
import { renderChart } from './chart.js';
import { aggregates, checkTargets, commandsText, fmtInt, fmtRatio, rpsRatio } from './summary.js';

const ROOT = join(BENCH_DIR, '..');
const DOCS = join(ROOT, 'docs');

/** Raw results of the last run, for digging (bench/.results/, not committed). */
export function writeResultsJson(results: AllResults): string {
  const dir = join(BENCH_DIR, '.results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  writeFileSync(join(dir, 'last.json'), JSON.stringify(results, null, 2));
  return relative(process.cwd(), file);
}

const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? '✅ met' : '❌ not met');

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function storeTable(results: BenchResult[]): string {
  return table(
    ['benchmark', 'result', 'peer', 'ratio vs peer', 'target'],
    results.map((r) => [
      r.name.replace(/^(memory|redis): /, ''),
      r.opsPerSec !== undefined
        ? `${fmtInt(r.opsPerSec)} ops/s`
        : `${r.value?.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${r.unit ?? ''}`,
      r.peer ?? '',
      fmtRatio(r.ratio),
      r.target === undefined || r.ratio === undefined
        ? ''
        : `${r.target.text}: ${mark(r.ratio >= r.target.ratioAtLeast)}`,
    ]),
    ['l', 'r', 'l', 'r', 'l'],
  );
}

export async function writeBenchmarksDoc(results: AllResults): Promise<string[]> {
  const written: string[] = [];
  const http = results.http;
  const m = results.machine;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `> Written by \`pnpm bench\` from the run of ${results.startedAt} to ${results.finishedAt}; rerun it rather than editing this file.`,
    '',
  );
  out.push(
    'Throughput, latency, CPU and Redis cost of a session layer, measured over HTTP against the incumbents ' +
      '(express-session + connect-redis, koa-session with a Redis store, @fastify/session + connect-redis) and ' +
      'against a floor that does one Redis round trip per request and no session work; plus the stores on their ' +
      'own (issue 15).',
    '',
  );

  out.push('## Machine', '');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.cpuModel}, ${m.cores} cores`],
        ['memory', `${m.memoryGiB} GiB`],
        ['OS', m.os],
        ['Node.js', m.node],
        [
          'redis-server',
          `${m.redisServer} (default settings, no persistence; one server shared by every contender)`,
        ],
        ['load generator', m.loadGenerator ?? '–'],
        [
          'load average (1/5/15 min)',
          `${m.loadAtStart.map((x) => x.toFixed(2)).join(' / ')} at the start, ${m.loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at the end`,
        ],
      ],
    ),
    '',
  );
  out.push(
    'The machine is shared (other work runs on its 2 cores), so absolute numbers move between runs; the contenders ' +
      'run interleaved, each round visiting every contender, so that load hits them alike, and the tables show medians. ' +
      'The load average before and after every measurement is in the log at the end.',
    '',
  );

  out.push('## Reproduce', '');
  out.push(
    '`pnpm bench` runs every suite (memory, redis, HTTP: about an hour with the defaults) and rewrites this file ' +
      'and its chart; partial runs print their tables and write nothing unless given `--docs`.',
    '',
  );
  out.push('```sh');
  out.push(
    'apt-get install -y redis-server wrk   # wrk is optional: without it autocannon generates the load',
  );
  out.push('pnpm install');
  out.push(`${results.command}   # the command of this run`);
  out.push('pnpm bench http --quick              # HTTP only, 2 rounds of 3 s (prints, writes nothing)');
  out.push('BENCH_CONTENDERS=express BENCH_SCENARIOS=read,write BENCH_ROUNDS=3 pnpm bench http');
  out.push('pnpm bench memory redis              # the store benchmarks only');
  out.push(
    'pnpm bench profile                   # CPU and allocation profiles of the request path (bench/.profiles/)',
  );
  out.push('```', '');
  out.push(
    'Settings: `BENCH_ROUNDS`, `BENCH_ROUND_MS`, `BENCH_WARMUP_MS`, `BENCH_CONNECTIONS`, `BENCH_CONTENDERS` ' +
      '(contender ids or `express`/`koa`/`fastify`), `BENCH_SCENARIOS`, `BENCH_LOADGEN` (`wrk`/`autocannon`); `--docs` writes this ' +
      'file from a partial run, `--no-docs` never does. Raw results of every run go to `bench/.results/`.',
    '',
  );

  const checks = checkTargets(http, results.memory ?? []);
  out.push('## Targets (issue 15)', '');
  const met = checks.filter((c) => c.met === true).length;
  const notMet = checks.filter((c) => c.met === false).length;
  out.push(`${met} met, ${notMet} not met.`, '');
  out.push(
    table(
      ['who', 'target', 'measured', ''],
      checks.map((c) => [c.group, c.target, c.measured, mark(c.met)]),
    ),
    '',
  );

  if (http !== undefined) {
    const all = aggregates(http);
    const o = http.options;
    out.push('## HTTP', '');
    out.push(
      `${o.connections} connections, ${o.rounds} rounds of ${o.roundMs / 1000} s per contender and scenario after a ` +
        `${o.warmupMs / 1000} s warm-up, interleaved (every round visits every contender, in an order that rotates), ` +
        `${o.seededSessions} logged-in sessions per contender for read and write. Each server runs in its own Node ` +
        `process; the load generator in another. Ours: ${http.oursFrom}.`,
      '',
    );
    const chart = await renderChart(http);
    writeFileSync(join(DOCS, 'benchmarks.svg'), chart.svg);
    writeFileSync(join(DOCS, 'benchmarks.png'), chart.png);
    written.push('docs/benchmarks.svg', 'docs/benchmarks.png');
    out.push('![Requests per second and CPU per request of every contender](benchmarks.png)', '');
    out.push('(Vector version: [benchmarks.svg](benchmarks.svg).)', '');

    out.push('### Contenders', '');
    out.push(
      table(
        ['contender', 'what it is'],
        [
          ...http.contenders.map((c) => [`${c.label} (\`${c.id}\`)`, describe(c)]),
          ...http.skipped.map((c) => [`${c.label} (\`${c.id}\`)`, `not run: ${c.skip}`]),
        ],
      ),
      '',
    );
    out.push('### Scenarios', '');
    out.push(
      table(
        ['scenario', 'request'],
        [
          ['anonymous', '`GET /anon` without a cookie; the handler does not touch the session.'],
          [
            'read',
            '`GET /read` with a logged-in session cookie; the handler reads the user (one attribute).',
          ],
          [
            'write',
            '`POST /write` with a logged-in session cookie; the handler sets one attribute (`lastPage`, a new value each time).',
          ],
          [
            'login',
            '`POST /login` without a cookie; ours: `req.session.setPrincipal(name)` (rotates the id of a stored session); ' +
              "the incumbents: Passport 0.7's `req.login` sequence, `regenerate()`, set `passport.user`, `save()` " +
              "(@fastify/session: @fastify/passport's `request.logIn`, `regenerate()`, set `passport`, saved as the reply is sent).",
          ],
        ],
      ),
      '',
    );

    for (const scenario of SCENARIOS) {
      if (!o.scenarios.includes(scenario)) continue;
      out.push(`### ${scenario}`, '');
      const rows: string[][] = [];
      for (const c of http.contenders) {
        const a = all.get(c.id)?.get(scenario);
        if (a === undefined) continue;
        const { floor, incumbent } = peersOf(c, http.contenders);
        const cal = http.calibration[c.id]?.[scenario];
        rows.push([
          c.label,
          fmtInt(a.rps),
          `${fmtInt(a.rpsMin)}–${fmtInt(a.rpsMax)}`,
          a.p50Ms.toFixed(2),
          a.p99Ms.toFixed(2),
          c.kind === 'floor' ? '1' : fmtRatio(rpsRatio(all, c, floor, scenario)),
          c.kind === 'incumbent'
            ? '1'
            : c.kind === 'floor'
              ? ''
              : fmtRatio(rpsRatio(all, c, incumbent, scenario)),
          a.appCpuUs.toFixed(0),
          a.redisCpuUs.toFixed(1),
          cal?.roundTrips.toFixed(2) ?? '–',
          a.redisCommands.toFixed(2),
          commandsText(cal),
        ]);
      }
      out.push(
        table(
          [
            'contender',
            'req/s',
            'range',
            'p50 ms',
            'p99 ms',
            '× floor',
            '× incumbent',
            'app CPU µs/req',
            'Redis CPU µs/req',
            'Redis round trips/req',
            'Redis commands/req',
            'commands sent',
          ],
          rows,
          ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        ),
        '',
      );
      // Every contender against every other (req/s of the row ÷ req/s of the column).
      const present = http.contenders.filter((c) => all.get(c.id)?.get(scenario) !== undefined);
      out.push('<details><summary>req/s ratio of each contender (row) to each peer (column)</summary>', '');
      out.push(
        table(
          ['', ...present.map((c) => `\`${c.id}\``)],
          present.map((row) => [
            `\`${row.id}\``,
            ...present.map((col) => (row === col ? '1' : fmtRatio(rpsRatio(all, row, col, scenario)))),
          ]),
          ['l', ...present.map(() => 'r' as const)],
        ),
        '',
        '</details>',
        '',
      );
    }

    out.push('### Bytes per session in Redis', '');
    out.push(
      `Sum of \`MEMORY USAGE key SAMPLES 0\` over every key in the contender's database after ${fmtInt(
        Object.values(http.footprint)[0]?.sessions ?? 0,
      )} sessions were created over HTTP, divided by that count (shared keys such as the indexed store's ` +
        'due-time sorted set and principal index sets are included and spread over the sessions). Default Redis ' +
        'settings (`hash-max-listpack-value 64`).',
      '',
    );
    out.push(
      table(
        [
          'contender',
          'one attribute, no principal',
          'logged in (principal set)',
          'keys per logged-in session',
        ],
        http.contenders
          .filter((c) => http.footprint[c.id] !== undefined)
          .map((c) => {
            const f = http.footprint[c.id] as NonNullable<(typeof http.footprint)[string]>;
            return [
              c.label,
              `${Math.round(f.anonymousBytes)} B`,
              `${Math.round(f.loggedInBytes)} B`,
              f.loggedInKeys.toFixed(2),
            ];
          }),
        ['l', 'r', 'r', 'r'],
      ),
      '',
    );

    out.push('### How the figures are taken', '');
    out.push(
      [
        '- **req/s, p50, p99**: from the load generator, per round; the tables show the median over rounds and the range (slowest to fastest round).',
        "- **× floor, × incumbent**: median req/s divided by the median req/s of the same framework's floor and incumbent.",
        '- **app CPU µs/req**: `process.cpuUsage()` of the server process (user + system, all threads, GC included) over the round, divided by the requests.',
        '- **Redis CPU µs/req**: `INFO cpu` `used_cpu_sys + used_cpu_user` of redis-server over the round, divided by the requests.',
        '- **Redis commands/req**: `INFO commandstats` over the round (commands run inside Lua scripts count, INFO itself does not), divided by the requests.',
        `- **Redis round trips/req** and **commands sent**: a calibration pass before the load, one contender at a time with nothing else running: ${o.calibrationRequests} sequential requests per scenario through a TCP proxy that counts a round trip each time the app sends after Redis last answered (commands sent together, as a pipeline or a script, are one), while \`MONITOR\` records which commands the app sent and which ran inside scripts.`,
        '- The floor answers every route with one `HGETALL` of a session-sized hash (the one its cookie names, or a fixed key), so its figures are the same in every scenario: the cost of one Redis read and no session library.',
        "- express-session is configured as production apps usually are: `resave: false`, `saveUninitialized: false`, `cookie.maxAge` 30 min. It refreshes the TTL of an unchanged session on every read (`touch` → `EXPIRE`), which is its second round trip per read. koa-session (defaults, `rolling: false`) never refreshes the TTL of a session it only reads: one round trip, but its sessions expire 30 minutes after the last change however active the user is. Ours refreshes the idle timeout on every read inside the read's single round trip.",
        "- @fastify/session is configured like express-session: `saveUninitialized: false`, `cookie.maxAge` 30 min (and `cookie.secure: false`, express-session's default: @fastify/session's own default, `true`, saves nothing over plain HTTP), the rest at its defaults. It has no `resave` option and `rolling` defaults to true, so it saves every session it loaded again when the reply is sent: a `SET` of the whole session on every read (its second round trip per read). Its store is connect-redis' `RedisStore`, the express-session contender's, which has the callback-style `get`/`set`/`destroy` @fastify/session calls. Its login regenerates as @fastify/passport does: `DEL` of the old id and `SET` of the new, empty session, then the `SET` of the logged-in session when the reply is sent.",
        "- koa-session's store is the three-method external store koa-session documents, on ioredis 5 (GET + JSON, SET with PX, DEL: koa-redis' commands; koa-redis itself pins ioredis 4). connect-redis is 8.1, its last major that supports ioredis.",
      ].join('\n'),
      '',
    );

    out.push('### Load average during the run', '');
    out.push('<details><summary>1-minute load average before → after each measurement</summary>', '');
    const logRows: string[][] = [];
    for (const scenario of SCENARIOS) {
      for (const c of http.contenders) {
        for (const s of http.samples[c.id]?.[scenario] ?? []) {
          logRows.push([
            String(s.round),
            scenario,
            c.id,
            fmtInt(s.rps),
            `${(s.loadBefore[0] ?? 0).toFixed(2)} → ${(s.loadAfter[0] ?? 0).toFixed(2)}`,
            String(s.errors),
          ]);
        }
      }
    }
    logRows.sort((a, b) => Number(a[0]) - Number(b[0]));
    out.push(
      table(['round', 'scenario', 'contender', 'req/s', 'load (1 min)', 'errors'], logRows, [
        'r',
        'l',
        'l',
        'r',
        'l',
        'r',
      ]),
      '',
    );
    out.push('</details>', '');
  }

  if (results.redis !== undefined) {
    out.push('## Redis repositories without HTTP', '');
    out.push(
      'findById + save of one changed attribute from 32 concurrent loops on one ioredis connection, 5 interleaved ' +
        'rounds of 2 s, medians. The peer is raw ioredis doing the same request by hand: `HGETALL`, then `HSET` + ' +
        '`PEXPIRE` written in the same tick (one round trip, no pipeline object). The previous peer, which built an ' +
        'ioredis pipeline object per write, is listed for comparison.',
      '',
    );
    out.push(storeTable(results.redis), '');
  }
  if (results.memory !== undefined) {
    out.push('## Memory store', '');
    out.push(
      '`@session/memory` against a plain `Map` holding the same objects (no copies, expiry, indexes or events), and ' +
        'create+save into a full store (each save evicts one session) against the same without a bound.',
      '',
    );
    out.push(storeTable(results.memory), '');
  }

  mkdirSync(DOCS, { recursive: true });
  writeFileSync(join(DOCS, 'benchmarks.md'), `${out.join('\n').trimEnd()}\n`);
  written.unshift('docs/benchmarks.md');
  return written;
}

function describe(c: Contender): string {
  switch (c.id) {
    case 'express-floor':
      return 'Express 5, one `HGETALL` per request with ioredis, no session library';
    case 'express-session':
      return 'express-session 1.19 + connect-redis 8.1 on ioredis 5';
    case 'koa-floor':
      return 'Koa 3, one `HGETALL` per request with ioredis, no session library';
    case 'koa-session':
      return 'koa-session 7 with an external ioredis store';
    case 'fastify-floor':
      return 'Fastify 5, one `HGETALL` per request with ioredis, no session library';
    case 'fastify-session':
      return '@fastify/session 11 (with @fastify/cookie 11) + connect-redis 8.1 on ioredis 5';
    default:
      return c.kind === 'ours'
        ? `\`@session/${c.framework}\` \`session({ repository })\` with \`${
            c.variant === 'indexed' ? 'RedisIndexedSessionRepository' : 'RedisSessionRepository'
          }\`, all defaults, ioredis 5`
        : c.label;
  }
}
