import { PRINCIPAL_NAME_INDEX_NAME } from '@session/core';
import { decodeBase64Id, findSetCookie, send } from '../client.js';
import { inRounds, quietLogger, RACE_ROUNDS } from '../helpers.js';
import { LatencyRepository } from '../latency-repository.js';
import type { AdapterSuiteContext } from '../suite-context.js';
import type { StoreUnderTest } from '../types.js';

/**
 * Races of a login that rotates the id with a write, a second login and a logout, each
 * {@link RACE_ROUNDS} times over real HTTP with latency on every store call: no cookie for a missing
 * id, no acknowledged write lost, no logout undone.
 */
export function loginRaceCases(
  ctx: AdapterSuiteContext,
  store: StoreUnderTest,
  contexts: Array<{ close(): Promise<void> }>,
): void {
  const { describe, it, expect, harness, running, createSession } = ctx;

  describe(`races with a login that rotates the id (${RACE_ROUNDS} rounds each)`, () => {
    async function raceApp() {
      const context = await store.create();
      contexts.push(context);
      // Network-like latency on every call, so the two requests interleave in every order.
      const app = await harness.start({
        session: { repository: new LatencyRepository(context.repository), logger: quietLogger },
      });
      running.push(app);
      const exists = async (id: string) => (await context.repository.findById(id)) !== null;
      return { url: app.url, repository: context.repository, exists };
    }

    /** Every non-empty session cookie a response sets, as ids. */
    const cookieIds = (res: { setCookies: string[] }) =>
      res.setCookies
        .map((header) => findSetCookie([header]))
        .filter((cookie) => cookie !== undefined && cookie.value !== '')
        .map((cookie) => decodeBase64Id(cookie?.value ?? ''));

    it('login vs write: no cookie for a missing id, no acknowledged write lost, the user stays signed in', async () => {
      const { url, repository, exists } = await raceApp();
      const stats = { acknowledged: 0, conflicts: 0, lostAcknowledged: 0, deadCookies: 0 };
      await inRounds(async (round) => {
        const { cookie } = await createSession(url);
        const [login, write] = await Promise.all([
          send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
          send(`${url}/set?name=w&value=${round}`, { method: 'POST', cookie }),
        ]);
        expect(login.status).toBe(200);
        expect([200, 409]).toContain(write.status);
        for (const id of [...cookieIds(login), ...cookieIds(write)]) {
          if (!(await exists(id))) stats.deadCookies++;
        }
        const [loginId] = cookieIds(login);
        const after = loginId === undefined ? null : await repository.findById(loginId);
        expect(after?.get(PRINCIPAL_NAME_INDEX_NAME)).toBe(`u${round}`);
        if (write.status === 200) {
          stats.acknowledged++;
          if (after?.get('w') !== String(round)) stats.lostAcknowledged++;
        } else {
          stats.conflicts++;
          expect(JSON.parse(write.body)).toEqual({ error: 'SESSION_SAVE_CONFLICT' });
        }
      });
      expect({ deadCookies: stats.deadCookies, lostAcknowledged: stats.lostAcknowledged }).toEqual({
        deadCookies: 0,
        lostAcknowledged: 0,
      });
      expect(stats.acknowledged + stats.conflicts).toBe(RACE_ROUNDS);
    });

    it('login vs login (a double-submitted form): both sign in, no cookie for a missing id', async () => {
      const { url, repository } = await raceApp();
      let deadCookies = 0;
      await inRounds(async (round) => {
        const { cookie } = await createSession(url);
        const responses = await Promise.all([
          send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
          send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
        ]);
        for (const res of responses) {
          expect(res.status).toBe(200);
          const ids = cookieIds(res);
          expect(ids).toHaveLength(1);
          const found = await repository.findById(ids[0] as string);
          if (found === null) deadCookies++;
          else expect(found.get(PRINCIPAL_NAME_INDEX_NAME)).toBe(`u${round}`);
        }
      });
      expect(deadCookies).toBe(0);
    });

    it('logout vs login: the logout is never undone', async () => {
      const { url, repository, exists } = await raceApp();
      let undone = 0;
      await inRounds(async (round) => {
        const { cookie, id } = await createSession(url);
        const [logout, login] = await Promise.all([
          send(`${url}/logout`, { method: 'POST', cookie }),
          send(`${url}/login?user=u${round}`, { method: 'POST', cookie }),
        ]);
        expect(logout.status).toBe(200);
        expect(login.status).toBe(200);
        if (await exists(id)) undone++;
        // A login that lost the race may sign in afresh, but never keeps the logged-out session.
        for (const loginId of cookieIds(login)) {
          const survivor = await repository.findById(loginId);
          if (survivor !== null && survivor.get('seed') !== undefined) undone++;
        }
      });
      expect(undone).toBe(0);
    });
  });
}
