import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionRepository } from '../src/index.js';

const repositories: MemorySessionRepository[] = [];
function repo(
  options: ConstructorParameters<typeof MemorySessionRepository>[0] = {},
): MemorySessionRepository {
  const r = new MemorySessionRepository(options);
  repositories.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(repositories.splice(0).map((r) => r.close()));
});

/** The ids of the sessions `r` reports expired, in the order of the events. */
function expiredIds(r: MemorySessionRepository): string[] {
  const expired: string[] = [];
  r.on('expired', (e) => {
    expired.push(e.sessionId);
  });
  return expired;
}

/** A new session with `maxInactiveIntervalMs`, saved. */
async function savedFor(r: MemorySessionRepository, maxInactiveIntervalMs: number) {
  const session = await r.createSession();
  session.maxInactiveIntervalMs = maxInactiveIntervalMs;
  await r.save(session);
  return session;
}

function runChild(
  script: string,
  limitMs: number,
): Promise<{ code: number | null; stdout: string; killed: boolean }> {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=dev-source', '--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    // Not a speed check: a process held open by a 30-minute timer would never exit by itself.
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, killed });
    });
  });
}

describe('expiry timer', () => {
  it('never keeps the process alive', async () => {
    const script = fileURLToPath(new URL('./fixtures/exits-on-its-own.ts', import.meta.url));
    const result = await runChild(script, 20_000);
    expect(result.stdout).toContain('saved 2');
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
  }, 30_000);

  it("fires 'expired' at the due time, not before, and within sweepIntervalMs after", async () => {
    const sweepIntervalMs = 50;
    const r = repo({ sweepIntervalMs });
    const arrivals = new Map<string, number>();
    r.on('expired', (e) => {
      arrivals.set(e.sessionId, Date.now());
    });
    const due = new Map<string, number>();
    for (const intervalMs of [120, 200, 260]) {
      const s = await savedFor(r, intervalMs);
      due.set(s.id, s.lastAccessedTime + intervalMs);
    }
    const last = Math.max(...due.values());
    while (arrivals.size < due.size && Date.now() < last + 2000)
      await new Promise((res) => setTimeout(res, 10));
    expect(arrivals.size).toBe(3);
    for (const [id, at] of arrivals) {
      const dueAt = due.get(id) as number;
      expect(at).toBeGreaterThanOrEqual(dueAt);
      // Generous slack for a loaded machine; the point is "close to due", not "eventually".
      expect(at - dueAt).toBeLessThan(sweepIntervalMs + 1000);
    }
  });

  it('carries a detached copy of the expired session in the event', async () => {
    const r = repo({ sweepIntervalMs: 0 });
    const events: Array<{ id: string; user: unknown }> = [];
    r.on('destroyed', (e) => {
      events.push({ id: e.sessionId, user: e.session?.get('user') });
    });
    const s = await r.createSession();
    s.set('user', { name: 'ada' });
    s.maxInactiveIntervalMs = 50;
    await r.save(s);
    while (events.length === 0) await new Promise((res) => setTimeout(res, 10));
    expect(events).toEqual([{ id: s.id, user: { name: 'ada' } }]);
  });

  it('re-arms for an earlier due time saved after a later one', async () => {
    const r = repo({ sweepIntervalMs: 0 });
    const expired = expiredIds(r);
    await savedFor(r, 60_000); // due later than the next one
    const early = await savedFor(r, 60);
    const deadline = Date.now() + 2000;
    while (expired.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(expired).toEqual([early.id]);
    expect(r.stats().sessions).toBe(1);
  });

  it('a read pushes the due time back (reads keep sessions alive)', async () => {
    // A fake clock keeps this independent of how busy the machine is.
    let now = 1_000_000;
    const r = repo({ clock: () => now, sweepIntervalMs: 0 });
    const s = await savedFor(r, 1000);
    for (let i = 0; i < 4; i++) {
      now += 600;
      expect(await r.findById(s.id)).not.toBeNull();
    }
    // 2400 ms after creation, well past the original due time, it is alive thanks to the reads.
    expect(r.peekStored(s.id)?.lastAccessedTime).toBe(1_002_400);
    now += 1000;
    expect(await r.findById(s.id)).toBeNull();
    expect(r.stats().expirations).toBe(1);
  });

  it('a session read before its due time is neither expired early by the timer nor forgotten by it', async () => {
    const r = repo({ sweepIntervalMs: 0 });
    const expiredAt: number[] = [];
    r.on('expired', () => {
      expiredAt.push(Date.now());
    });
    const s = await savedFor(r, 200);
    await new Promise((res) => setTimeout(res, 120));
    const read = await r.findById(s.id);
    expect(read).not.toBeNull();
    const extendedDue = (read?.lastAccessedTime as number) + 200;
    const deadline = Date.now() + 3000;
    while (expiredAt.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    // The timer armed for the first due time wakes, finds the read, and waits for the new one.
    expect(expiredAt).toHaveLength(1);
    expect(expiredAt[0]).toBeGreaterThanOrEqual(extendedDue);
    expect(r.stats().sessions).toBe(0);
  });

  it('close() stops the timer; reads still never return expired sessions', async () => {
    const r = repo({ sweepIntervalMs: 0 });
    const expired = expiredIds(r);
    const s = await savedFor(r, 50);
    await r.close();
    await r.close();
    await new Promise((res) => setTimeout(res, 150));
    expect(expired).toEqual([]);
    expect(r.stats().sessions).toBe(1);
    expect(await r.findById(s.id)).toBeNull();
    expect(r.stats().sessions).toBe(0);
  });

  it('expires a mass of sessions due at once in batches, all of them', async () => {
    let now = 1_000_000;
    const r = repo({ clock: () => now, sweepIntervalMs: 0, maxSessions: Number.POSITIVE_INFINITY });
    let expired = 0;
    r.on('expired', () => {
      expired++;
    });
    const count = 12_000; // more than two sweep batches
    for (let i = 0; i < count; i++) {
      await savedFor(r, 1000 + (i % 7));
    }
    const keep = await savedFor(r, -1);
    now += 60_000;
    // Saving a session due 1 ms from now re-arms the timer on the fake clock (which stands still,
    // so this one stays).
    await savedFor(r, 1); // the trigger
    const deadline = Date.now() + 10_000;
    while (expired < count && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(expired).toBe(count);
    expect(r.stats()).toMatchObject({ sessions: 2, expirations: count });
    expect(await r.findById(keep.id)).not.toBeNull();
  });
});

describe('expiry timer under wall-clock jumps', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a jump forward past the due time still brings 'expired' within a minute", async () => {
    vi.useFakeTimers();
    const r = repo({ sweepIntervalMs: 0 });
    const expired = expiredIds(r);
    const session = await savedFor(r, 30 * 60_000);
    // The wall clock jumps 31 minutes (a resumed VM); no monotonic time has passed.
    vi.setSystemTime(Date.now() + 31 * 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(expired).toEqual([session.id]);
  });

  it('a read after a jump backward does not move lastAccessedTime back (it never shortens the life)', async () => {
    let now = 1_000_000;
    const r = repo({ clock: () => now });
    const session = await savedFor(r, 60_000);
    now -= 30_000;
    const found = await r.findById(session.id);
    expect(found?.lastAccessedTime).toBe(1_000_000);
    expect(r.peekStored(session.id)?.lastAccessedTime).toBe(1_000_000);
    now = 1_000_000 + 59_000;
    expect(await r.findById(session.id)).not.toBeNull();
  });

  it('a jump backward only wakes the timer early: nothing expires before its due time', async () => {
    vi.useFakeTimers();
    const r = repo({ sweepIntervalMs: 0 });
    const expired = expiredIds(r);
    const session = await savedFor(r, 5 * 60_000);
    vi.setSystemTime(Date.now() - 10 * 60_000);
    await vi.advanceTimersByTimeAsync(6 * 60_000);
    // 6 minutes passed, but the wall clock reads 4 minutes before the save: not due.
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(expired).toEqual([session.id]);
  });
});
