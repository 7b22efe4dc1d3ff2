import { RedisIndexedSessionRepository, RedisSessionRepository } from '/work/main/packages/redis/src/index.ts';
const port = Number(process.argv[2]);
const kind = process.argv[3];
const opts = { url: `redis://127.0.0.1:${port}`, logger: { debug() {}, info() {}, warn() {}, error() {} } };
const repo = kind === 'indexed' ? new RedisIndexedSessionRepository(opts) : new RedisSessionRepository(opts);
const t = Date.now();
repo.close().then(()=>console.log("closed in", Date.now()-t));
