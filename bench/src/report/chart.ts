/**
 * The chart of docs/benchmarks.md: a Vega-Lite spec rendered to SVG by Vega (headless, no canvas)
 * and to PNG by resvg (a prebuilt binary shipped inside its npm package).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Framework } from '../http/contenders.js';
import type { HttpResults } from '../http/run.js';
import { aggregates } from './summary.js';

const FRAMEWORK: Record<Framework, string> = { express: 'Express 5', koa: 'Koa 3', fastify: 'Fastify 5' };

const ROLE: Record<string, string> = {
  floor: 'floor (no session library)',
  incumbent: 'incumbent',
  'ours-default': 'ours, Redis default',
  'ours-indexed': 'ours, Redis indexed',
};

export async function renderChart(http: HttpResults): Promise<{ svg: string; png: Buffer }> {
  const all = aggregates(http);
  const rows: Record<string, unknown>[] = [];
  for (const contender of http.contenders) {
    const role =
      ROLE[contender.kind === 'ours' ? `ours-${contender.variant ?? 'default'}` : contender.kind] ??
      contender.kind;
    for (const [scenario, a] of all.get(contender.id) ?? []) {
      rows.push({
        framework: FRAMEWORK[contender.framework],
        scenario,
        role,
        contender: contender.label,
        rps: Math.round(a.rps),
        rpsMin: Math.round(a.rpsMin),
        rpsMax: Math.round(a.rpsMax),
        app: Math.round(a.appCpuUs * 10) / 10,
        redis: Math.round(a.redisCpuUs * 10) / 10,
      });
    }
  }
  const roles = Object.values(ROLE);
  const color = {
    field: 'role',
    type: 'nominal',
    title: null,
    scale: { domain: roles, range: ['#9e9e9e', '#e07b39', '#1f5fa8', '#6ea8dc'] },
    legend: { orient: 'top', labelFontSize: 12, labelLimit: 400 },
  };
  const scenarioOrder = http.options.scenarios;
  const x = { field: 'role', type: 'nominal', sort: roles, axis: null, title: null };
  const facet = {
    row: {
      field: 'framework',
      type: 'nominal',
      sort: Object.values(FRAMEWORK),
      title: null,
      header: { labelFontSize: 13, labelFontWeight: 'bold' },
    },
    column: {
      field: 'scenario',
      type: 'nominal',
      sort: scenarioOrder,
      title: null,
      header: { labelFontSize: 13 },
    },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: {
      font: 'DejaVu Sans',
      view: { stroke: '#ddd' },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      title: { fontSize: 15, anchor: 'start' },
    },
    background: 'white',
    vconcat: [
      {
        title: `Requests per second (median of ${http.options.rounds} rounds; whiskers: slowest and fastest round)`,
        data: { values: rows },
        facet,
        spec: {
          width: 150,
          height: 170,
          layer: [
            {
              mark: 'bar',
              encoding: {
                x,
                y: { field: 'rps', type: 'quantitative', title: 'req/s' },
                color,
                tooltip: [{ field: 'contender' }, { field: 'rps' }],
              },
            },
            {
              mark: { type: 'rule', color: 'black' },
              encoding: { x, y: { field: 'rpsMin', type: 'quantitative' }, y2: { field: 'rpsMax' } },
            },
            {
              mark: { type: 'text', dy: -8, fontSize: 9 },
              encoding: {
                x,
                y: { field: 'rpsMax', type: 'quantitative' },
                text: { field: 'rps', format: ',' },
              },
            },
          ],
        },
      },
      {
        title: 'CPU per request, µs (median): app process (solid) + redis-server (light)',
        data: { values: rows },
        transform: [{ fold: ['app', 'redis'], as: ['process', 'us'] }],
        facet,
        spec: {
          width: 150,
          height: 150,
          mark: 'bar',
          encoding: {
            x,
            y: { field: 'us', type: 'quantitative', title: 'µs / request', stack: 'zero' },
            color,
            opacity: {
              field: 'process',
              type: 'ordinal',
              scale: { domain: ['app', 'redis'], range: [1, 0.4] },
              legend: {
                orient: 'top',
                title: null,
                labelExpr: "datum.label === 'app' ? 'app process' : 'redis-server'",
              },
            },
            order: { field: 'process', sort: 'ascending' },
          },
        },
      },
    ],
  };
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 1.5 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return { svg, png };
}
