import type { MapSession } from '@session/core';
import { describe, expect, it, vi } from 'vitest';
import { ENTRY_TTL_CLOCK_MARGIN_MS, entryTtlUntil } from '../src/entry-ttl.js';
import { raceAfterFirstGet, sleep, useFakeMaps } from './support/fixtures.js';

const { fakeMap, open, saved } = useFakeMaps();

describe('entry TTL', () => {
  it('ends on a whole second at or after the due time, plus the clock margin; 0 (forever) for no due time', () => {
    const second = 1_700_000_000_000;
    // Due 2,000 ms after a save 900 ms into a second: the next whole second after the due time is
    // 2,100 ms away; one more second of margin.
    expect(entryTtlUntil(second + 900 + 2000, second + 900)).toBe(2100 + ENTRY_TTL_CLOCK_MARGIN_MS);
    // Due exactly on a whole second: that second, plus the margin.
    expect(entryTtlUntil(second + 5000, second)).toBe(5000 + ENTRY_TTL_CLOCK_MARGIN_MS);
    expect(entryTtlUntil(null, second)).toBe(0);
    // Long past due: the shortest TTL there is, never 0 (which a member reads as forever).
    expect(entryTtlUntil(second - 60_000, second)).toBe(1);
  });

  it('an entry outlives its session on a member that rounds expiry down to whole seconds, wherever in the second the write lands', async () => {
    // A member keeps floor((now + ttl) / 1 s): sending the remaining life as the TTL made entries
    // (and their 'expired' events) end up to a second before the session was due.
    const second = Math.floor(Date.now() / 1000) * 1000 + 10_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    const map = fakeMap();
    const repo = await open(map);
    for (const offset of [50, 300, 600, 900]) {
      vi.setSystemTime(second + offset);
      const session = await repo.createSession();
      session.maxInactiveIntervalMs = 2000;
      session.set('a', 1);
      await repo.save(session);
      const dueAfterInsert = session.lastAccessedTime + 2000;
      expect(map.expiresAt(session.id)).toBeGreaterThanOrEqual(dueAfterInsert);

      // A compare-and-set update with a new lastAccessedTime restarts the TTL the same way.
      vi.setSystemTime(second + 1000 + offset);
      session.lastAccessedTime = Date.now();
      session.set('a', 2);
      expect((await repo.save(session)).status).toBe('written');
      expect(map.expiresAt(session.id)).toBeGreaterThanOrEqual(session.lastAccessedTime + 2000);

      // So does the touch of a read.
      vi.setSystemTime(second + 2000 + offset);
      const read = (await repo.findById(session.id)) as MapSession;
      expect(read.lastAccessedTime).toBe(Date.now());
      const due = read.lastAccessedTime + 2000;
      expect(map.expiresAt(session.id)).toBeGreaterThanOrEqual(due);
      // ...and not for much longer: at most the whole-second rounding plus the clock margin.
      expect(map.expiresAt(session.id)).toBeLessThanOrEqual(due + 1000 + ENTRY_TTL_CLOCK_MARGIN_MS);
    }
  });

  it('sets the TTL on the first save, none for a negative interval, and restarts it on a read', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = 60_000;
    await repo.save(session);
    const due = session.lastAccessedTime + 60_000;
    const expiresAt = map.expiresAt(session.id) as number;
    // The session's own life (one minute), not some default, and never less.
    expect(expiresAt).toBeGreaterThanOrEqual(due);
    expect(expiresAt).toBeLessThanOrEqual(due + 2000);

    await sleep(20);
    const read = await repo.findById(session.id);
    expect(read?.lastAccessedTime).toBeGreaterThan(session.lastAccessedTime);
    expect(map.expiresAt(session.id) as number).toBeGreaterThanOrEqual(
      (read?.lastAccessedTime as number) + 60_000,
    );
    expect((map.rawDocument(session.id) as { lastAccessedTime: number }).lastAccessedTime).toBe(
      read?.lastAccessedTime,
    );

    const eternal = await repo.createSession();
    eternal.maxInactiveIntervalMs = -1;
    await repo.save(eternal);
    expect(map.expiresAt(eternal.id)).toBeNull();
  });

  it('with touchOnRead false a read is one map operation and the next save writes the new lastAccessedTime', async () => {
    const map = fakeMap();
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

  it('a session past its idle time is neither returned nor saved while its entry is still held ("expired")', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await repo.createSession();
    session.maxInactiveIntervalMs = 50;
    await repo.save(session);
    await sleep(80);
    // The entry outlives the due time by a second or more: the stored times decide.
    expect(map.rawText(session.id)).toBeDefined();
    expect(await repo.findById(session.id)).toBeNull();
    session.set('late', true);
    expect(await repo.save(session)).toEqual({ status: 'expired', id: session.id });
    expect((map.rawDocument(session.id) as { attributes: object }).attributes).toEqual({});
  });

  it('a read whose touch loses to a save that lengthened the interval leaves the longer TTL in place', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const writer = (await repo.findById(session.id)) as MapSession;
    writer.maxInactiveIntervalMs = 8 * 3600_000;
    // Between the reader's get and its compare-and-set, another request saves a longer life.
    const raced = raceAfterFirstGet(map, () => repo.save(writer));
    await sleep(5); // so the read's touch has a later lastAccessedTime to write
    const read = await repo.findById(session.id);
    expect(raced()).toBe(true);
    expect(read?.maxInactiveIntervalMs).toBe(8 * 3600_000);
    const remaining = (map.expiresAt(session.id) as number) - Date.now();
    expect(remaining).toBeGreaterThan(7 * 3600_000);
  });
});
