import { MemorySessionRepository } from '@session/memory';
import { describe, expect, it } from 'vitest';
import { AttributeWatch, HttpSessionManager } from '../src/index.js';
import { fakeExchange } from './support/fake-exchange.js';

async function stored(attributes: Record<string, unknown>) {
  const repository = new MemorySessionRepository();
  const session = await repository.createSession();
  for (const [name, value] of Object.entries(attributes)) session.set(name, value);
  await repository.save(session);
  const { exchange } = fakeExchange();
  exchange.request.headers = { cookie: `SESSION=${Buffer.from(session.id).toString('base64')}` } as never;
  const controller = await new HttpSessionManager({ repository }).open(exchange);
  let attention = 0;
  const watch = new AttributeWatch(controller.session, () => attention++);
  return { controller, watch, repository, attention: () => attention };
}

describe('AttributeWatch: in-place changes of watched values', () => {
  it('an object read and then changed in place is set again, so the save writes it', async () => {
    const { controller, watch, repository } = await stored({ cart: { items: ['a'] } });
    const cart = controller.session.get('cart') as { items: string[] };
    watch.watch('cart', cart);
    cart.items.push('b');
    watch.collect();
    await controller.commit();
    expect((await repository.findById(controller.session.id))?.get('cart')).toEqual({ items: ['a', 'b'] });
  });

  it('an object only read is not written, and asks for attention once', async () => {
    const { controller, watch, attention } = await stored({ cart: { items: ['a'] }, user: { name: 'x' } });
    watch.watch('cart', controller.session.get('cart'));
    watch.watch('user', controller.session.get('user'));
    watch.collect();
    expect(controller.needsCommit()).toBe(false);
    expect(attention()).toBe(1);
  });

  it('primitives are not watched; a value replaced meanwhile is left to the replacement', async () => {
    const { controller, watch, attention } = await stored({ n: 1, cart: { items: [] } });
    watch.watch('n', 1);
    expect(attention()).toBe(0);
    const cart = controller.session.get('cart') as { items: string[] };
    watch.watch('cart', cart);
    controller.session.set('cart', { items: ['new'] });
    cart.items.push('old object');
    watch.collect();
    expect(controller.session.get('cart')).toEqual({ items: ['new'] });
  });

  it('a value that cannot be copied is watched without failing, and counts as changed', async () => {
    const { controller, watch } = await stored({});
    const odd = { run: () => 1 };
    controller.session.set('odd', odd);
    watch.watch('odd', odd);
    watch.collect();
    expect(controller.session.get('odd')).toBe(odd);
    expect(controller.needsCommit()).toBe(true);
  });

  it('forgets what it watched when the session is replaced (invalidate)', async () => {
    const { controller, watch } = await stored({ cart: { items: [] } });
    const cart = controller.session.get('cart') as { items: string[] };
    watch.watch('cart', cart);
    await controller.session.invalidate();
    cart.items.push('late');
    watch.collect();
    expect(controller.session.names()).toEqual([]);
  });
});
