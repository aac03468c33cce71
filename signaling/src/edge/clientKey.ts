/**
 * The key per-IP limits count under. An IPv4 address is one key (also when it
 * arrives IPv4-mapped, `::ffff:192.0.2.1`). An IPv6 client gets a whole /64 —
 * a subscriber's smallest usual prefix — so that it cannot walk through
 * 2^64 addresses of its own to escape a limit. (ipaddr.js: the parser Fastify
 * itself trusts for `trustProxy`, so one reading of addresses everywhere.)
 */
import ipaddr from 'ipaddr.js';

/** An IPv4 address in its one canonical spelling (no leading zeros): its own key, without parsing. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function clientKey(ip: string): string {
  // What Node gives as a socket's address (every WebSocket upgrade, every join):
  // ipaddr's parse took ~8 µs of it.
  if (CANONICAL_IPV4.test(ip)) return ip;
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}
