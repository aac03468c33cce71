/**
 * The link emulator itself, measured: a UDP echo runs inside the lab's
 * namespace, this process sends it probes from the root namespace, and the
 * answers must show the delay, the loss, the rate and its bounded queue, and
 * the cut that were asked for. Real namespace, real TUN devices, real
 * kernel sockets; every phase bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetLab, PYTHON, type NetLab } from './netlab.js';

const ECHO_PORT = 9;
/** The echo inside the namespace: answers each datagram with itself, for at most 120 s. */
const ECHO = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(0.5)
end = time.time() + 120
print('ready', flush=True)
while time.time() < end:
    try:
        data, address = s.recvfrom(65535)
    except socket.timeout:
        continue
    s.sendto(data, address)
`;

let lab: NetLab;
let echo: ChildProcess;
let socket: Socket;
/** Arrival time (performance.now()) of each answer, by probe number. */
const answers = new Map<number, number>();
let probeCount = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `count` probes of `bytes` bytes, `gapMs` apart (0: one burst); returns their numbers and send times. */
async function probe(count: number, bytes: number, gapMs: number): Promise<Array<{ n: number; sentAt: number }>> {
  const sent: Array<{ n: number; sentAt: number }> = [];
  for (let i = 0; i < count; i++) {
    const n = ++probeCount;
    const payload = Buffer.alloc(bytes);
    payload.writeUInt32BE(n, 0);
    sent.push({ n, sentAt: performance.now() });
    socket.send(payload, ECHO_PORT, lab.peerIp);
    if (gapMs > 0) await sleep(gapMs);
  }
  return sent;
}

beforeAll(async () => {
  lab = await createNetLab();
  echo = spawn('ip', ['netns', 'exec', lab.nsName, PYTHON, '-c', ECHO, lab.peerIp, String(ECHO_PORT)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(echo.stdout!, 'data');
  socket = createSocket('udp4');
  socket.on('message', (message) => {
    const n = message.readUInt32BE(0);
    if (!answers.has(n)) answers.set(n, performance.now());
  });
  socket.bind(0, lab.hostIp);
  await once(socket, 'listening');
});

afterAll(async () => {
  socket?.close();
  echo?.kill('SIGKILL');
  await lab?.close();
});

describe('the user-space link emulator', () => {
  it('carries packets both ways, fast, when nothing is set', async () => {
    const sent = await probe(50, 100, 5);
    await sleep(300);
    const rtts = sent.map((s) => (answers.get(s.n) ?? Number.NaN) - s.sentAt).sort((a, b) => a - b);
    expect(rtts.filter(Number.isFinite)).toHaveLength(50);
    // No delay added: the median, as the delay test below reads it (the slowest
    // probe measured the machine's load: 75 ms once at load 15, with nothing set).
    expect(rtts[25]).toBeLessThan(50);
    const stats = await lab.stats();
    expect(stats.linkUp).toBe(true);
    expect(stats.down.delivered).toBeGreaterThanOrEqual(50);
    expect(stats.up.delivered).toBeGreaterThanOrEqual(50);
  });

  it('delays each direction by the one-way delay asked for', async () => {
    await lab.set({ delayMs: 60, direction: 'down' });
    await lab.set({ delayMs: 40, direction: 'up' });
    const sent = await probe(30, 100, 20);
    await sleep(500);
    const rtts = sent.map((s) => (answers.get(s.n) ?? Number.NaN) - s.sentAt).sort((a, b) => a - b);
    expect(rtts.filter(Number.isFinite)).toHaveLength(30);
    // 60 + 40 ms of emulated delay; the real path adds a little, never removes any.
    expect(rtts[0]).toBeGreaterThanOrEqual(99);
    expect(rtts[15]).toBeLessThan(130);
    await lab.set({ delayMs: 0 });
  });

  it('drops the share of packets asked for, at random, in each direction', async () => {
    const before = await lab.stats();
    await lab.set({ lossPct: 20 });
    const sent = await probe(500, 100, 1);
    await sleep(300);
    await lab.set({ lossPct: 0 });
    const answered = sent.filter((s) => answers.has(s.n)).length;
    // Both ways at 20 %: 64 % come back on average; 500 probes put 3 sigma at ±6.4 %.
    expect(answered / 500).toBeGreaterThan(0.54);
    expect(answered / 500).toBeLessThan(0.74);
    const after = await lab.stats();
    const downLost = after.down.lossDropped - before.down.lossDropped;
    const upLost = after.up.lossDropped - before.up.lossDropped;
    expect(downLost / 500).toBeGreaterThan(0.13);
    expect(downLost / 500).toBeLessThan(0.27);
    // What was lost going up came from the probes that made it down.
    expect(upLost).toBe(500 - downLost - answered);
  });

  it('limits the rate, queueing a burst behind the bottleneck', async () => {
    await lab.set({ rateKbit: 400, queueBytes: 200_000, direction: 'down' });
    const sent = await probe(40, 1000, 0);
    await sleep(1500);
    const arrivals = sent.map((s) => answers.get(s.n)).filter((at): at is number => at !== undefined);
    expect(arrivals).toHaveLength(40);
    // 1028-byte IP packets at 400 kbit/s leave one every 20.6 ms.
    const kbit = ((39 * 1028 * 8) / (Math.max(...arrivals) - Math.min(...arrivals))) | 0;
    expect(kbit).toBeGreaterThan(340);
    expect(kbit).toBeLessThan(440);
  });

  it('drops what does not fit in a bounded queue (tail drop)', async () => {
    const before = await lab.stats();
    await lab.set({ rateKbit: 400, queueBytes: 10_000, direction: 'down' });
    const sent = await probe(40, 1000, 0);
    await sleep(1000);
    const answered = sent.filter((s) => answers.has(s.n)).length;
    // 10,000 bytes hold 9 packets of 1028 bytes, plus the one on the wire; the burst is not instant.
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(answered).toBeLessThanOrEqual(14);
    const after = await lab.stats();
    expect(after.down.queueDropped - before.down.queueDropped).toBe(40 - answered);
    await lab.set({ rateKbit: 0, queueBytes: null });
  });

  it('cuts the link both ways while it is down, and carries again once it is up', async () => {
    const before = await lab.stats();
    await lab.down();
    const during = await probe(20, 100, 10);
    await sleep(300);
    expect(during.filter((s) => answers.has(s.n))).toHaveLength(0);
    const stats = await lab.stats();
    expect(stats.linkUp).toBe(false);
    expect(stats.down.downDropped - before.down.downDropped).toBe(20);
    await lab.up();
    const after = await probe(20, 100, 10);
    await sleep(300);
    expect(after.filter((s) => answers.has(s.n))).toHaveLength(20);
  });

  it('answers a bad command with an error and keeps carrying', async () => {
    await expect(lab.set({ direction: 'sideways' as 'up' })).rejects.toThrow(/dir must be/);
    const sent = await probe(5, 100, 5);
    await sleep(200);
    expect(sent.filter((s) => answers.has(s.n))).toHaveLength(5);
  });
});
