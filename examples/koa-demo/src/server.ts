/**
 * The Koa demo: `pnpm --filter @session/example-koa-demo start` (PORT, default 3001; SESSION_STORE
 * switches the store, e.g. redis://127.0.0.1:6379).
 */
import { createRepositoryFromConfig } from '@session/core';
import { createKoaDemo } from './app.js';

const storeUrl = process.env.SESSION_STORE ?? 'memory:';
const repository = await createRepositoryFromConfig(storeUrl);
const demo = createKoaDemo(repository);
const url = await demo.listen(Number(process.env.PORT ?? 3001), process.env.HOST);
console.log(`@session Koa demo listening on ${url}  (store: ${storeUrl.replace(/\/\/[^@/]*@/, '//***@')})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await demo.close();
    await repository.close?.();
    process.exit(0);
  });
}
