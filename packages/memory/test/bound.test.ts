import type { SessionEvent, SessionLogger } from '@session/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository, type MemorySessionRepositoryOptions } from '../src/index.js';

const repositories: MemorySessionRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

function setup(options: MemorySessionRepositoryOptions) {
  const warnings: string[] = [];
  const logger: SessionLogger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  const repository = new MemorySessionRepository({ logger, sweepIntervalMs: 0, ...options });
  repositories.push(repository);
  const events: Array<[string, string]> = [];
  const record = (e: SessionEvent) => {
    events.push([e.type, e.sessionId]);
  };
  repository.on('deleted', record);
  repository.on('expired', record);
  return { repository, warnings, events };
}

async function store(repository: MemorySessionRepository, intervalMs?: number): Promise<string> {
  const s = await repository.createSession();
  s.set('n', 1);
  if (intervalMs !== undefined) s.maxInactiveIntervalMs = intervalMs;
  await repository.save(s);
  return s.id;
}

describe('maxSessions bound', () => {
  it('evicts the least recently accessed session and emits deleted for it', async () => {
    const { repository, events } = setup({ maxSessions: 3 });
    const a = await store(repository);
    const b = await store(repository);
    const c = await store(repository);
    await repository.findById(a); // a is now more recent than b
    const d = await store(repository);
    expect(events).toEqual([['deleted', b]]);
    expect(await repository.findById(b)).toBeNull();
    for (const id of [a, c, d]) expect(await repository.findById(id)).not.toBeNull();
    expect(repository.stats()).toMatchObject({ sessions: 3, evictions: 1 });
  });

  it('a save counts as an access for eviction order', async () => {
    const { repository, events } = setup({ maxSessions: 2 });
    const a = await store(repository);
    const b = await store(repository);
    const copy = await repository.findById(a);
    await repository.findById(b);
    copy?.set('n', 2);
    await repository.save(copy!);
    await store(repository);
    expect(events).toEqual([['deleted', b]]);
  });

  it('drops expired sessions before evicting live ones', async () => {
    let now = 1_000_000;
    const { repository, events } = setup({ maxSessions: 2, clock: () => now });
    const live = await store(repository, 60_000);
    const dying = await store(repository, 1000);
    await repository.findById(dying); // most recently accessed, but about to expire
    now += 5000;
    const fresh = await store(repository);
    expect(events).toEqual([['expired', dying]]);
    expect(await repository.findById(live)).not.toBeNull();
    expect(await repository.findById(fresh)).not.toBeNull();
    expect(repository.stats().evictions).toBe(0);
  });

  it('only new sessions are bounded: saving existing ones and changing ids evicts nothing', async () => {
    const { repository, events } = setup({ maxSessions: 2 });
    const a = await store(repository);
    await store(repository);
    const copy = await repository.findById(a);
    copy!.set('x', 1);
    copy!.changeSessionId();
    await repository.save(copy!);
    expect(events).toEqual([]);
    expect(repository.stats().sessions).toBe(2);
  });

  it('warns once when the bound is first reached', async () => {
    const { repository, warnings } = setup({ maxSessions: 1 });
    for (let i = 0; i < 4; i++) await store(repository);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('maxSessions 1');
    expect(repository.stats()).toMatchObject({ sessions: 1, evictions: 3 });
  });

  it('evicted sessions leave the indexes', async () => {
    const { repository } = setup({ maxSessions: 1 });
    const s = await repository.createSession();
    s.set('org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME', 'ada');
    await repository.save(s);
    await store(repository);
    expect((await repository.findByPrincipalName('ada')).size).toBe(0);
    expect(
      repository.peekIndex(
        'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME',
        'ada',
      ),
    ).toEqual([]);
  });

  it('defaults to 100 000 and accepts Infinity', async () => {
    const { repository } = setup({ maxSessions: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 10; i++) await store(repository);
    expect(repository.stats().sessions).toBe(10);
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])('rejects maxSessions %s', (value) => {
    expect(() => new MemorySessionRepository({ maxSessions: value as number })).toThrow(/maxSessions/);
  });

  it.each([-1, Number.POSITIVE_INFINITY, Number.NaN])('rejects sweepIntervalMs %s', (value) => {
    expect(() => new MemorySessionRepository({ sweepIntervalMs: value })).toThrow(/sweepIntervalMs/);
  });
});
