import { type MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { describe, expect, it } from 'vitest';
import { useFakeMaps } from './support/fixtures.js';

const P = PRINCIPAL_NAME_INDEX_NAME;
const { fakeMap, open, saved } = useFakeMaps();

describe('indexes', () => {
  it('adds HASH indexes on principal and indexValues[any] on start, once however many repositories start', async () => {
    const map = fakeMap();
    await open(map);
    await open(map);
    expect(map.indexes().map((i) => [i.type, i.attributes])).toEqual([
      ['HASH', ['principal']],
      ['HASH', ['indexValues[any]']],
    ]);
  });

  it('a principal set by one copy survives a concurrent save of another attribute by a copy without it', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const login = await repo.findById(session.id);
    const other = await repo.findById(session.id);
    login?.set(P, 'ada');
    other?.set('cart', ['x']);
    await repo.save(login as MapSession);
    await repo.save(other as MapSession);
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([session.id]);
    expect((map.rawDocument(session.id) as { principal?: string }).principal).toBe('ada');
  });

  it('a save that changes no attribute the resolver reads leaves the stored index fields as they are', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { [P]: 'ada' });
    // Planted as another writer left it: the principal field must survive a save of other attributes.
    const doc = map.rawDocument(session.id) as Record<string, unknown>;
    map.plant(session.id, JSON.stringify({ ...doc, indexValues: ['["tenant","acme"]'] }), 60_000);
    const copy = (await repo.findById(session.id)) as MapSession;
    copy.set('cart', ['x']);
    expect((await repo.save(copy)).status).toBe('written');
    const after = map.rawDocument(session.id) as Record<string, unknown>;
    expect(after.principal).toBe('ada');
    expect(after.indexValues).toEqual(['["tenant","acme"]']);
  });
});
