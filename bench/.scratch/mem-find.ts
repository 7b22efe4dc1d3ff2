import { MemorySessionRepository } from '@session/memory';
const repo = new MemorySessionRepository({ maxSessions: Number.POSITIVE_INFINITY });
const ids: string[] = [];
for (let i = 0; i < 1000; i++) {
  const s = await repo.createSession();
  s.set('userId', `user-${i}`); s.set('roles', ['reader', 'writer']); s.set('cart', { items: [{ sku: 'a', qty: 1 }], updatedAt: 1 });
  await repo.save(s); ids.push(s.id);
}
const mode = process.argv[2] ?? 'find';
const N = 2_000_000;
const t0 = performance.now();
if (mode === 'find') for (let i = 0; i < N; i++) await repo.findById(ids[i % 1000]!);
else for (let i = 0; i < N / 4; i++) { const s = await repo.createSession(); s.set('userId', 'u'); s.set('roles', ['reader', 'writer']); s.set('cart', { items: [{ sku: 'a', qty: 1 }], updatedAt: 1 }); await repo.save(s); }
const n = mode === 'find' ? N : N / 4;
console.log(mode, Math.round(n / ((performance.now() - t0) / 1000)), 'ops/s');
