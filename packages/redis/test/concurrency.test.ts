import { InvalidSessionIdError, type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisIndexedSessionRepository } from '../src/index.js';
import { quietOptions, REPOSITORIES, uniqueNamespace, useRedisServer } from './support/harness.js';

const redis = useRedisServer();

describe.each(REPOSITORIES)('%s under concurrent requests', (_, Repository) => {
  const create = (extra: Record<string, unknown> = {}) =>
    new Repository({ ...quietOptions(redis.client, uniqueNamespace('cc')), ...extra });

  it('50 concurrent saves of different attributes on one session all persist', async () => {
    const repo = create();
    const session = await repo.createSession();
    session.set('base', true);
    await repo.save(session);
    const copies = (await Promise.all(
      Array.from({ length: 50 }, () => repo.findById(session.id)),
    )) as MapSession[];
    for (const [i, copy] of copies.entries()) copy.set(`a${i}`, i);
    await Promise.all(copies.map((copy) => repo.save(copy)));
    const found = (await repo.findById(session.id)) as MapSession;
    for (let i = 0; i < 50; i++) expect(found.get(`a${i}`)).toBe(i);
    expect(found.get('base')).toBe(true);
    await repo.close();
  });

  it('a save racing a delete never brings the session back', async () => {
    const repo = create();
    for (let round = 0; round < 20; round++) {
      const session = await repo.createSession();
      session.set('round', round);
      await repo.save(session);
      const copy = (await repo.findById(session.id)) as MapSession;
      copy.set('late', true);
      await Promise.all(
        round % 2
          ? [repo.save(copy), repo.deleteById(session.id)]
          : [repo.deleteById(session.id), repo.save(copy)],
      );
      expect(await redis.client.exists(repo.keys.session(session.id))).toBe(0);
    }
    await repo.close();
  });

  it('a write racing an id change is either stored under the new id or reported "moved", never lost while "written"', async () => {
    const repo = create();
    const tally = { written: 0, moved: 0 };
    for (let round = 0; round < 300; round++) {
      const session = await repo.createSession();
      session.set('seed', round);
      await repo.save(session);
      const [rotating, writing] = (await Promise.all([
        repo.findById(session.id),
        repo.findById(session.id),
      ])) as [MapSession, MapSession];
      const newId = rotating.changeSessionId();
      writing.set('w', round);
      const [rotated, written] = await Promise.all(
        round % 2
          ? [repo.save(rotating), repo.save(writing)]
          : [repo.save(writing), repo.save(rotating)].reverse(),
      );
      expect(rotated?.status).toBe('written');
      const after = (await repo.findById(newId)) as MapSession;
      if (written?.status === 'written') {
        tally.written++;
        expect(after.get('w')).toBe(round);
      } else {
        tally.moved++;
        expect(written).toEqual({ status: 'moved', id: session.id });
        expect(after.get('w')).toBeUndefined();
      }
    }
    expect(tally.written + tally.moved).toBe(300);
    await repo.close();
  });

  it("a new session whose id is taken is refused instead of merged into the other session's attributes", async () => {
    let now = Date.now();
    const fixedId = `collide${'x'.repeat(20)}${Math.floor(Math.random() * 1e9)}`;
    const repo = create({ idGenerator: () => fixedId, clock: () => now });
    const first = await repo.createSession();
    first.set(PRINCIPAL_NAME_INDEX_NAME, 'victim');
    // The same new session saved twice at once is no collision.
    await Promise.all([repo.save(first), repo.save(first)]);
    now += 1000;
    const second = await repo.createSession();
    second.set('mine', 1);
    await expect(repo.save(second)).rejects.toThrow(InvalidSessionIdError);
    const hash = await redis.client.hgetall(repo.keys.session(fixedId));
    expect(hash[':mine']).toBeUndefined();
    expect(hash.c).toBe(String(first.creationTime));
    await repo.close();
  });
});

it('an index lookup does not prune an entry that a save filed again after the lookup read it', async () => {
  const namespace = uniqueNamespace('race');
  const ownClient = new Redis(redis.server.url);
  const repo = new RedisIndexedSessionRepository({ client: ownClient, namespace, sweepIntervalMs: 0 });
  const other = new RedisIndexedSessionRepository({ client: redis.client, namespace, sweepIntervalMs: 0 });
  await Promise.all([repo.ready(), other.ready()]);
  const session = await other.createSession();
  session.set(PRINCIPAL_NAME_INDEX_NAME, 'bob');
  await other.save(session);
  const copy = (await other.findById(session.id)) as MapSession;
  // A stale entry under 'ada': the lookup prunes it…
  const adaKey = repo.keys.index(PRINCIPAL_NAME_INDEX_NAME, 'ada');
  await redis.client.sadd(adaKey, session.id);
  // …but between its read and its prune, another request files the session under 'ada' for real.
  type Send = (command: { name: string }, ...rest: unknown[]) => unknown;
  const target = ownClient as unknown as { sendCommand: Send };
  const send = target.sendCommand.bind(ownClient);
  let sent = 0;
  target.sendCommand = (command, ...rest) => {
    sent++;
    if (sent !== 2) return send(command, ...rest);
    copy.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    return other.save(copy).then(() => send(command, ...rest));
  };
  expect((await repo.findByPrincipalName('ada')).size).toBe(0);
  expect(sent).toBe(2);
  target.sendCommand = send;
  expect(await redis.client.smembers(adaKey)).toEqual([session.id]);
  expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([session.id]);
  await Promise.all([repo.close(), other.close()]);
  ownClient.disconnect();
});
