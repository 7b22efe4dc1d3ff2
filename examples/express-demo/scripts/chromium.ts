import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by .ci/setup-browser.sh. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const SETUP_SCRIPT = fileURLToPath(new URL('../../../.ci/setup-browser.sh', import.meta.url));

// The flags the machine's notes ask for: no sandbox as root, and no background traffic to hosts
// a closed network refuses.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Makes sure Chromium is installed, running the setup script when it is missing. Resolves with
 * `null` when it is available, else with the reason it could not be installed.
 */
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (!existsSync(SETUP_SCRIPT)) return `${CHROMIUM_PATH} is missing and ${SETUP_SCRIPT} does not exist`;
  const run = spawnSync('bash', [SETUP_SCRIPT], { encoding: 'utf8', timeout: 600_000 });
  if (existsSync(CHROMIUM_PATH)) return null;
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return `${CHROMIUM_PATH} is missing and .ci/setup-browser.sh could not install it (exit ${run.status}): ${output}`;
}

/** Launches headless Chromium through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
