import { MemorySessionRepository } from '@session/memory';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchChromium } from '../scripts/chromium.js';
import { createDemo, type Demo } from '../src/app.js';

// Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core. When Chromium is
// missing, beforeAll runs .ci/setup-browser.sh; only if that cannot install it is the test skipped,
// with the reason printed.
let skipReason: string | null = null;
let browser: Browser | undefined;
let demo: Demo | undefined;
let repository: MemorySessionRepository | undefined;
let base = '';

beforeAll(async () => {
  skipReason = ensureChromium();
  if (skipReason !== null) {
    console.warn(`[express-demo browser test] SKIPPED: ${skipReason}`);
    return;
  }
  repository = new MemorySessionRepository();
  // Fast heartbeats so the live page shows traffic within the test.
  demo = createDemo({ repository, storeLabel: 'memory:', heartbeatMs: 500 });
  base = await demo.listen(0, '127.0.0.1');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await repository?.close();
});

async function signIn(context: BrowserContext, username: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await expect.poll(() => page.textContent('.hint')).toContain('demo');
  await page.fill('#username', username);
  await page.fill('#password', 'demo');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  return page;
}

describe('express demo in a real browser', () => {
  it('revoking a session from one browser signs the other out and closes its live socket', async (ctx) => {
    if (skipReason !== null || browser === undefined) {
      console.warn(`[express-demo browser test] SKIPPED: ${skipReason}`);
      ctx.skip();
      return;
    }
    const laptop = await browser.newContext();
    const phone = await browser.newContext({
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    });
    try {
      const laptopPage = await signIn(laptop, 'alice');
      const phonePage = await signIn(phone, 'alice');

      // The phone keeps the live page open: connected, heartbeats flowing.
      await phonePage.goto(`${base}/live`);
      const status = phonePage.locator('#status');
      await expect.poll(() => status.getAttribute('data-state')).toBe('connected');
      await expect.poll(async () => Number(await phonePage.textContent('#heartbeats'))).toBeGreaterThan(0);
      expect(await phonePage.isVisible('#ended')).toBe(false);

      // The laptop sees both sessions, itself marked as the current one.
      await laptopPage.reload();
      const rows = laptopPage.locator('[data-testid=session]');
      expect(await rows.count()).toBe(2);
      expect(await laptopPage.locator('[data-testid=session][data-current=true]').count()).toBe(1);
      const other = laptopPage.locator('[data-testid=session][data-current=false]');
      expect(await other.textContent()).toContain('Safari on iOS');

      // Revoke the phone's session from the laptop.
      await Promise.all([laptopPage.waitForNavigation(), other.locator('[data-testid=revoke]').click()]);
      expect(laptopPage.url()).toBe(`${base}/`);
      expect(await laptopPage.locator('[data-testid=session]').count()).toBe(1);
      expect(await laptopPage.textContent('[role=status]')).toContain('Session revoked');
      // The notice is shown once: a reload does not bring it back.
      await laptopPage.reload();
      expect(await laptopPage.locator('[data-testid=notice]').count()).toBe(0);

      // The phone's live page is told at once: the server closed its socket with 1008.
      await expect.poll(() => status.getAttribute('data-state')).toBe('ended');
      expect(await phonePage.isVisible('#ended')).toBe(true);
      expect(await phonePage.textContent('#ended')).toContain('Session ended');
      expect(await phonePage.textContent('#ended-reason')).toContain('revoked from another device');

      // Its next navigation lands on the login page.
      await phonePage.goto(`${base}/`);
      expect(new URL(phonePage.url()).pathname).toBe('/login');
      expect(await phonePage.textContent('main')).toContain('Your session ended');

      // The laptop is still signed in.
      await laptopPage.goto(`${base}/live`);
      await expect.poll(() => laptopPage.locator('#status').getAttribute('data-state')).toBe('connected');
    } finally {
      await laptop.close();
      await phone.close();
    }
  });
});
