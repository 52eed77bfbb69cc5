import { isIP } from 'node:net';

/**
 * The bucket of a client address for per-address limits: an IPv4 address as is (IPv4-mapped IPv6
 * unwrapped), an IPv6 address by its /64 prefix (one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address for every attempt).
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address (without leading zeros), `::` and a trailing dotted quad expanded. */
export function ipv6Groups(ip: string): string[] {
  const hex = (part: string) =>
    part
      .split(':')
      .filter((g) => g !== '')
      .flatMap((g) => (g.includes('.') ? ((n) => [(n[0] << 8) | n[1], (n[2] << 8) | n[3]].map((x) => x.toString(16)))(g.split('.').map(Number)) : [g]));
  const [head, tail] = ip.split('%')[0].toLowerCase().split('::');
  const left = hex(head);
  const right = tail === undefined ? [] : hex(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
