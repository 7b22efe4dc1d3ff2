import { defineConfig } from 'tsup';

// Standalone, as a package outside the monorepo would have it: ESM + CJS, each with declarations.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
});
