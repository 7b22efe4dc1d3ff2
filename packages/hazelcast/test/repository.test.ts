import {
  defaultSerializer,
  isSessionError,
  MapSession,
  PRINCIPAL_NAME_INDEX_NAME,
  type SessionEvent,
  type SessionSerializer,
  SessionStoreUnavailableError,
} from '@session/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HazelcastClient } from '../src/client.js';
import {
  DEFAULT_MAP_NAME,
  HazelcastSessionRepository,
  type HazelcastSessionRepositoryOptions,
} from '../src/repository.js';
import { FakeSessionMap, type FakeSessionMapOptions } from './support/fake-map.js';

const P = PRINCIPAL_NAME_INDEX_NAME;
const opened: Array<{ close(): Promise<void> }> = [];
const maps: FakeSessionMap[] = [];

afterEach(async () => {
  for (const r of opened.splice(0)) await r.close();
  for (const m of maps.splice(0)) m.dispose();
});

function fakeMap(options?: FakeSessionMapOptions): FakeSessionMap {
  const map = new FakeSessionMap(options);
  maps.push(map);
  return map;
}

async function open(
  map: FakeSessionMap,
  options: HazelcastSessionRepositoryOptions = {},
): Promise<HazelcastSessionRepository> {
  const repository = await HazelcastSessionRepository.create({ ...options, map });
  opened.push(repository);
  return repository;
}

async function saved(
  repo: HazelcastSessionRepository,
  attrs: Record<string, unknown> = {},
): Promise<MapSession> {
  const session = await repo.createSession();
  for (const [k, v] of Object.entries(attrs)) session.set(k, v);
  await repo.save(session);
  return session;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quietLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

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
});

describe('expiry by entry TTL', () => {
  it('sets the TTL to the remaining life, none for a negative interval, and restarts it on a read', async () => {
    const map = fakeMap({ ttlResolutionMs: 1 });
    const repo = await open(map);
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = 60_000;
    await repo.save(session);
    const due = map.expiresAt(session.id) as number;
    // The remaining life (one minute), not some default; the slack only absorbs a busy machine.
    expect(Math.abs(due - (session.lastAccessedTime + 60_000))).toBeLessThanOrEqual(1000);

    await sleep(200);
    const read = await repo.findById(session.id);
    expect(read?.lastAccessedTime).toBeGreaterThan(session.lastAccessedTime);
    expect((map.expiresAt(session.id) as number) - due).toBeGreaterThanOrEqual(100);
    expect((map.rawDocument(session.id) as { lastAccessedTime: number }).lastAccessedTime).toBe(
      read?.lastAccessedTime,
    );

    const eternal = await repo.createSession();
    eternal.maxInactiveIntervalMs = -1;
    await repo.save(eternal);
    expect(map.expiresAt(eternal.id)).toBeNull();
  });

  it('with touchOnRead false a read is one map operation and the next save writes the new lastAccessedTime', async () => {
    const map = fakeMap({ ttlResolutionMs: 1 });
    const repo = await open(map, { touchOnRead: false });
    const session = await saved(repo, { a: 1 });
    await sleep(20);
    const before = map.operations;
    const read = (await repo.findById(session.id)) as MapSession;
    expect(map.operations - before).toBe(1);
    expect(read.lastAccessedTime).toBeGreaterThan(session.lastAccessedTime);
    expect((map.rawDocument(session.id) as { lastAccessedTime: number }).lastAccessedTime).toBe(
      session.lastAccessedTime,
    );
    await repo.save(read);
    expect((map.rawDocument(session.id) as { lastAccessedTime: number }).lastAccessedTime).toBe(
      read.lastAccessedTime,
    );
  });

  it('a stored session past its idle time is not returned even before its entry expires', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = 50;
    await repo.save(session);
    await sleep(80);
    // The member rounds the TTL up to a second: the entry is still there, the session is not.
    expect(map.rawText(session.id)).toBeDefined();
    expect(await repo.findById(session.id)).toBeNull();
    const copy = session;
    copy.set('late', true);
    await repo.save(copy);
    expect((map.rawDocument(session.id) as { attributes: object }).attributes).toEqual({});
  });
});

describe('concurrent saves', () => {
  it('fails with SessionStoreUnavailableError after maxSaveAttempts lost compare-and-sets, writing nothing', async () => {
    const map = fakeMap();
    const repo = await open(map, { maxSaveAttempts: 3 });
    const session = await saved(repo, { a: 1 });
    const copy = (await repo.findById(session.id)) as MapSession;
    const text = map.rawText(session.id);
    // Another writer wins every race.
    const replace = vi.spyOn(map, 'replaceIfSame' as never).mockResolvedValue(false as never);
    copy.set('b', 2);
    const err = await repo.save(copy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect(String((err as Error).message)).toMatch(/after 3 compare-and-set attempts/);
    expect(replace).toHaveBeenCalledTimes(3);
    expect(map.rawText(session.id)).toBe(text);
  });

  it('a stale copy saved after a completed changeSessionId writes nothing: the old id stays gone', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const mover = (await repo.findById(session.id)) as MapSession;
    const stale = (await repo.findById(session.id)) as MapSession;
    const newId = mover.changeSessionId();
    await repo.save(mover);
    stale.set('late', 'x');
    await repo.save(stale);
    expect(map.keys()).toEqual([newId]);
    expect((await repo.findById(newId))?.get('late')).toBeUndefined();
  });

  /** Holds every call of one map operation until `open()` is called. */
  function gate(map: FakeSessionMap, operation: 'remove' | 'putIfAbsent') {
    const original = map[operation] as (...args: unknown[]) => Promise<unknown>;
    let release!: () => void;
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const waiting = new Promise<void>((resolve) => {
      reached = resolve;
    });
    vi.spyOn(map, operation as never).mockImplementation((async (...args: unknown[]) => {
      reached();
      await opened;
      return original(...args);
    }) as never);
    return { waiting, open: release };
  }

  for (const held of ['putIfAbsent', 'remove'] as const) {
    it(`a save that meets a changeSessionId in progress (${held} of the move pending) follows it to the new id`, async () => {
      const map = fakeMap();
      const repo = await open(map);
      const session = await saved(repo, { a: 1 });
      const mover = (await repo.findById(session.id)) as MapSession;
      const stale = (await repo.findById(session.id)) as MapSession;
      const newId = mover.changeSessionId();
      const hold = gate(map, held);
      const moving = repo.save(mover);
      await hold.waiting;
      // The old document now points at the new id; the new one is written (or about to be).
      expect(map.rawDocument(session.id)?.movedTo).toBe(newId);
      stale.set('late', 'x');
      const staleSave = repo.save(stale);
      await sleep(30);
      hold.open();
      await Promise.all([moving, staleSave]);
      expect(map.keys()).toEqual([newId]);
      const moved = await repo.findById(newId);
      expect(moved?.get('late')).toBe('x');
      expect(moved?.get('a')).toBe(1);
    });
  }

  it('saves racing a changeSessionId never bring the old id back', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const copies = (await Promise.all(
      Array.from({ length: 8 }, () => repo.findById(session.id)),
    )) as MapSession[];
    const mover = (await repo.findById(session.id)) as MapSession;
    const newId = mover.changeSessionId();
    for (const [i, copy] of copies.entries()) copy.set(`c${i}`, i);
    await Promise.all([repo.save(mover), ...copies.map((copy) => repo.save(copy))]);
    expect(map.keys()).toEqual([newId]);
    expect((await repo.findById(newId))?.get('a')).toBe(1);
  });
});

describe('first saves', () => {
  it('a first save retried after its putIfAbsent was applied but the response lost becomes an update', async () => {
    const map = fakeMap();
    const repo = await open(map, { logger: quietLogger() });
    const original = map.putIfAbsent;
    const spy = vi.spyOn(map, 'putIfAbsent').mockImplementationOnce(async (...args) => {
      await original(...args);
      throw new Error('connection reset by peer');
    });
    const session = await repo.createSession();
    session.set('a', 1);
    await expect(repo.save(session)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    session.set('b', 2);
    await repo.save(session);
    expect(spy).toHaveBeenCalledTimes(2);
    const found = await repo.findById(session.id);
    expect(found?.get('a')).toBe(1);
    expect(found?.get('b')).toBe(2);
    expect(session.getDelta().hasChanges).toBe(false);
  });

  it('a new session whose id is taken by another session still fails as an id collision', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const other = await saved(repo, { owner: 'other' });
    const stolen = new MapSession({ id: other.id, attributes: { x: 1 } });
    await expect(repo.save(stolen)).rejects.toMatchObject({ code: 'SESSION_INVALID_ID' });
    expect((await repo.findById(other.id))?.get('owner')).toBe('other');
  });
});

describe('TTL', () => {
  it('a read whose touch loses to a save that lengthened the interval leaves the longer TTL in place', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const writer = (await repo.findById(session.id)) as MapSession;
    writer.maxInactiveIntervalMs = 8 * 3600_000;
    const original = map.get;
    let raced = false;
    vi.spyOn(map, 'get').mockImplementation(async (key) => {
      const value = await original(key);
      if (!raced) {
        // Between the reader's get and its compare-and-set, another request saves a longer life.
        raced = true;
        await repo.save(writer);
      }
      return value;
    });
    await sleep(5); // so the read's touch has a later lastAccessedTime to write
    const read = await repo.findById(session.id);
    expect(raced).toBe(true);
    expect(read?.maxInactiveIntervalMs).toBe(8 * 3600_000);
    const remaining = (map.expiresAt(session.id) as number) - Date.now();
    expect(remaining).toBeGreaterThan(7 * 3600_000);
  });
});

describe('events', () => {
  it('changeSessionId emits neither created nor deleted, here or on a peer', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const peer = await open(map);
    const seen: string[] = [];
    for (const source of [repo, peer]) {
      for (const type of ['created', 'deleted', 'expired'] as const) {
        source.on(type, (e: SessionEvent) => {
          seen.push(`${type} ${e.sessionId}`);
        });
      }
    }
    const session = await saved(repo, { a: 1 });
    await sleep(20);
    expect(seen.sort()).toEqual([`created ${session.id}`, `created ${session.id}`]);
    seen.length = 0;
    const copy = (await repo.findById(session.id)) as MapSession;
    copy.changeSessionId();
    await repo.save(copy);
    await sleep(20);
    expect(seen).toEqual([]);
    await repo.deleteById(copy.id);
    await sleep(20);
    expect(seen.sort()).toEqual([`deleted ${copy.id}`, `deleted ${copy.id}`]);
  });

  it('events carry the session as it was stored', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const events: SessionEvent[] = [];
    repo.on('created', (e: SessionEvent) => {
      events.push(e);
    });
    repo.on('deleted', (e: SessionEvent) => {
      events.push(e);
    });
    const session = await saved(repo, { user: 'ada' });
    await repo.deleteById(session.id);
    await sleep(20);
    expect(events.map((e) => [e.type, e.session?.get('user')])).toEqual([
      ['created', 'ada'],
      ['deleted', 'ada'],
    ]);
  });

  it('removes with remove(), whose event carries the session, and falls back to delete() on maps without it', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const removeSpy = vi.spyOn(map, 'remove');
    const deleteSpy = vi.spyOn(map, 'delete');
    const session = await saved(repo, { a: 1 });
    await repo.deleteById(session.id);
    expect(removeSpy).toHaveBeenCalledWith(session.id);
    expect(deleteSpy).not.toHaveBeenCalled();

    // A SessionMap written before `remove` existed still works.
    const older = fakeMap();
    Object.defineProperty(older, 'remove', { value: undefined });
    const repo2 = await open(older);
    const other = await saved(repo2, { a: 1 });
    await repo2.deleteById(other.id);
    expect(older.keys()).toEqual([]);
    expect(await repo2.findById(other.id)).toBeNull();
  });

  it('with events: false it does not subscribe and says so in its capabilities', async () => {
    const map = fakeMap();
    const repo = await open(map, { events: false });
    expect(repo.capabilities).toEqual({ indexed: true, events: false, touchesOnRead: true });
    expect(map.listenerCount()).toBe(0);
  });
});

describe('bad data and failures', () => {
  it('treats an unreadable document as no session: logged and removed', async () => {
    const map = fakeMap();
    const logger = quietLogger();
    const repo = await open(map, { logger });
    const id = 'a'.repeat(32);
    map.plant(id, '{"not":"a session"}');
    expect(await repo.findById(id)).toBeNull();
    expect(logger.warn).toHaveBeenCalled();
    await sleep(10);
    expect(map.rawText(id)).toBeUndefined();

    const broken = 'b'.repeat(32);
    map.plant(
      broken,
      JSON.stringify({
        id: broken,
        creationTime: 1,
        lastAccessedTime: Date.now(),
        maxInactiveIntervalMs: -1,
        attributes: { x: { $session: 9 } },
      }),
    );
    expect(await repo.findById(broken)).toBeNull();
    await sleep(10);
    expect(map.rawText(broken)).toBeUndefined();
  });

  it('turns map failures into SessionStoreUnavailableError', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    map.failWith(new Error('TargetDisconnectedError'));
    const err = await repo.findById(session.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect((err as SessionStoreUnavailableError).status).toBe(503);
    expect(String((err as Error).message)).toMatch(/Hazelcast get failed: TargetDisconnectedError/);
    map.failWith(undefined);
    expect((await repo.findById(session.id))?.get('a')).toBe(1);
  });
});

describe('lifecycle and options', () => {
  it('uses a given client without shutting it down, and removes its listener on close', async () => {
    const map = fakeMap();
    const shutdown = vi.fn(async () => {});
    const getMap = vi.fn(async () => map);
    const client = { getMap, shutdown } as unknown as HazelcastClient;
    const repo = await HazelcastSessionRepository.create({ client });
    expect(getMap).toHaveBeenCalledWith(DEFAULT_MAP_NAME);
    expect(map.listenerCount()).toBe(1);
    await repo.close();
    await repo.close();
    expect(shutdown).not.toHaveBeenCalled();
    expect(map.listenerCount()).toBe(0);
    const err = await repo.findById('a'.repeat(32)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSessionError(err, 'SESSION_STORE_UNAVAILABLE')).toBe(true);
  });

  it('derives the map name from namespace, and mapName wins', async () => {
    const map = fakeMap();
    const getMap = vi.fn(async () => map);
    const client = { getMap, shutdown: vi.fn() } as unknown as HazelcastClient;
    expect(new HazelcastSessionRepository({ client, namespace: 'shop' }).mapName).toBe('shop:sessions');
    expect(new HazelcastSessionRepository({ client, namespace: 'shop', mapName: 'm' }).mapName).toBe('m');
    expect(new HazelcastSessionRepository({ client }).mapName).toBe('spring:session:sessions');
  });

  it('rejects conflicting and out-of-range options with InvalidArgumentError', () => {
    const map = fakeMap();
    expect(() => new HazelcastSessionRepository({ map, clientConfig: {} })).toThrow(
      /at most one of client, clientConfig and map/,
    );
    expect(() => new HazelcastSessionRepository({ map, maxSaveAttempts: 0 })).toThrow(
      /maxSaveAttempts must be a positive integer/,
    );
    expect(() => new HazelcastSessionRepository({ map, connectTimeoutMs: -5 })).toThrow(/connectTimeoutMs/);
    try {
      new HazelcastSessionRepository({ map, maxSaveAttempts: 1.5 });
    } catch (err) {
      expect(isSessionError(err, 'SESSION_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('fails to start with SessionStoreUnavailableError within the connect timeout when no member answers', async () => {
    const { createServer } = await import('node:net');
    // A port nothing listens on: bind one, note it, close it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    const err = await HazelcastSessionRepository.create({
      clientConfig: {
        network: { clusterMembers: [`127.0.0.1:${port}`] },
        properties: { 'hazelcast.logging.level': 'OFF' },
      },
      connectTimeoutMs: 1000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SessionStoreUnavailableError);
    expect(String((err as Error).message)).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('never sends a malformed id to the map', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const before = map.operations;
    for (const id of ['', 'short', '../../etc/passwd', '*'.repeat(20), 'a'.repeat(200)]) {
      expect(await repo.findById(id)).toBeNull();
      await repo.deleteById(id);
    }
    expect(map.operations).toBe(before);
  });
});
