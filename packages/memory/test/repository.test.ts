import {
  AttributeIndexResolver,
  defaultSerializer,
  InvalidArgumentError,
  MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionLogger,
  type SessionSerializer,
  SPRING_SECURITY_CONTEXT,
  settleImmediateFlush,
} from '@session/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository, type MemorySessionRepositoryOptions } from '../src/index.js';

const repositories: MemorySessionRepository[] = [];
function repo(options: MemorySessionRepositoryOptions = {}): MemorySessionRepository {
  const r = new MemorySessionRepository({ sweepIntervalMs: 0, ...options });
  repositories.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

function quietLogger(): SessionLogger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  return { warnings, debug() {}, info() {}, warn: (...a) => warnings.push(a), error() {} };
}

describe('MemorySessionRepository', () => {
  it('findById refreshes lastAccessedTime in the store; index lookups and peekStored do not', async () => {
    let now = 10_000;
    const r = repo({ clock: () => now });
    const s = await r.createSession();
    s.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    await r.save(s);
    now += 500;
    expect((await r.findByPrincipalName('ada')).get(s.id)?.lastAccessedTime).toBe(10_000);
    expect(r.peekStored(s.id)?.lastAccessedTime).toBe(10_000);
    const found = await r.findById(s.id);
    expect(found?.lastAccessedTime).toBe(10_500);
    expect(found?.hasChanges()).toBe(false);
    expect(r.peekStored(s.id)?.lastAccessedTime).toBe(10_500);
  });

  it('a custom resolver index survives a save from a copy that never saw the attribute', async () => {
    const r = repo({ indexResolver: new AttributeIndexResolver('tenant') });
    const s = await r.createSession();
    s.set('n', 0);
    await r.save(s);
    const stale = await r.findById(s.id);
    const other = await r.findById(s.id);
    other!.set('tenant', 'acme');
    await r.save(other!);
    stale!.set('n', 1);
    await r.save(stale!);
    expect([...(await r.findByIndexNameAndIndexValue('tenant', 'acme')).keys()]).toEqual([s.id]);
    stale!.delete('tenant');
    await r.save(stale!);
    expect((await r.findByIndexNameAndIndexValue('tenant', 'acme')).size).toBe(0);
  });

  it("indexes Spring Security's context name with the default resolver", async () => {
    const r = repo();
    const s = await r.createSession();
    await r.save(s);
    const copy = await r.findById(s.id);
    copy!.set(SPRING_SECURITY_CONTEXT, { authentication: { name: 'bob' } });
    await r.save(copy!);
    expect([...(await r.findByPrincipalName('bob')).keys()]).toEqual([s.id]);
    copy!.set(PRINCIPAL_NAME_INDEX_NAME, 'carol');
    await r.save(copy!);
    expect((await r.findByPrincipalName('bob')).size).toBe(0);
    expect([...(await r.findByPrincipalName('carol')).keys()]).toEqual([s.id]);
  });

  it('uses a custom serializer for stored values', async () => {
    const calls: string[] = [];
    const serializer: SessionSerializer = {
      serialize: (v, n) => {
        calls.push(`w:${n}`);
        return defaultSerializer.serialize(v, n);
      },
      deserialize: (t, n) => {
        calls.push(`r:${n}`);
        return defaultSerializer.deserialize(t, n);
      },
    };
    const r = repo({ serializer });
    const s = await r.createSession();
    s.set('name', 'ada');
    await r.save(s);
    expect((await r.findById(s.id))?.get('name')).toBe('ada');
    expect(calls).toEqual(['w:name', 'r:name']);
  });

  it('a stored value the serializer cannot read makes the session absent, logged and removed', async () => {
    const logger = quietLogger();
    let broken = false;
    const serializer: SessionSerializer = {
      serialize: (v, n) => defaultSerializer.serialize(v, n),
      deserialize: (t, n) => {
        if (broken) throw new Error('key rotated');
        return defaultSerializer.deserialize(t, n);
      },
    };
    const r = repo({ serializer, logger });
    const s = await r.createSession();
    s.set('secret', 'x');
    await r.save(s);
    broken = true;
    expect(await r.findById(s.id)).toBeNull();
    expect(logger.warnings).toHaveLength(1);
    expect(r.stats().sessions).toBe(0);
  });

  it('a serializer failure that is not a SessionSerializationError is wrapped into one', async () => {
    const serializer: SessionSerializer = {
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: (t) => t,
    };
    const r = repo({ serializer });
    const s = await r.createSession();
    s.set('x', 1);
    await expect(r.save(s)).rejects.toMatchObject({ code: 'SESSION_SERIALIZATION', attributeName: 'x' });
  });

  it('rejects sessions that are not MapSessions', async () => {
    const r = repo();
    await expect(r.save({ id: 'x' } as unknown as MapSession)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('accepts a MapSession built elsewhere as a new session', async () => {
    const r = repo();
    const s = new MapSession({ attributes: { a: 1 } });
    await r.save(s);
    expect((await r.findById(s.id))?.get('a')).toBe(1);
  });

  it('a new MapSession built with a stored id replaces that session, indexes included', async () => {
    const r = repo();
    const s = await r.createSession();
    s.set(PRINCIPAL_NAME_INDEX_NAME, 'ada');
    s.set('old', true);
    await r.save(s);
    const replacement = new MapSession({ id: s.id, attributes: { [PRINCIPAL_NAME_INDEX_NAME]: 'bob' } });
    await r.save(replacement);
    expect((await r.findByPrincipalName('ada')).size).toBe(0);
    expect([...(await r.findByPrincipalName('bob')).keys()]).toEqual([s.id]);
    expect((await r.findById(s.id))?.get('old')).toBeUndefined();
    expect(r.stats().sessions).toBe(1);
  });

  it('listeners may call the store while an event is delivered', async () => {
    const r = repo();
    const seen: string[] = [];
    r.on('deleted', async (e) => {
      seen.push(`deleted ${e.sessionId}`);
      const next = await r.createSession();
      next.set('from', 'listener');
      await r.save(next);
    });
    r.on('created', (e) => {
      seen.push(`created ${e.sessionId}`);
    });
    const s = await r.createSession();
    await r.save(s);
    await r.deleteById(s.id);
    await new Promise((res) => setTimeout(res, 10));
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(`created ${s.id}`);
    expect(seen[1]).toBe(`deleted ${s.id}`);
    expect(seen[2]).toMatch(/^created /);
    expect(r.stats().sessions).toBe(1);
  });

  it("'deleted' events carry a detached copy of the session", async () => {
    const r = repo();
    let carried: MapSession | null = null;
    r.on('deleted', (e) => {
      carried = e.session;
    });
    const s = await r.createSession();
    s.set('cart', ['a']);
    await r.save(s);
    await r.deleteById(s.id);
    expect((carried as MapSession | null)?.get('cart')).toEqual(['a']);
  });

  it("flushMode 'immediate' writes each change and coalesces changes made in one tick", async () => {
    const r = repo({ flushMode: 'immediate' });
    const s = await r.createSession();
    s.set('a', 1);
    s.set('b', 2);
    await settleImmediateFlush(s);
    const before = r.stats().operations;
    expect((await r.findById(s.id))?.get('b')).toBe(2);
    const copy = await r.findById(s.id);
    copy!.set('c', 3);
    copy!.set('d', 4);
    await settleImmediateFlush(copy!);
    // two finds plus one coalesced write
    expect(r.stats().operations - before).toBe(3);
    expect(r.peekStored(s.id)?.attributes.get('d')).toBe(4);
    await r.save(copy!);
  });

  it('keeps primitives bare and everything else serialized (isolation)', async () => {
    const r = repo();
    const s = await r.createSession();
    const when = new Date(5);
    s.set('when', when);
    s.set('n', 7n);
    await r.save(s);
    when.setTime(10);
    const found = await r.findById(s.id);
    expect(found?.get('when')).toEqual(new Date(5));
    expect(found?.get('n')).toBe(7n);
  });
});
