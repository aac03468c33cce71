import { describe, expect, it } from 'vitest';
import { renderJanusConfigs } from './janus.js';
import { pickBlock } from './netns.js';

describe('renderJanusConfigs', () => {
  const configs = renderJanusConfigs({ dir: '/tmp/j', ip: '10.213.0.2', httpPort: 8088, wsPort: 8188 });

  it('writes the core config and exactly the VideoRoom and transport configs', () => {
    expect(Object.keys(configs).sort()).toEqual([
      'janus.jcfg',
      'janus.plugin.videoroom.jcfg',
      'janus.transport.http.jcfg',
      'janus.transport.websockets.jcfg',
    ]);
  });

  it('points every folder at the temp dir and sets no STUN or TURN server', () => {
    const core = configs['janus.jcfg']!;
    expect(core).toContain('configs_folder = "/tmp/j"');
    expect(core).toContain('plugins_folder = "/tmp/j/plugins"');
    expect(core).toContain('transports_folder = "/tmp/j/transports"');
    expect(core).toContain('events_folder = "/tmp/j/events"');
    expect(core).toContain('interface = "10.213.0.2"');
    expect(core).toMatch(/debug_level = 3\n/);
    expect(core).not.toMatch(/stun_server|turn_server|admin_secret/);
  });

  it('binds both transports to the address and keeps the admin API off', () => {
    const http = configs['janus.transport.http.jcfg']!;
    const ws = configs['janus.transport.websockets.jcfg']!;
    expect(http).toContain('ip = "10.213.0.2"');
    expect(http).toContain('port = 8088');
    expect(http).toContain('admin_http = false');
    expect(ws).toContain('ws_ip = "10.213.0.2"');
    expect(ws).toContain('ws_port = 8188');
    expect(ws).toContain('admin_ws = false');
    expect(ws).toContain('wss = false');
  });

  it('refuses an address that could break out of the config syntax', () => {
    expect(() => renderJanusConfigs({ dir: '/tmp/j', ip: '1.2.3.4"\nfoo' })).toThrow(/IPv4/);
  });
});

describe('pickBlock', () => {
  it('gives the two usable addresses of a /30 of 10.213.0.0/16', () => {
    const { hostIp, nsIp } = pickBlock('', 1234, 1);
    const [a, b] = [hostIp, nsIp].map((ip) => ip.split('.').map(Number));
    expect(a!.slice(0, 2)).toEqual([10, 213]);
    expect(a![3]! % 4).toBe(1);
    expect(b![3]).toBe(a![3]! + 1);
    expect(b![2]).toBe(a![2]);
  });

  it('skips a block whose addresses an interface already holds', () => {
    const first = pickBlock('', 1234, 1);
    const used = `4: cbh1x1    inet ${first.hostIp}/30 scope global cbh1x1`;
    const next = pickBlock(used, 1234, 1);
    expect(next.hostIp).not.toBe(first.hostIp);
  });
});
