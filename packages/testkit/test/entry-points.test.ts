import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Every source file `entry` reaches through relative imports, and the bare packages they import. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)[^'"]*?from '([^']+)';/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!/^import type|^export type/.test(match[0])) packages.add(specifier);
    }
  };
  visit(join(src, entry));
  return { files, packages };
}

describe('entry points', () => {
  it('the main entry (the store contract suite) loads no HTTP, framework or Redis code', () => {
    const { files, packages } = importGraph('index.ts');
    const reached = [...files].map((file) => file.slice(src.length));
    expect(reached.filter((file) => file.startsWith('http/') || file.startsWith('redis/'))).toEqual([]);
    expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual(['@session/core']);
  });

  it('@session/testkit/http imports @session/http and @session/memory only lazily', () => {
    const { packages } = importGraph('http/index.ts');
    expect([...packages].filter((name) => name.startsWith('@session/'))).toEqual(['@session/core']);
  });
});
