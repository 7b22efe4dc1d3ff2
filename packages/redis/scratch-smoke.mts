import { Redis } from 'ioredis';
import { startRedisServer, countCommands } from '/work/main/packages/testkit/src/redis/index.ts';
import { RedisSessionRepository, RedisIndexedSessionRepository } from '/work/main/packages/redis/src/index.ts';
const server = await startRedisServer();
const client = new Redis(server.url);
for (const Repo of [RedisSessionRepository, RedisIndexedSessionRepository]) {
  const repo = new Repo({ client, namespace: 'smoke' + Repo.name, sweepIntervalMs: 100000 } as any);
  if ('ready' in repo) { await (repo as any).ready(); (repo as any).on('created', (e: any) => console.log('event', e.type, e.sessionId.slice(0,6), e.session?.get('user'))); (repo as any).on('destroyed', (e: any) => console.log('event', e.type, e.sessionId.slice(0,6))); }
  const s = await repo.createSession();
  s.set('user', 'ada'); s.set('when', new Date(0));
  s.set('org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME', 'ada');
  await repo.save(s);
  console.log(Repo.name, await client.hgetall(`smoke${Repo.name}:sessions:${s.id}`));
  const f = await repo.findById(s.id);
  console.log('found', f?.get('user'), f?.get('when'));
  console.log('find cmds', await countCommands(server, () => repo.findById(s.id)));
  f!.set('x', 1);
  console.log('save cmds', await countCommands(server, () => repo.save(f!)));
  console.log('create no save', await countCommands(server, () => repo.createSession()));
  if ('findByPrincipalName' in repo) console.log('by principal', [...(await (repo as any).findByPrincipalName('ada')).keys()].length);
  const newId = f!.changeSessionId(); await repo.save(f!);
  console.log('moved', (await repo.findById(newId))?.get('x'), await repo.findById(s.id));
  await repo.deleteById(newId);
  console.log('deleted', await repo.findById(newId));
  await new Promise(r => setTimeout(r, 100));
  await repo.close();
}
console.log(await client.keys('*'));
client.disconnect();
await server.stop();
