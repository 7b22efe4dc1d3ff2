import {
  defaultSerializer,
  type MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionSerializer,
} from '@session/core';
import { describe, expect, it } from 'vitest';
import { useFakeMaps } from './support/fixtures.js';

const P = PRINCIPAL_NAME_INDEX_NAME;
const { fakeMap, open, saved } = useFakeMaps();

describe('stored document', () => {
  it('is JSON with a top-level principal, plain values embedded as they are and others in the serializer envelope', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { [P]: 'ada', cart: ['sku-1'], count: 2, when: new Date(0) });
    const doc = map.rawDocument(session.id) as Record<string, unknown>;
    expect(doc.principal).toBe('ada');
    expect(doc.id).toBe(session.id);
    expect(doc.creationTime).toBe(session.creationTime);
    expect(doc.maxInactiveIntervalMs).toBe(30 * 60_000);
    const attributes = doc.attributes as Record<string, unknown>;
    expect(attributes.cart).toEqual(['sku-1']);
    expect(attributes.count).toBe(2);
    expect(attributes[P]).toBe('ada');
    // A Date is not plain JSON: it goes through core's serializer (its tagged envelope), still as JSON.
    expect(attributes.when).toEqual(JSON.parse(defaultSerializer.serialize(new Date(0), 'when')));
    const found = await repo.findById(session.id);
    expect(found?.get('when')).toEqual(new Date(0));
    expect(found?.get('count')).toBe(2);
  });

  it('keeps custom index values in indexValues, and a session without principal has no principal field', async () => {
    const map = fakeMap();
    const repo = await open(map, {
      indexResolver: { resolveIndexesFor: (s) => ({ tenant: String(s.get('tenant')) }) },
    });
    const session = await saved(repo, { tenant: 'acme' });
    const doc = map.rawDocument(session.id) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('principal');
    expect(doc.indexValues).toEqual([JSON.stringify(['tenant', 'acme'])]);
    expect([...(await repo.findByIndexNameAndIndexValue('tenant', 'acme')).keys()]).toEqual([session.id]);
  });

  it('stores values of a serializer that does not produce JSON as text, and reads them back', async () => {
    const reversing: SessionSerializer = {
      serialize: (value) => `~${String(value).split('').reverse().join('')}`,
      deserialize: (text) => text.slice(1).split('').reverse().join(''),
    };
    const map = fakeMap();
    const repo = await open(map, { serializer: reversing });
    const session = await saved(repo, { word: 'hello' });
    const doc = map.rawDocument(session.id) as { attributes: object; textAttributes: Record<string, string> };
    expect(doc.textAttributes.word).toBe('~olleh');
    expect(doc.attributes).toEqual({});
    expect((await repo.findById(session.id))?.get('word')).toBe('hello');
  });

  it('reads and merges correctly when the client hands out parsed JSON (EAGER policy)', async () => {
    const map = fakeMap({ readPolicy: 'EAGER' });
    const repo = await open(map);
    const session = await saved(repo, { base: 1, [P]: 'ada' });
    const copies = await Promise.all(Array.from({ length: 10 }, () => repo.findById(session.id)));
    for (const [i, copy] of copies.entries()) copy?.set(`a${i}`, i);
    await Promise.all(copies.map((copy) => repo.save(copy as MapSession)));
    const found = await repo.findById(session.id);
    expect(found?.names().sort()).toEqual(
      ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', P, 'base'].sort(),
    );
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([session.id]);
  });
});
