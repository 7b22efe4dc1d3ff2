import { silentLogger } from '@session/core';
import { waitFor as pollFor } from '../contract/util.js';
import type { ReadableSession, ReadBody } from './types.js';

/** Chunks the `GET /stream` route streams: `chunk-0\n` … `chunk-19\n`. */
export const STREAM_CHUNKS = 20;

/** Rounds of each concurrency race, run {@link RACE_PARALLELISM} at a time. */
export const RACE_ROUNDS = 100;
const RACE_PARALLELISM = 10;

/** Runs `round(0 … RACE_ROUNDS - 1)`, a few at a time. */
export async function inRounds(round: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < RACE_ROUNDS; start += RACE_PARALLELISM) {
    const batch = Array.from(
      { length: Math.min(RACE_PARALLELISM, RACE_ROUNDS - start) },
      (_, i) => start + i,
    );
    await Promise.all(batch.map(round));
  }
}

/** Keeps expected warnings (store outages) out of the test output. */
export const quietLogger = silentLogger;

/** The JSON body of `GET /read` for a request's session. */
export function readBody(session: ReadableSession): ReadBody {
  const attributes: Record<string, unknown> = {};
  for (const name of session.names()) attributes[name] = session.get(name as never);
  return {
    id: session.id,
    isNew: session.isNew,
    requestedSessionId: session.requestedSessionId ?? null,
    principal: session.principal ?? null,
    attributes,
  };
}

/** Polls until `condition` holds, failing after `timeoutMs` (the contract suite's poller, boolean-shaped). */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  await pollFor(() => (condition() ? true : undefined), timeoutMs, 'condition not met', 5);
}
