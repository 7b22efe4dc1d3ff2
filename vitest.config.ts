import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run workspace packages from source: every `@session/<name>` import resolves to its src/.
const packageNames = readdirSync(`${root}packages`).filter((name) =>
  existsSync(`${root}packages/${name}/src/index.ts`),
);
const alias = packageNames.map((name) => ({
  find: new RegExp(`^@session/${name}$`),
  replacement: `${root}packages/${name}/src/index.ts`,
}));
alias.push({ find: /^@session\/testkit\/redis$/, replacement: `${root}packages/testkit/src/redis/index.ts` });
alias.push({ find: /^@session\/testkit\/http$/, replacement: `${root}packages/testkit/src/http/index.ts` });
alias.push({ find: /^@session\/fetch\/hono$/, replacement: `${root}packages/fetch/src/hono/index.ts` });
alias.push({
  find: /^@session\/express\/compat$/,
  replacement: `${root}packages/express/src/compat/index.ts`,
});
alias.push({ find: /^@session\/koa\/compat$/, replacement: `${root}packages/koa/src/compat/index.ts` });

// Suites that start real servers (redis-server processes, HTTP listeners, browsers) run one file
// at a time so they never fight over the machine's two cores.
const serial = new Set(['redis', 'express', 'koa', 'fastify', 'fetch', 'ws', 'examples']);

export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      ...packageNames.map((name) => ({
        resolve: { alias },
        test: {
          name,
          root: `${root}packages/${name}`,
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: !serial.has(name),
        },
      })),
      {
        // The repository's own tooling (the CI summary reporter).
        test: { name: 'scripts', root: `${root}scripts`, include: ['test/**/*.test.ts'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'examples',
          root: `${root}examples`,
          include: ['*/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
