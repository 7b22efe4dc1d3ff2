#!/usr/bin/env node
// Checks every publishable package after `turbo run build`:
//  1. every file named in package.json (exports, main, module, types) exists in the build,
//  2. publint finds no problem,
//  3. @arethetypeswrong/cli finds no problem (node16 and bundler resolution; engines is >=20),
//  4. the package loads by its own name with both `import` and `require`.
// Exits non-zero on any failure so CI and `pnpm release` stop.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const only = process.argv.slice(2);
let failures = 0;

function fail(pkg, message) {
  failures++;
  console.error(`  ✗ ${pkg}: ${message}`);
}

/** Every relative file path named by an exports map, skipping the workspace-only dev-source condition. */
function exportTargets(node, out = []) {
  if (typeof node === 'string') out.push(node);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) if (key !== 'dev-source') exportTargets(value, out);
  }
  return out;
}

for (const dir of readdirSync(packagesDir)) {
  const pkgDir = join(packagesDir, dir);
  const pkgJsonPath = join(pkgDir, 'package.json');
  if (!existsSync(pkgJsonPath)) continue;
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
  if (pkg.private || (only.length > 0 && !only.includes(dir) && !only.includes(pkg.name))) continue;
  console.log(`• ${pkg.name}`);
  const before = failures;

  const targets = [...exportTargets(pkg.exports), pkg.main, pkg.module, pkg.types].filter(Boolean);
  for (const target of new Set(targets)) {
    if (!existsSync(join(pkgDir, target)))
      fail(pkg.name, `package.json names ${target}, but the build has no such file`);
  }

  const { messages } = await publint({ pkgDir, level: 'suggestion', strict: true });
  for (const message of messages) fail(pkg.name, `publint: ${formatMessage(message, pkg)}`);

  try {
    execFileSync(
      join(root, 'node_modules/.bin/attw'),
      ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped', '--no-emoji'],
      { cwd: pkgDir, stdio: 'pipe', encoding: 'utf8' },
    );
  } catch (err) {
    fail(pkg.name, `arethetypeswrong:\n${err.stdout || err.message}`);
  }

  const subpaths = Object.keys(pkg.exports ?? { '.': null }).filter((key) => key !== './package.json');
  for (const subpath of subpaths) {
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const probe = `
      const { createRequire } = require('node:module');
      const req = createRequire(${JSON.stringify(pkgJsonPath)});
      const viaRequire = req(${JSON.stringify(specifier)});
      import(req.resolve(${JSON.stringify(specifier)}).replace(/\\.cjs$/, '.js')).then((viaImport) => {
        const a = Object.keys(viaRequire).sort().join(','), b = Object.keys(viaImport).filter((k) => k !== 'default' && k !== 'module.exports').sort().join(',');
        if (a !== b) { console.error('import and require export different names:\\n  require: ' + a + '\\n  import:  ' + b); process.exit(1); }
      });`;
    try {
      execFileSync(process.execPath, ['-e', probe], { cwd: pkgDir, stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      fail(pkg.name, `loading ${specifier} failed:\n${err.stderr || err.message}`);
    }
  }
  if (failures === before) console.log('  ✓ exports, publint, attw, import + require');
}

if (failures > 0) {
  console.error(`\ncheck:packages: ${failures} problem(s)`);
  process.exit(1);
}
console.log('\ncheck:packages: all packages OK');
