import { packageBuild } from '../../tsup.shared';

export default packageBuild({
  entry: { index: 'src/index.ts', 'hono/index': 'src/hono/index.ts' },
  external: ['hono', '@session/fetch'],
});
