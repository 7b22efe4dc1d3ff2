import { HazelcastJsonValue, Predicates } from 'hazelcast-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionMapEntryEvent } from '../src/session-map.js';
import { evaluatePredicate, FakeSessionMap } from './support/fake-map.js';

// The fake stands in for a member in every other test here, so its own behaviour is pinned down first.

const json = (value: unknown) => new HazelcastJsonValue(JSON.stringify(value));
const maps: FakeSessionMap[] = [];
function fake(options?: ConstructorParameters<typeof FakeSessionMap>[0]): FakeSessionMap {
  const map = new FakeSessionMap(options);
  maps.push(map);
  return map;
}
afterEach(() => {
  for (const map of maps.splice(0)) map.dispose();
});

type Recorded = { name: string; key: string; value: unknown; oldValue: unknown };
function recorder(map: FakeSessionMap, includeValue = true) {
  const events: Recorded[] = [];
  const push = (name: string) => (e: SessionMapEntryEvent<string, HazelcastJsonValue>) =>
    events.push({
      name,
      key: e.key,
      value: e.value?.toString() ?? null,
      oldValue: e.oldValue?.toString() ?? null,
    });
  const id = map.addEntryListener(
    { added: push('added'), updated: push('updated'), removed: push('removed'), expired: push('expired') },
    undefined,
    includeValue,
  );
  return { events, id };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('FakeSessionMap', () => {
  it('stores JSON text and returns it as HazelcastJsonValue, or parsed under EAGER', async () => {
    const raw = fake();
    await raw.putIfAbsent('k', json({ a: 1 }));
    const value = await raw.get('k');
    expect(value).toBeInstanceOf(HazelcastJsonValue);
    expect(value?.toString()).toBe('{"a":1}');
    expect(await raw.get('missing')).toBeNull();

    const eager = fake({ readPolicy: 'EAGER' });
    await eager.putIfAbsent('k', json({ a: 1 }));
    expect(await eager.get('k')).toEqual({ a: 1 });
  });

  it('putIfAbsent writes only when absent and returns the existing value', async () => {
    const map = fake();
    expect(await map.putIfAbsent('k', json(1))).toBeNull();
    expect((await map.putIfAbsent('k', json(2)))?.toString()).toBe('1');
    expect(map.rawText('k')).toBe('1');
  });

  it('replaceIfSame compares the serialized text, as a member compares serialized values', async () => {
    const map = fake();
    await map.putIfAbsent('k', json({ a: 1, b: 2 }));
    // Same content, other key order: a different serialized form, so no match.
    expect(await map.replaceIfSame('k', new HazelcastJsonValue('{"b":2,"a":1}'), json({ a: 9 }))).toBe(false);
    expect(await map.replaceIfSame('k', json({ a: 1, b: 2 }), json({ a: 3 }))).toBe(true);
    expect(map.rawText('k')).toBe('{"a":3}');
    expect(await map.replaceIfSame('missing', json(1), json(2))).toBe(false);
    expect(map.rawText('missing')).toBeUndefined();
  });

  it('keeps expiration instants in whole wall-clock seconds, rounded down, as a 5.x member does', async () => {
    // What a member was seen to do: a 2,000 ms TTL set 50, 300, 600 and 900 ms into a second
    // lived 1,960, 1,705, 1,408 and 1,107 ms (the expiration instant is floor((now + ttl) / 1 s)).
    const second = Math.floor(Date.now() / 1000) * 1000 + 10_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const map = fake();
      const lived: number[] = [];
      for (const offset of [50, 300, 600, 900]) {
        vi.setSystemTime(second + offset);
        await map.putIfAbsent(`put-${offset}`, json(1), 2000);
        lived.push((map.expiresAt(`put-${offset}`) as number) - (second + offset));
        // setTtl is rounded the same way.
        await map.putIfAbsent(`ttl-${offset}`, json(1));
        vi.setSystemTime(second + offset);
        await map.setTtl(`ttl-${offset}`, 2000);
        expect(map.expiresAt(`ttl-${offset}`)).toBe(second + 2000);
      }
      expect(lived).toEqual([1950, 1700, 1400, 1100]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats TTL 0 and negative as forever, and setTtl restarts the countdown', async () => {
    const map = fake();
    await map.putIfAbsent('zero', json(1), 0);
    await map.putIfAbsent('negative', json(1), -1);
    expect(map.expiresAt('zero')).toBeNull();
    expect(map.expiresAt('negative')).toBeNull();
    expect(await map.setTtl('zero', 2500)).toBe(true);
    expect((map.expiresAt('zero') as number) - Date.now()).toBeGreaterThan(1400);
    expect(await map.setTtl('zero', 0)).toBe(true);
    expect(map.expiresAt('zero')).toBeNull();
    expect(await map.setTtl('missing', 1000)).toBe(false);
  });

  it('an entry whose rounded expiration instant has passed is gone at once', async () => {
    const map = fake();
    await map.putIfAbsent('k', json(1), 1);
    // 1 ms, rounded down to the current whole second: already due (unless set in the last 1 ms).
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await map.get('k')).toBeNull();
  });

  it('expires entries on their timer with an expired event carrying the old value', async () => {
    const map = fake({ ttlResolutionMs: 50 });
    const { events } = recorder(map);
    await map.putIfAbsent('k', json({ v: 1 }), 40);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(map.rawText('k')).toBeUndefined();
    expect(events.map((e) => e.name)).toEqual(['added', 'expired']);
    expect(events[1]).toEqual({ name: 'expired', key: 'k', value: null, oldValue: '{"v":1}' });
  });

  it('an update keeps the TTL and restarts its countdown', async () => {
    const map = fake({ ttlResolutionMs: 100 });
    await map.putIfAbsent('k', json(1), 1000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const dueBefore = map.expiresAt('k') as number;
    expect(await map.replaceIfSame('k', json(1), json(2))).toBe(true);
    const dueAfter = map.expiresAt('k') as number;
    // Restarted about 300 ms later; each instant is rounded down by less than 100 ms.
    expect(dueAfter).toBeGreaterThan(dueBefore + 150);
    expect(dueAfter - Date.now()).toBeLessThanOrEqual(1000);
  });

  it('delivers added, updated and removed events with values, after the operation resolved', async () => {
    const map = fake();
    const { events } = recorder(map);
    await map.putIfAbsent('k', json(1));
    // Not yet: events travel back asynchronously.
    expect(events).toHaveLength(0);
    await map.replaceIfSame('k', json(1), json(2));
    expect(String(await map.remove?.('k'))).toBe('2');
    expect(await map.remove?.('k')).toBeNull();
    await settle();
    expect(events).toEqual([
      { name: 'added', key: 'k', value: '1', oldValue: null },
      { name: 'updated', key: 'k', value: '2', oldValue: '1' },
      { name: 'removed', key: 'k', value: null, oldValue: '2' },
    ]);
  });

  it('like a member, sends the removed event of delete() without the old value', async () => {
    const map = fake();
    const { events } = recorder(map);
    await map.putIfAbsent('k', json(1));
    await map.delete('k');
    await map.delete('k');
    await settle();
    expect(events).toEqual([
      { name: 'added', key: 'k', value: '1', oldValue: null },
      { name: 'removed', key: 'k', value: null, oldValue: null },
    ]);
  });

  it('leaves values out of events for listeners registered without includeValue, and stops after removal', async () => {
    const map = fake();
    const { events, id } = recorder(map, false);
    await map.putIfAbsent('k', json(1));
    await settle();
    expect(events).toEqual([{ name: 'added', key: 'k', value: null, oldValue: null }]);
    expect(await map.removeEntryListener(await id)).toBe(true);
    expect(await map.removeEntryListener(await id)).toBe(false);
    await map.delete('k');
    await settle();
    expect(events).toHaveLength(1);
  });

  it("interprets hazelcast-client's predicates on JSON documents, including [any] on arrays", async () => {
    const map = fake();
    await map.putIfAbsent('a', json({ principal: 'ada', tags: ['x', 'y'], nested: { n: 1 } }));
    await map.putIfAbsent('b', json({ principal: 'bob', tags: ['y'] }));
    await map.putIfAbsent('c', json({ tags: [] }));
    const keys = async (p: Parameters<FakeSessionMap['entrySetWithPredicate']>[0]) =>
      (await map.entrySetWithPredicate(p)).map(([k]) => k).sort();
    expect(await keys(Predicates.equal('principal', 'ada'))).toEqual(['a']);
    expect(await keys(Predicates.equal('tags[any]', 'y'))).toEqual(['a', 'b']);
    expect(await keys(Predicates.equal('nested.n', 1))).toEqual(['a']);
    expect(
      await keys(Predicates.and(Predicates.equal('tags[any]', 'y'), Predicates.equal('principal', 'bob'))),
    ).toEqual(['b']);
    expect(
      await keys(Predicates.or(Predicates.equal('principal', 'ada'), Predicates.equal('principal', 'bob'))),
    ).toEqual(['a', 'b']);
    expect(await keys(Predicates.not(Predicates.equal('principal', 'ada')))).toEqual(['b', 'c']);
    expect(await keys(Predicates.alwaysTrue())).toEqual(['a', 'b', 'c']);
    // Type matters: the string "1" is not the number 1.
    expect(await keys(Predicates.equal('nested.n', '1'))).toEqual([]);
  });

  it('refuses predicates it does not model instead of guessing', () => {
    expect(() => evaluatePredicate(Predicates.like('principal', 'a%'), { principal: 'ada' })).toThrow(
      /cannot evaluate/,
    );
    expect(() => evaluatePredicate(Predicates.sql('principal = ada'), { principal: 'ada' })).toThrow(
      /cannot evaluate/,
    );
  });

  it('addIndex is idempotent for the same definition and rejects a different one under the same name', async () => {
    const map = fake();
    await map.addIndex({ type: 'HASH', attributes: ['principal'] });
    await map.addIndex({ type: 'HASH', attributes: ['principal'] });
    expect(map.indexes()).toEqual([{ name: 'sessions_principal', type: 'HASH', attributes: ['principal'] }]);
    await expect(
      map.addIndex({ name: 'sessions_principal', type: 'SORTED', attributes: ['principal'] }),
    ).rejects.toThrow(/another definition/);
  });

  it('counts every operation and can be made to fail', async () => {
    const map = fake();
    const before = map.operations;
    await map.get('k');
    await map.delete('k');
    expect(map.operations).toBe(before + 2);
    map.failWith(new Error('member gone'));
    await expect(map.get('k')).rejects.toThrow('member gone');
  });
});
