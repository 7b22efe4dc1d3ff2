import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LUA_SOURCES } from '../src/scripts/lua.generated.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const luaDir = `${root}src/scripts/lua`;

describe('the Lua scripts', () => {
  it('the bundled sources are up to date with the .lua files (run generate:lua after editing them)', () => {
    // Exits non-zero, failing this test, when the generated module differs from a fresh bundle.
    execFileSync(process.execPath, ['scripts/generate-lua.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  });

  it('every script documents its KEYS and ARGV in a header, and every .lua file is bundled', () => {
    const files = readdirSync(luaDir).filter((f) => f.endsWith('.lua'));
    expect(files.length).toBe(Object.keys(LUA_SOURCES).length);
    for (const file of files) {
      const text = readFileSync(`${luaDir}/${file}`, 'utf8');
      expect(text.startsWith('--[['), `${file} starts with its header`).toBe(true);
      expect(text, file).toMatch(/KEYS\[1\]/);
      expect(text, file).toMatch(/ARGV\[1\]/);
    }
  });

  it('no bundled script still names an include (each include is inlined once)', () => {
    for (const [name, source] of Object.entries(LUA_SOURCES)) {
      expect(source, name).not.toMatch(/@include/);
      expect(source.match(/^local MODE = /gm)?.length ?? 0, name).toBeLessThanOrEqual(1);
    }
  });
});
