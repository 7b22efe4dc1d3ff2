import { ID_CHANGE_TRAIL_MS, MapSession, PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { describe, expect, it } from 'vitest';
import type { FakeSessionMap } from './support/fake-map.js';
import { raceAfterFirstGet, recordEvents, sleep, useFakeMaps } from './support/fixtures.js';
import { sessionDocumentOf } from './support/harness.js';

const P = PRINCIPAL_NAME_INDEX_NAME;
const { fakeMap, open, saved, gate } = useFakeMaps();

/** True when the map holds a session (not a move marker) under `id`. */
const holdsSession = (map: FakeSessionMap, id: string) =>
  sessionDocumentOf(id, map.rawText(id)) !== undefined;

describe('changeSessionId: the move and its marker', () => {
  it('leaves a marker under the old id for the id-change trail: the new id, no session data, a TTL of the trail', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { [P]: 'ada', secret: 's' });
    const copy = (await repo.findById(session.id)) as MapSession;
    const before = Date.now();
    const newId = copy.changeSessionId();
    expect(await repo.save(copy)).toEqual({ status: 'written', id: newId });
    const marker = map.rawDocument(session.id) as Record<string, unknown>;
    expect(marker.movedTo).toBe(newId);
    expect(marker.movedAt).toBeGreaterThanOrEqual(before);
    // The old id must give nothing away: no attributes, no index fields.
    expect(marker.attributes).toEqual({});
    expect(marker).not.toHaveProperty('principal');
    const expiresAt = map.expiresAt(session.id) as number;
    expect(expiresAt).toBeGreaterThanOrEqual((marker.movedAt as number) + ID_CHANGE_TRAIL_MS);
    expect(expiresAt).toBeLessThanOrEqual((marker.movedAt as number) + ID_CHANGE_TRAIL_MS + 2000);
    // The moved session carries no trace of the move once it is written again.
    expect(map.rawDocument(newId)?.movedFrom).toBe(session.id);
    const moved = (await repo.findById(newId)) as MapSession;
    expect(moved.get('secret')).toBe('s');
    expect(map.rawDocument(newId)?.movedFrom).toBeUndefined();
  });

  for (const held of ['putIfAbsent', 'setTtl'] as const) {
    it(`a copy saved while another copy's changeSessionId is under way (${held} pending) reports "moved" and its change never reaches the new id`, async () => {
      const map = fakeMap();
      const repo = await open(map);
      const session = await saved(repo, { a: 1 });
      const mover = (await repo.findById(session.id)) as MapSession;
      const stale = (await repo.findById(session.id)) as MapSession;
      const newId = mover.changeSessionId();
      const hold = gate(map, held);
      const moving = repo.save(mover);
      await hold.waiting;
      // The old document is already a marker pointing at the new id.
      expect(map.rawDocument(session.id)?.movedTo).toBe(newId);
      stale.set('late', 'x');
      // Following the marker would hand the post-login session to whoever holds the old id.
      expect(await repo.save(stale)).toEqual({ status: 'moved', id: session.id });
      hold.open();
      expect(await moving).toEqual({ status: 'written', id: newId });
      const moved = (await repo.findById(newId)) as MapSession;
      expect(moved.get('a')).toBe(1);
      expect(moved.get('late')).toBeUndefined();
      expect(holdsSession(map, session.id)).toBe(false);
    });
  }

  it("a stale copy's TTL restart that lost its race to the move does not keep the marker beyond the trail", async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const mover = (await repo.findById(session.id)) as MapSession;
    const stale = (await repo.findById(session.id)) as MapSession;
    mover.changeSessionId();
    await repo.save(mover);
    const movedAt = map.rawDocument(session.id)?.movedAt as number;
    // The stale copy's compare-and-set (on the text it read) travels with a TTL restart of the
    // session's 30 minutes, which lands on the marker.
    stale.set('late', 'x');
    expect((await repo.save(stale)).status).toBe('moved');
    expect(map.expiresAt(session.id) as number).toBeLessThanOrEqual(movedAt + ID_CHANGE_TRAIL_MS + 2000);
  });

  it('a read whose touch lost its race to the move does not keep the marker beyond the trail, and finds no session', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const mover = (await repo.findById(session.id)) as MapSession;
    mover.changeSessionId();
    // Between the reader's get and its touch, a login rotates the id.
    const raced = raceAfterFirstGet(map, () => repo.save(mover));
    await sleep(5); // so the read has a later lastAccessedTime to write
    expect(await repo.findById(session.id)).toBeNull();
    expect(raced()).toBe(true);
    const movedAt = map.rawDocument(session.id)?.movedAt as number;
    expect(map.expiresAt(session.id) as number).toBeLessThanOrEqual(movedAt + ID_CHANGE_TRAIL_MS + 2000);
  });

  it('copies saved around a changeSessionId are either written before the move (and moved with it) or report "moved"', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const copies = (await Promise.all(
      Array.from({ length: 8 }, () => repo.findById(session.id)),
    )) as MapSession[];
    const mover = (await repo.findById(session.id)) as MapSession;
    const newId = mover.changeSessionId();
    for (const [i, copy] of copies.entries()) copy.set(`c${i}`, i);
    const [moverOutcome, ...outcomes] = await Promise.all([
      repo.save(mover),
      ...copies.map((c) => repo.save(c)),
    ]);
    expect(moverOutcome).toEqual({ status: 'written', id: newId });
    const moved = (await repo.findById(newId)) as MapSession;
    expect(moved.get('a')).toBe(1);
    for (const [i, outcome] of outcomes.entries()) {
      expect(['written', 'moved']).toContain(outcome?.status);
      // A write that landed before the move went with it; one that found the marker wrote nothing.
      expect(moved.get(`c${i}`)).toBe(outcome?.status === 'written' ? i : undefined);
    }
    expect(holdsSession(map, session.id)).toBe(false);
  });

  it('a changed id that is already taken puts the old session back and fails as an id collision', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const other = await saved(repo, { owner: 'other' });
    const before = map.rawText(session.id);
    // A copy whose id generator repeats an id that is in use.
    const copy = new MapSession({
      id: session.id,
      creationTime: session.creationTime,
      lastAccessedTime: session.lastAccessedTime,
      maxInactiveIntervalMs: session.maxInactiveIntervalMs,
      attributes: { a: 1 },
      isNew: false,
      idGenerator: () => other.id,
    });
    copy.changeSessionId();
    await expect(repo.save(copy)).rejects.toMatchObject({ code: 'SESSION_INVALID_ID' });
    expect(map.rawText(session.id)).toBe(before);
    expect((await repo.findById(session.id))?.get('a')).toBe(1);
    expect((await repo.findById(other.id))?.get('owner')).toBe('other');
  });
});

describe('changeSessionId: deleteById follows the trail', () => {
  it('deleteById of the old id while the move is under way still deletes the session: the move sees its marker gone', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const mover = (await repo.findById(session.id)) as MapSession;
    const newId = mover.changeSessionId();
    const hold = gate(map, 'putIfAbsent');
    const moving = repo.save(mover);
    await hold.waiting;
    // A logout presenting the old id arrives between the marker and the new document.
    await repo.deleteById(session.id);
    hold.open();
    expect(await moving).toEqual({ status: 'deleted', id: session.id });
    expect(await repo.findById(newId)).toBeNull();
    expect(map.keys()).toEqual([]);
  });

  it('deleteById follows several id changes in a row', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const ids = [session.id];
    const copy = (await repo.findById(session.id)) as MapSession;
    for (let i = 0; i < 3; i++) {
      ids.push(copy.changeSessionId());
      expect((await repo.save(copy)).status).toBe('written');
    }
    await repo.deleteById(ids[0] as string);
    for (const id of ids) expect(holdsSession(map, id)).toBe(false);
    expect(await repo.findById(copy.id)).toBeNull();
  });

  it('deleteById does not follow a marker older than the id-change trail', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const live = await saved(repo, { a: 1 });
    const oldId = 'o'.repeat(32);
    const movedAt = Date.now() - ID_CHANGE_TRAIL_MS - 1;
    map.plant(
      oldId,
      JSON.stringify({
        id: oldId,
        creationTime: movedAt,
        lastAccessedTime: movedAt,
        maxInactiveIntervalMs: 1_800_000,
        attributes: {},
        movedTo: live.id,
        movedAt,
      }),
      5000,
    );
    await repo.deleteById(oldId);
    expect((await repo.findById(live.id))?.get('a')).toBe(1);
    expect(await repo.movedRecently(oldId)).toBe(false);
  });

  it('movedRecently is true for an id changed within the trail and false for others', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { a: 1 });
    const untouched = await saved(repo, { b: 1 });
    const copy = (await repo.findById(session.id)) as MapSession;
    const newId = copy.changeSessionId();
    await repo.save(copy);
    expect(await repo.movedRecently(session.id)).toBe(true);
    expect(await repo.movedRecently(newId)).toBe(false);
    expect(await repo.movedRecently(untouched.id)).toBe(false);
    expect(await repo.movedRecently('x'.repeat(32))).toBe(false);
  });
});

describe('changeSessionId: a marker is no session', () => {
  it('index queries never return a marker, even one that still carries index fields (written by an earlier version)', async () => {
    const map = fakeMap();
    const repo = await open(map);
    const session = await saved(repo, { [P]: 'ada' });
    const oldId = 'm'.repeat(32);
    map.plant(
      oldId,
      JSON.stringify({ ...map.rawDocument(session.id), id: oldId, movedTo: session.id }),
      5000,
    );
    expect([...(await repo.findByPrincipalName('ada')).keys()]).toEqual([session.id]);
    expect(await repo.findById(oldId)).toBeNull();
  });

  it("the marker's expiry and its removal by deleteById are no session events, here or on a peer", async () => {
    const map = fakeMap();
    const repo = await open(map);
    const peer = await open(map);
    const seen = recordEvents(repo, peer);
    const first = await saved(repo, { a: 1 });
    const second = await saved(repo, { a: 2 });
    for (const session of [first, second]) {
      const copy = (await repo.findById(session.id)) as MapSession;
      copy.changeSessionId();
      await repo.save(copy);
    }
    await sleep(20);
    seen.length = 0;
    // The first marker reaches the end of its trail (sooner than 10 s here).
    await map.setTtl(first.id, 1);
    await sleep(50);
    expect(map.rawText(first.id)).toBeUndefined();
    // The second marker is removed by a logout presenting the old id: only the moved session's deletion is an event.
    const movedSecond = map.rawDocument(second.id)?.movedTo as string;
    await repo.deleteById(second.id);
    await sleep(20);
    expect(seen.sort()).toEqual([`deleted ${movedSecond}`, `deleted ${movedSecond}`]);
  });
});
