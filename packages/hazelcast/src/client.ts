import { SessionStoreUnavailableError } from '@session/core';
import { Client, type ClientConfig, JsonStringDeserializationPolicy } from 'hazelcast-client';

/** The connect timeout used when the config names none: hazelcast-client's own default retries forever. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A started hazelcast-client instance (the value `Client.newHazelcastClient` resolves to). */
export type HazelcastClient = Awaited<ReturnType<typeof Client.newHazelcastClient>>;

/**
 * The config the store starts its own client with: the caller's config, plus a bounded cluster
 * connect timeout (unless the caller set one) and raw JSON reads (exact text for compare-and-set).
 * The caller's objects are not modified.
 */
export function withStoreDefaults(config: ClientConfig, connectTimeoutMs: number): ClientConfig {
  const retry = config.connectionStrategy?.connectionRetry;
  return {
    ...config,
    connectionStrategy: {
      ...config.connectionStrategy,
      connectionRetry: {
        ...retry,
        clusterConnectTimeoutMillis: retry?.clusterConnectTimeoutMillis ?? connectTimeoutMs,
      },
    },
    serialization: {
      ...config.serialization,
      jsonStringDeserializationPolicy:
        config.serialization?.jsonStringDeserializationPolicy ??
        JsonStringDeserializationPolicy.NO_DESERIALIZATION,
    },
  };
}

/**
 * Starts a client for the store. Fails with {@link SessionStoreUnavailableError} when no member
 * answers within the connect timeout, instead of hazelcast-client's default of trying forever.
 */
export async function startClient(config: ClientConfig, connectTimeoutMs: number): Promise<HazelcastClient> {
  const effective = withStoreDefaults(config, connectTimeoutMs);
  try {
    return await Client.newHazelcastClient(effective);
  } catch (err) {
    const members = effective.network?.clusterMembers?.join(', ') ?? 'the default member address';
    const timeout = effective.connectionStrategy?.connectionRetry?.clusterConnectTimeoutMillis;
    throw new SessionStoreUnavailableError(
      `Could not connect to the Hazelcast cluster "${effective.clusterName ?? 'dev'}" at ${members} within ${timeout} ms: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }
}
