/**
 * Renders docs/demo.png: the sessions page of a user signed in from three clients.
 *
 *   pnpm --filter @session/example-express-demo screenshot
 */
import { fileURLToPath } from 'node:url';
import { setPrincipalName } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { createDemo } from '../src/app.js';
import { ensureChromium, launchChromium } from './chromium.js';

const OUT = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const DESKTOP_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const missing = ensureChromium();
if (missing !== null) {
  console.error(missing);
  process.exit(1);
}

// The store's clock can be moved back, so seeded sessions look like they were used a while ago.
let offsetMs = 0;
const repository = new MemorySessionRepository({ clock: () => Date.now() + offsetMs });

/** Stores a session as if `username` had signed in from another client earlier. */
async function seed(
  userAgent: string,
  ip: string,
  via: 'browser' | 'api',
  signedInMinAgo: number,
  seenMinAgo: number,
) {
  offsetMs = -seenMinAgo * 60_000;
  const session = await repository.createSession();
  setPrincipalName(session, 'alice');
  session.set('userAgent', userAgent);
  session.set('ip', ip);
  session.set('via', via);
  session.set('csrf', 'seed');
  session.set('signedInAt', new Date(Date.now() - signedInMinAgo * 60_000));
  await repository.save(session);
  offsetMs = 0;
}
const demo = createDemo({ repository, storeLabel: 'memory:' });
const base = await demo.listen(0, '127.0.0.1');
const browser = await launchChromium();
try {
  const signIn = async (userAgent: string) => {
    const context = await browser.newContext({
      userAgent,
      viewport: { width: 1200, height: 820 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'demo');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    return page;
  };
  await seed(PHONE_UA, '198.51.100.23', 'browser', 26 * 60, 12);
  await seed('curl/8.5.0', '203.0.113.7', 'api', 47, 3);
  const page = await signIn(DESKTOP_UA);
  await page.reload();
  await page.screenshot({ path: OUT, fullPage: false });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await demo.close();
  await repository.close();
}
