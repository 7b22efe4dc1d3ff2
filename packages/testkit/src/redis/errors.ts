/** Thrown when no Redis can be provided. Its message says what to install or set. */
export class RedisServerUnavailableError extends Error {
  override readonly name = 'RedisServerUnavailableError';
}
