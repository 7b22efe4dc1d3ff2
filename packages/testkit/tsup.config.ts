import { packageBuild } from '../../tsup.shared';

export default packageBuild({
  entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts', 'http/index': 'src/http/index.ts' },
  external: ['ioredis', '@testcontainers/redis', 'testcontainers', '@session/http', '@session/memory'],
});
