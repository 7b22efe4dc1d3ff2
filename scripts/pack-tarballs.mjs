#!/usr/bin/env node
// Packs every publishable @session/* package into an installable tarball, the way it would be
// published: built first, `workspace:` ranges rewritten to real versions by `pnpm pack`. Until the
// packages are on the npm registry, an app installs the tarballs of the packages it uses and of
// their @session/* dependencies:
//
//   node scripts/pack-tarballs.mjs ./tarballs
//   npm install ./tarballs/session-core-0.1.0.tgz ./tarballs/session-http-0.1.0.tgz \
//     ./tarballs/session-express-0.1.0.tgz ./tarballs/session-redis-0.1.0.tgz express ioredis
//
// Prints one tarball path per line. `--no-build` packs what is already built.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** Every publishable package: `{ name, dir, version, sessionDeps }`. */
export function publishablePackages() {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.private) continue;
    const sessionDeps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) =>
      name.startsWith('@session/'),
    );
    out.push({ name: pkg.name, dir: join(root, 'packages', dir), version: pkg.version, sessionDeps });
  }
  return out;
}

/** Builds (unless told not to) and packs every package into `destination`; returns `{ name → tarball path }`. */
export function packTarballs(destination, { build = true } = {}) {
  mkdirSync(destination, { recursive: true });
  if (build) execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const tarballs = new Map();
  for (const pkg of publishablePackages()) {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: pkg.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = output
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`pnpm pack printed no tarball for ${pkg.name}`);
    tarballs.set(pkg.name, resolve(destination, tarball.split('/').pop()));
  }
  return tarballs;
}

/** The tarballs an app needs for `names`: them and, transitively, their @session/* dependencies. */
export function tarballsFor(names, tarballs) {
  const byName = new Map(publishablePackages().map((pkg) => [pkg.name, pkg]));
  const needed = new Set();
  const visit = (name) => {
    if (needed.has(name)) return;
    const pkg = byName.get(name);
    if (pkg === undefined) throw new Error(`${name} is not a package of this repository`);
    needed.add(name);
    for (const dep of pkg.sessionDeps) visit(dep);
  };
  for (const name of names) visit(name);
  return [...needed].map((name) => tarballs.get(name));
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  const destination = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(root, 'tarballs'));
  const tarballs = packTarballs(destination, { build: !args.includes('--no-build') });
  for (const path of tarballs.values()) console.log(path);
}
