import { isIPv6 } from 'node:net';

/**
 * Who a connection counts against: its IPv4 address, or the /64 of an IPv6 one (a single host routinely
 * holds a whole /64, so per-address limits on full IPv6 addresses would limit nothing). The TCP peer only:
 * no forwarding header is trusted, so behind a proxy every request counts against the proxy.
 */
export function addressKey(remote: string | undefined): string {
  if (!remote) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(remote)) return remote;
  return `${expandIPv6(remote).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
