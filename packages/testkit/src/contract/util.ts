import { randomBytes } from 'node:crypto';
import { isMapSession, type SessionLogger, settleImmediateFlush } from '@session/core';
import type { AnySession } from './context.js';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A `saved(attributes, tweak)` tweak that gives the session `maxInactiveIntervalMs`. */
export function withInterval(maxInactiveIntervalMs: number): (session: AnySession) => void {
  return (session) => {
    session.maxInactiveIntervalMs = maxInactiveIntervalMs;
  };
}

/**
 * Polls `check` until it returns something other than `undefined`, or throws `message` after
 * `withinMs`. Used wherever a store may apply a change asynchronously (events, immediate flush).
 */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  withinMs: number,
  message: string,
  everyMs = 10,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (waited ${withinMs} ms)`);
    await sleep(everyMs);
  }
}

/** A name no other test (or earlier run against the same backend) uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Waits for immediate-flush writes where the session supports it (core's `MapSession`). */
export async function settle(session: unknown): Promise<void> {
  if (isMapSession(session)) await settleImmediateFlush(session);
}

/** Runs `fn` and returns what it threw, or fails when it resolved. */
export async function rejectionOf(fn: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error(`Expected ${what} to reject, it resolved`);
}

/** The error's `code` when it is one of the library's errors (works across duplicate module copies). */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A logger that records errors and warnings instead of printing them. */
export function recordingLogger(): SessionLogger & { errors: unknown[][]; warnings: unknown[][] } {
  const errors: unknown[][] = [];
  const warnings: unknown[][] = [];
  return {
    errors,
    warnings,
    debug() {},
    info() {},
    warn(message, ...meta) {
      warnings.push([message, ...meta]);
    },
    error(message, ...meta) {
      errors.push([message, ...meta]);
    },
  };
}

/**
 * Ids that fail core's id syntax check, each with a label: none of them may reach a backend.
 * Includes strings a careless store would turn into key patterns or paths.
 */
export function malformedIds(): Array<[label: string, id: unknown]> {
  return [
    ['empty string', ''],
    ['too short', 'abc123'],
    ['10 kB string', 'a'.repeat(10 * 1024)],
    ['random bytes', randomBytes(48).toString('latin1')],
    ['wrong alphabet', 'abcdefgh$ijklmnop!qrstuv'],
    ['key glob pattern', '*'.repeat(20)],
    ['redis key injection', 'aaaaaaaaaaaaaaaa\r\nFLUSHALL\r\n'],
    ['path traversal', '../../../../etc/passwd'],
    ['unicode', 'séssion-ïd-ÿÿÿÿÿÿÿÿÿÿÿÿ'],
    ['whitespace padded', `  ${'a'.repeat(32)}  `],
    ['undefined', undefined],
    ['null', null],
    ['number', 1234567890123456],
    ['object', { id: 'a'.repeat(32) }],
    ['array', ['a'.repeat(32)]],
  ];
}

/** The `status` of a save outcome, or a description of what came back instead (for assertions). */
export function outcomeStatus(outcome: unknown): string {
  const status = (outcome as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? status : `not an outcome: ${String(outcome)}`;
}
