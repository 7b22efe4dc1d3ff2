import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useReadmeExamples } from '../src/http/index.js';

const packageDir = mkdtempSync(join(tmpdir(), 'readme-examples-'));
afterAll(() => rmSync(packageDir, { recursive: true, force: true }));
writeFileSync(
  join(packageDir, 'README.md'),
  [
    '# pkg',
    '',
    '## Quick start',
    '',
    'Some prose first.',
    '',
    '```ts',
    "console.log('quick start');",
    '```',
    '',
    '## Other (with [brackets].*)',
    '',
    '```ts',
    "console.log('other');",
    '```',
    '',
  ].join('\n'),
);

const readme = useReadmeExamples({ afterEach }, { packageDir });

describe('useReadmeExamples', () => {
  it('reads the first ts block under a heading, regex characters in the heading included', () => {
    expect(readme.block('## Quick start')).toBe("console.log('quick start');\n");
    expect(readme.block('## Other (with [brackets].*)')).toBe("console.log('other');\n");
  });

  it('names the heading it found no block under', () => {
    expect(() => readme.block('## Missing')).toThrow('no ts block under "## Missing" in README.md');
  });
});
