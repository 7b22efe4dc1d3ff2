import type { Session } from '@session/core';
import type { AnySession, SuiteContext } from '../context.js';

/** A second repository instance on the same backend sees the first one's writes. */
export function peerCases<S extends Session>(ctx: SuiteContext<S>): void {
  const { expect } = ctx;

  ctx.describe('peer instances (when the harness has createPeer)', () => {
    ctx.it('a peer finds, changes and deletes sessions saved by the first instance', async () => {
      await ctx.withHarness({}, async ({ saved, load, find, harness }) => {
        if (harness.createPeer === undefined) return ctx.notExercised('the harness has no createPeer');
        const peer = await harness.createPeer();
        const session = await saved({ a: 1 });
        const copy = (await peer.findById(session.id)) as unknown as AnySession | null;
        expect(copy?.get('a')).toBe(1);
        copy?.set('b', 2);
        await peer.save(copy as unknown as S);
        expect((await load(session.id)).get('b')).toBe(2);
        await peer.deleteById(session.id);
        expect(await find(session.id)).toBeNull();
      });
    });
  });
}
