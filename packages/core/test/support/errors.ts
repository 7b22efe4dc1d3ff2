import { expect } from 'vitest';
import { SessionSerializationError } from '../../src/index.js';

/** Runs `fn` and returns the SessionSerializationError it throws (fails the test otherwise). */
export function serializationError(fn: () => unknown): SessionSerializationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SessionSerializationError);
    return err as SessionSerializationError;
  }
  throw new Error('expected a SessionSerializationError');
}
