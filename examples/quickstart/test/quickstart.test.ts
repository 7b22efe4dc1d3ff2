import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('..', import.meta.url));

describe('quickstart example', () => {
  it('prints a whole session lifecycle on the in-memory store', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=dev-source', '--import', 'tsx', 'src/main.ts'],
      {
        cwd: dir,
        env: { ...process.env, SESSION_STORE: 'memory:' },
        timeout: 30_000,
      },
    );
    expect(stdout).toContain('store: memory: (indexed: true, events: true)');
    expect(stdout).toMatch(/unsaved session \S+ in store: false/);
    expect(stdout).toContain('alice has 2 sessions: laptop, phone');
    expect(stdout).toMatch(/old id found: false; cart kept: \[\["sku-42",2\]\]/);
    expect(stdout).toContain('after revoking the phone, alice has 1 session(s)');
    expect(stdout.match(/event created/g)).toHaveLength(3);
    expect(stdout.match(/event deleted/g)).toHaveLength(1);
    expect(stdout.match(/event expired/g)).toHaveLength(1);
    expect(stdout).toContain('1 s session found after expiry: false');
  });
});
