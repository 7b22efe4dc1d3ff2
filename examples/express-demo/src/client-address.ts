import { isIPv4 } from 'node:net';

/**
 * The client address as people write it. A server listening on `::` (Node's default) sees IPv4
 * clients as IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`); those are shown as plain IPv4.
 */
export function displayAddress(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  const mapped = /^::ffff:(.+)$/i.exec(address)?.[1];
  return mapped !== undefined && isIPv4(mapped) ? mapped : address;
}
