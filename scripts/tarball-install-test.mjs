#!/usr/bin/env node
// The newcomer's install, checked: packs the packages (scripts/pack-tarballs.mjs), installs the
// tarballs of @session/express and @session/redis (with their @session/* dependencies) and
// express + ioredis from the registry into a new app in a temporary directory outside the
// workspace with plain npm, starts a redis-server on a free port, and runs requests through the
// app: a login, a read with the cookie, a lookup by principal, both with `import` and `require`.
// Exits non-zero on any failure. CI runs it (.ci/run); `pnpm test:tarballs` runs it here.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTarballs, tarballsFor } from './pack-tarballs.mjs';

const work = mkdtempSync(join(tmpdir(), 'session-tarballs-'));
const app = join(work, 'app');
let redis;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
}

const APP = `
import express from 'express';
import { Redis } from 'ioredis';
import { session } from '@session/express';
import { RedisIndexedSessionRepository } from '@session/redis';

const client = new Redis(Number(process.env.REDIS_PORT));
const repository = new RedisIndexedSessionRepository({ client, namespace: 'tarball' });
const app = express();
app.use(session({ repository }));
app.post('/login', (req, res) => {
  req.session.setPrincipal('alice');
  res.json({ ok: true });
});
app.get('/me', (req, res) => res.json({ user: req.session.principal ?? null }));
const server = app.listen(0, async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const login = await fetch(base + '/login', { method: 'POST' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('SESSION=')) throw new Error('no session cookie: ' + cookie);
  const me = await (await fetch(base + '/me', { headers: { cookie } })).json();
  if (me.user !== 'alice') throw new Error('the session did not come back: ' + JSON.stringify(me));
  const sessions = await repository.findByPrincipalName('alice');
  if (sessions.size !== 1) throw new Error('expected one session of alice, found ' + sessions.size);
  console.log('esm app: login, read and lookup by principal work');
  server.close();
  await repository.close();
  client.disconnect();
});
`;

const CJS_CHECK = `
const { RedisSessionRepository } = require('@session/redis');
const { session } = require('@session/express');
const core = require('@session/core');
if (typeof RedisSessionRepository !== 'function' || typeof session !== 'function' || typeof core.MapSession !== 'function') {
  throw new Error('require() did not give the packages');
}
console.log('cjs: require works');
`;

try {
  console.log(`packing into ${work}`);
  const tarballs = packTarballs(join(work, 'tarballs'), { build: !process.argv.includes('--no-build') });
  const needed = tarballsFor(['@session/express', '@session/redis'], tarballs);
  console.log(`installing ${needed.length} tarballs: ${needed.map((t) => t.split('/').pop()).join(', ')}`);
  run('mkdir', ['-p', app]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'tarball-app', private: true, type: 'module' }),
  );
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...needed, 'express@5', 'ioredis@5'],
    {
      cwd: app,
    },
  );
  writeFileSync(join(app, 'app.mjs'), APP);
  writeFileSync(join(app, 'check.cjs'), CJS_CHECK);

  const port = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 50; i++) {
    try {
      run('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  process.stdout.write(
    run('node', ['app.mjs'], { cwd: app, env: { ...process.env, REDIS_PORT: String(port) } }),
  );
  process.stdout.write(run('node', ['check.cjs'], { cwd: app }));
  console.log('tarball install test passed');
} catch (err) {
  console.error('tarball install test FAILED:', err.message ?? err);
  process.exitCode = 1;
} finally {
  redis?.kill();
  rmSync(work, { recursive: true, force: true });
}
