/**
 * Where the real-member suite finds a Hazelcast member: `HAZELCAST_MEMBERS` (host:port[,host:port],
 * with `HAZELCAST_CLUSTER`, default `dev`), else a `hazelcast/hazelcast:5.5` container started by
 * testcontainers when a container runtime answers, else nowhere (the suite is skipped, saying why).
 */
import type { StartedTestContainer } from 'testcontainers';

export const HAZELCAST_IMAGE = 'hazelcast/hazelcast:5.5';

export type MemberTarget =
  | { kind: 'members'; members: string[]; clusterName: string }
  | { kind: 'container' }
  | { kind: 'none'; reason: string };

const PROBE_TIMEOUT_MS = 10_000;

/** Decides where the suite runs. Quick: a missing container runtime is known in milliseconds. */
export async function resolveMemberTarget(env: NodeJS.ProcessEnv = process.env): Promise<MemberTarget> {
  const listed = env.HAZELCAST_MEMBERS?.trim();
  if (listed) {
    return {
      kind: 'members',
      members: listed
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
      clusterName: env.HAZELCAST_CLUSTER?.trim() || 'dev',
    };
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
        PROBE_TIMEOUT_MS,
      );
      timer.unref();
    });
    try {
      await Promise.race([getContainerRuntimeClient(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'container' };
  } catch (err) {
    const why = String((err as Error)?.message ?? err).split('\n')[0];
    return {
      kind: 'none',
      reason: `HAZELCAST_MEMBERS is not set and no container runtime answered (${why})`,
    };
  }
}

/** Starts a single member in a container; expiry is checked every second so `expired` events come promptly. */
export async function startMemberContainer(): Promise<{
  container: StartedTestContainer;
  members: string[];
  clusterName: string;
}> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(HAZELCAST_IMAGE)
    .withExposedPorts(5701)
    .withEnvironment({
      HZ_CLUSTERNAME: 'dev',
      JAVA_OPTS: '-Dhazelcast.internal.map.expiration.task.period.seconds=1',
    })
    .withWaitStrategy(Wait.forLogMessage(/is STARTED/))
    .withStartupTimeout(120_000)
    .start();
  return {
    container,
    members: [`${container.getHost()}:${container.getMappedPort(5701)}`],
    clusterName: 'dev',
  };
}
