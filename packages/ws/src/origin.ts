import type { IncomingMessage } from 'node:http';
import type { OriginPolicy } from './options.js';

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * True when the upgrade's `Origin` passes `policy`. Clients that send no `Origin` (anything but a
 * browser) always pass: the check exists because browsers attach cookies to cross-site sockets.
 */
export function originAllowed(policy: OriginPolicy, req: IncomingMessage): boolean {
  const raw = req.headers.origin;
  const origin = typeof raw === 'string' && raw.length > 0 ? raw : undefined;
  if (typeof policy === 'function') return policy(origin, req);
  if (policy === 'any' || origin === undefined) return true;
  if (policy === 'same-host') {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && hostOf(origin) === host;
  }
  const normalized = origin.toLowerCase();
  return policy.some((allowed) => allowed.toLowerCase().replace(/\/+$/, '') === normalized);
}
