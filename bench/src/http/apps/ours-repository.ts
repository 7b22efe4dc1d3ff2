import { RedisIndexedSessionRepository, RedisSessionRepository } from '@session/redis';
import { Redis } from 'ioredis';
import type { AppContext } from './types.js';

/** Our Redis repository for a contender: `RedisSessionRepository` (default) or the indexed one, with defaults. */
export async function oursRepository({ redisUrl, db, namespace, variant }: AppContext) {
  const client = new Redis(redisUrl, { db });
  const repository =
    variant === 'indexed'
      ? new RedisIndexedSessionRepository({ client, namespace })
      : new RedisSessionRepository({ client, namespace });
  if (repository instanceof RedisIndexedSessionRepository) await repository.ready();
  return {
    repository,
    async close() {
      await repository.close();
      await client.quit();
    },
  };
}
