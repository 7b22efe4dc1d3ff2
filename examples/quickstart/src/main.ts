/**
 * Quickstart: a whole session lifecycle against any store, chosen by config. From the repository
 * root (or with `pnpm start` in examples/quickstart):
 *
 *   pnpm quickstart                                          # in-memory store
 *   SESSION_STORE=redis://127.0.0.1:6379 pnpm quickstart     # same code on a Redis you run
 *
 * This example depends on @session/memory and @session/redis, so both URLs work inside the
 * workspace. In your own app, install the store you configure (`npm install @session/redis`).
 */
import {
  createRepositoryFromConfig,
  isIndexedRepository,
  PRINCIPAL_NAME_INDEX_NAME,
  setPrincipalName,
  supportsEvents,
} from '@session/core';

const storeUrl = process.env.SESSION_STORE ?? 'memory:';
const started = Date.now();
const log = (message: string) => console.log(`[+${String(Date.now() - started).padStart(5)} ms] ${message}`);
const short = (id: string) => `${id.slice(0, 8)}…`;

const repository = await createRepositoryFromConfig(storeUrl);
log(
  `store: ${storeUrl} (indexed: ${repository.capabilities.indexed}, events: ${repository.capabilities.events})`,
);

if (supportsEvents(repository)) {
  repository.on('created', (e) => log(`event created   ${short(e.sessionId)}`));
  repository.on('deleted', (e) => log(`event deleted   ${short(e.sessionId)}`));
  repository.on('expired', (e) => log(`event expired   ${short(e.sessionId)}`));
}

// Alice signs in on two devices.
const laptop = await repository.createSession();
setPrincipalName(laptop, 'alice');
laptop.set('device', 'laptop');
laptop.set('signedInAt', new Date());
laptop.set('cart', new Map([['sku-42', 2]]));
await repository.save(laptop);
log(`saved laptop session ${short(laptop.id)}`);

const phone = await repository.createSession();
setPrincipalName(phone, 'alice');
phone.set('device', 'phone');
await repository.save(phone);
log(`saved phone session  ${short(phone.id)}`);

// A session nobody saves is never stored.
const anonymous = await repository.createSession();
log(`unsaved session ${short(anonymous.id)} in store: ${(await repository.findById(anonymous.id)) !== null}`);

if (isIndexedRepository(repository)) {
  const sessions = await repository.findByPrincipalName('alice');
  log(
    `alice has ${sessions.size} sessions: ${[...sessions.values()].map((s) => s.get('device')).join(', ')}`,
  );
}

// Fixation protection: the id changes, the attributes stay.
const loaded = await repository.findById(laptop.id);
if (loaded === null) throw new Error('laptop session vanished');
const oldId = loaded.id;
loaded.changeSessionId();
await repository.save(loaded);
const cart = (await repository.findById(loaded.id))?.get('cart');
log(
  `changed id ${short(oldId)} -> ${short(loaded.id)}; old id found: ${(await repository.findById(oldId)) !== null}; cart kept: ${JSON.stringify([...((cart as Map<string, number>) ?? [])])}`,
);

// "Sign out everywhere else": delete the phone session.
await repository.deleteById(phone.id);
if (isIndexedRepository(repository)) {
  const left = await repository.findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, 'alice');
  log(`after revoking the phone, alice has ${left.size} session(s)`);
}

// A short-lived session expires by itself. (Don't poll it with findById: every read is an
// access and keeps it alive, exactly like a user clicking around.)
const brief = await repository.createSession();
brief.maxInactiveIntervalMs = 1000;
brief.set('purpose', 'demo of expiry');
const expired = supportsEvents(repository)
  ? new Promise<void>((resolve) => {
      const stop = repository.on('expired', (e) => {
        if (e.sessionId === brief.id) {
          stop();
          resolve();
        }
      });
    })
  : new Promise<void>((resolve) => setTimeout(resolve, 1500));
await repository.save(brief);
log(`saved a 1 s session ${short(brief.id)}; waiting for it to expire…`);
let giveUp: NodeJS.Timeout | undefined;
await Promise.race([expired, new Promise((resolve) => (giveUp = setTimeout(resolve, 15_000)))]);
// A pending timer would keep the process alive after "done".
clearTimeout(giveUp);
log(`1 s session found after expiry: ${(await repository.findById(brief.id)) !== null}`);

await repository.close?.();
log('done');
