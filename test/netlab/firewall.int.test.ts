/**
 * The net lab's UDP firewall, measured with real sockets across a real
 * namespace: UDP is refused on the way out and dropped on the way in, TCP
 * still passes, the counters count what was dropped, removing it restores
 * UDP, and the table goes away with its namespace (a lab's close, or
 * removeLeftovers after a run that was killed).
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockUdp, FIREWALL_TABLE, nftPath, unblockUdp, udpDrops } from './firewall.js';
import { createNetLab, PYTHON, removeLeftovers, type NetLab } from './netlab.js';

const run = promisify(execFile);

/** Sends one datagram; prints the errno name, or 'sent'. */
const SEND = `
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b'probe', (sys.argv[1], int(sys.argv[2])))
    print('sent')
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
`;
/** Listens for one datagram for 1.5 s; prints 'got' or 'none'. */
const RECEIVE = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(1.5)
try:
    s.recvfrom(100)
    print('got')
except socket.timeout:
    print('none')
`;
/** Connects over TCP, sends a line, prints what comes back. */
const TCP_ECHO = `
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
c.sendall(b'ping')
print(c.recv(10).decode())
`;
const NS_PORT = 5005;

let lab: NetLab;
let udp: Socket;
let tcp: Server;
let udpPort = 0;
let tcpPort = 0;
const received: string[] = [];

async function sendFromNamespace(): Promise<string> {
  return (await lab.exec(PYTHON, ['-c', SEND, lab.hostIp, String(udpPort)], 5_000)).stdout.trim();
}

/** Listens in the namespace while this process sends it datagrams every 100 ms. */
async function receiveInNamespace(): Promise<string> {
  const listening = lab.exec(PYTHON, ['-c', RECEIVE, lab.peerIp, String(NS_PORT)], 5_000);
  let done = false;
  const sending = (async () => {
    while (!done) {
      udp.send('probe', NS_PORT, lab.peerIp);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return (await listening).stdout.trim();
  } finally {
    done = true;
    await sending;
  }
}

async function namespaces(): Promise<string> {
  return (await run('ip', ['-o', 'netns', 'list'])).stdout;
}

beforeAll(async () => {
  lab = await createNetLab();
  udp = createSocket('udp4');
  udp.on('message', (message) => received.push(message.toString()));
  udp.bind(0, lab.hostIp);
  await once(udp, 'listening');
  udpPort = udp.address().port;
  tcp = createServer((socket) => socket.once('data', () => socket.end('pong')));
  tcp.listen(0, lab.hostIp);
  await once(tcp, 'listening');
  tcpPort = (tcp.address() as { port: number }).port;
});

afterAll(async () => {
  udp?.close();
  tcp?.close();
  await lab?.close();
});

describe('the net lab’s UDP firewall', () => {
  it('passes UDP before it is installed', async () => {
    expect(await udpDrops(lab)).toBeNull();
    expect(await sendFromNamespace()).toBe('sent');
    expect(await receiveInNamespace()).toBe('got');
  });

  it('refuses UDP out, drops UDP in, lets TCP through, and counts what it dropped', async () => {
    await blockUdp(lab);
    await blockUdp(lab); // idempotent: still one table, counters from 0
    expect(await udpDrops(lab)).toEqual({ out: 0, in: 0 });
    const before = received.length;

    expect(await sendFromNamespace()).toBe('EPERM');
    expect(await receiveInNamespace()).toBe('none');
    const tcpAnswer = await lab.exec(PYTHON, ['-c', TCP_ECHO, lab.hostIp, String(tcpPort)], 5_000);
    expect(tcpAnswer.stdout.trim()).toBe('pong');

    const drops = await udpDrops(lab);
    expect(drops!.out).toBe(1);
    expect(drops!.in).toBeGreaterThan(0);
    expect(received.length, 'nothing arrived from the namespace').toBe(before);
    const tables = await lab.exec(nftPath(), ['list', 'tables']);
    expect(tables.stdout.match(new RegExp(FIREWALL_TABLE, 'g'))).toHaveLength(1);
  });

  it('gives UDP back once removed', async () => {
    await unblockUdp(lab);
    await unblockUdp(lab); // idempotent
    expect(await udpDrops(lab)).toBeNull();
    const before = received.length;
    expect(await sendFromNamespace()).toBe('sent');
    const deadline = Date.now() + 3_000;
    while (received.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.length).toBe(before + 1);
    expect(await receiveInNamespace()).toBe('got');
  });

  it('goes away with the lab, and with a namespace left by a run that was killed', async () => {
    // A run that died with its firewall on: a namespace named after a pid that no longer exists.
    const gone = spawn('true');
    await once(gone, 'exit');
    const leftover = `chtn-${gone.pid}-1`;
    await run('ip', ['netns', 'add', leftover]);
    try {
      await blockUdp({ nsName: leftover });
      expect(await udpDrops({ nsName: leftover })).toEqual({ out: 0, in: 0 });
      expect(await removeLeftovers()).toContain(leftover);
      expect(await namespaces()).not.toContain(leftover);
    } finally {
      await run('ip', ['netns', 'del', leftover]).catch(() => {});
    }

    const own = lab.nsName;
    await blockUdp(lab);
    await lab.close();
    expect(await namespaces()).not.toContain(own);
    await expect(udpDrops({ nsName: own })).rejects.toThrow(own);
  });
});
