/**
 * Ours runs as users run it: each `*-ours` app is bundled by esbuild the way tsup builds the
 * published packages (target node20, no `keepNames`), with `@session/*` compiled from source
 * (`dev-source`) and every other package left external. Running the workspace TypeScript through
 * tsx instead would add esbuild's `__name()` wrappers around every closure ours creates per
 * request. BENCH_OURS_FROM=source skips the bundle (ours then runs through tsx like the bench).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BENCH_DIR } from './children.js';
import type { Contender } from './contenders.js';

// node_modules/.cache: ignored by git and the linters, and third-party imports resolve from it.
const OUT = join(BENCH_DIR, 'node_modules/.cache/session-bench');

/** `{ app module → bundle file URL }` for the contenders that are ours (none with BENCH_OURS_FROM=source). */
export async function bundleOurs(contenders: Contender[]): Promise<Map<string, string>> {
  const bundles = new Map<string, string>();
  if (process.env.BENCH_OURS_FROM === 'source') return bundles;
  const apps = [
    ...new Set(
      contenders.filter((c) => c.kind === 'ours' && c.app !== undefined).map((c) => c.app as string),
    ),
  ];
  for (const app of apps) {
    bundles.set(app, await bundleLikePublished(join(BENCH_DIR, 'src/http/apps', `${app}.ts`), app));
  }
  return bundles;
}

/**
 * Bundles one bench module with `@session/*` compiled in the way tsup builds the published
 * packages (see the top of this file) and returns the bundle's file URL to import. The store
 * suites (`memory.ts`, `redis.ts`) run from such a bundle too, unless BENCH_OURS_FROM=source.
 */
export async function bundleLikePublished(entry: string, name: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['dev-source'],
    sourcemap: 'linked',
    treeShaking: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-except-ours',
        setup(b) {
          // Third-party packages load from node_modules, as in an app; @session/* is compiled in.
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@session/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return pathToFileURL(outfile).href;
}
