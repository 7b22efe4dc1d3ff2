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

  it('bundling drops only helpers a script never uses: every top-level name a script uses is defined in it', () => {
    const includes = readdirSync(`${luaDir}/includes`).map((f) =>
      readFileSync(`${luaDir}/includes/${f}`, 'utf8'),
    );
    const topLevel = new Set<string>();
    for (const text of includes) {
      for (const match of text.matchAll(
        /^local (?:function )?([A-Za-z_][A-Za-z0-9_]*(?:, *[A-Za-z_][A-Za-z0-9_]*)*)/gm,
      )) {
        for (const name of (match[1] as string).split(/, */)) topLevel.add(name);
      }
    }
    expect(topLevel.has('ZSET_KEY') && topLevel.has('shadow_key') && topLevel.has('parse_hash')).toBe(true);
    for (const [script, source] of Object.entries(LUA_SOURCES)) {
      const code = source.replace(/--.*$/gm, '');
      for (const name of topLevel) {
        if (!new RegExp(`\\b${name}\\b`).test(code)) continue;
        const defined = new RegExp(`^local (?:function )?(?:[A-Za-z0-9_]+, *)*${name}\\b`, 'm').test(code);
        expect(defined, `${script} uses ${name} without defining it`).toBe(true);
      }
    }
  });

  it('unused helpers are not bundled: Redis runs the whole body, closures included, on every call', () => {
    expect(LUA_SOURCES.find).not.toMatch(/local function (decode_record|unindex|hset_all|publish)\b/);
    expect(LUA_SOURCES.find).toMatch(/local function parse_hash\b/);
  });
});
