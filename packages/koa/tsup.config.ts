import { packageBuild } from '../../tsup.shared';

export default packageBuild({
  entry: { index: 'src/index.ts', 'compat/index': 'src/compat/index.ts' },
  external: ['@session/koa'],
});
