import { describe, expect, it } from 'vitest';
import { clientKey } from './clientKey.js';

describe('clientKey', () => {
  it('counts an IPv4 address alone, also IPv4-mapped', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.8')).not.toBe(clientKey('192.0.2.7'));
  });

  it('reads other spellings of an IPv4 address (from a proxy header) as the address they mean', () => {
    for (const ip of ['0.0.0.0', '255.255.255.255', '10.200.30.4']) expect(clientKey(ip)).toBe(ip);
    expect(clientKey('010.0.0.1')).toBe('8.0.0.1');
    expect(clientKey('0x7f.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('127.1')).toBe('127.0.0.1');
    expect(clientKey('256.0.0.1')).toBe('256.0.0.1'); // not an address: kept as it is
  });

  it('counts every address of an IPv6 /64 as one client, whatever its spelling', () => {
    const a = clientKey('2001:db8:1:2::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(a);
    expect(clientKey('2001:0db8:0001:0002:0000:0000:0000:0099')).toBe(a);
    expect(clientKey('2001:db8:1:3::1')).not.toBe(a);
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps what is not an address as it is', () => {
    expect(clientKey('unknown')).toBe('unknown');
  });
});
