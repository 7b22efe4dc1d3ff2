import { generateSessionId, type SessionRepository } from '@session/core';
import { callStore } from '@session/http';

/** What `/healthz` answers. */
export interface Health {
  readonly ok: boolean;
  /** `up`: the store answered a lookup in time; `down`: it failed or did not answer. */
  readonly store: 'up' | 'down';
  /** How long the store took to answer, or how long we waited. */
  readonly storeLatencyMs: number;
}

/** How long `/healthz` waits for the store. Shorter than the requests' own bound: probes poll. */
export const HEALTH_TIMEOUT_MS = 1000;

/**
 * Asks the store something cheap that needs a round trip: a lookup of an id nobody has (a fresh
 * random one, so nothing is found, created or touched). The process being up means little when
 * every page needs the store: a store that fails or does not answer within `timeoutMs` makes the
 * app unhealthy.
 */
export async function checkHealth(
  repository: SessionRepository,
  timeoutMs: number = HEALTH_TIMEOUT_MS,
): Promise<Health> {
  const started = Date.now();
  try {
    await callStore('findById', timeoutMs, () => repository.findById(generateSessionId()));
    return { ok: true, store: 'up', storeLatencyMs: Date.now() - started };
  } catch {
    return { ok: false, store: 'down', storeLatencyMs: Date.now() - started };
  }
}
