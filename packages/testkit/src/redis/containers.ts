import type { RedisTestServer } from './server.js';

/** The small part of `@testcontainers/redis` the fallback uses. */
interface RedisContainerModule {
  RedisContainer: new (
    image: string,
  ) => {
    withCommand(command: string[]): unknown;
    start(): Promise<{ getHost(): string; getPort(): number; stop(): Promise<unknown> }>;
  };
}

/**
 * Starts Redis in a container through `@testcontainers/redis`, loaded only now so the testkit
 * never requires it. Returns the reason instead of throwing when the package is not installed or
 * no container runtime answers, so the caller can explain every option in one error.
 */
export async function startRedisContainer(
  image: string,
  args: string[],
): Promise<{ server: RedisTestServer } | { error: string }> {
  // A variable specifier keeps bundlers and the type checker from requiring the optional package.
  const specifier = '@testcontainers/redis';
  let mod: RedisContainerModule;
  try {
    mod = (await import(specifier)) as RedisContainerModule;
  } catch {
    return { error: '@testcontainers/redis is not installed' };
  }
  try {
    const container = new mod.RedisContainer(image);
    if (args.length > 0) container.withCommand(['redis-server', ...args]);
    const started = await container.start();
    const host = started.getHost();
    const port = started.getPort();
    let stopped: Promise<void> | undefined;
    return {
      server: {
        host,
        port,
        url: `redis://${host}:${port}`,
        source: 'container',
        stop() {
          stopped ??= started.stop().then(() => undefined);
          return stopped;
        },
      },
    };
  } catch (err) {
    return { error: `no container runtime answered (${(err as Error).message ?? String(err)})` };
  }
}
