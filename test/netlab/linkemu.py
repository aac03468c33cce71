#!/usr/bin/env python3
"""A user-space network link between the root namespace and a test namespace.

Why Python and not Node: the link is a pair of TUN devices, and opening one
takes an ioctl (TUNSETIFF) on /dev/net/tun, which Node cannot make without a
native addon. Why not `tc netem`: the test machines' kernels lack sch_netem
(and the tc actions that could drop packets), so delay and random loss are
done here, in the process that carries the packets.

Usage: linkemu.py <root-side tun> <namespace-side tun> <root-side IPv4> <namespace-side IPv4>
It opens both devices (IFF_TUN | IFF_NO_PI: raw IP packets), prints one JSON
line {"ready": true} and forwards packets until stdin closes (the parent died
or closed it) or a device goes away (its namespace was deleted).

    namespace side --"up"--> root side      (what the participant sends)
    root side    --"down"--> namespace side (what the participant receives)

Only IPv4 packets between the two addresses are carried (counted as
'foreign' otherwise): whatever else the namespace tries to send, it goes
nowhere.

Each direction is one bottleneck, in this order:
  1. link down: every packet is dropped (a cut cable, a lost radio);
  2. random loss: each packet dropped with probability lossPct / 100;
  3. rate limit (rateKbit > 0): packets leave one after the other at that
     rate, from a queue bounded to queueBytes; a packet that does not fit is
     dropped (tail drop, what a real bottleneck's buffer does);
  4. fixed delay: each packet is delivered delayMs after it left the queue.

Control: JSON lines on stdin, one JSON line answered on stdout per command:
  {"id": 1, "cmd": "set", "dir": "both"|"up"|"down",
   "rateKbit": 300, "delayMs": 100, "lossPct": 5, "queueBytes": 15000}
      (any subset of the settings; rateKbit 0 = unlimited; queueBytes
       default: 200 ms at the rate, at least 3000 bytes)
  {"id": 2, "cmd": "down"}   {"id": 3, "cmd": "up"}
  {"id": 4, "cmd": "stats"}  -> counters of each direction
Answers: {"id": 1, "ok": true, ...} or {"id": 1, "ok": false, "error": "..."}.
"""
import collections
import fcntl
import json
import os
import random
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65535


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


class Direction:
    """One way of the link: its settings, its queue and its counters."""

    def __init__(self, name, out_fd):
        self.name = name
        self.out_fd = out_fd
        self.rate_kbit = 0
        self.delay_ms = 0.0
        self.loss_pct = 0.0
        self.queue_bytes = None  # None: derived from the rate
        # When the bottleneck is next free to send (monotonic seconds).
        self.free_at = 0.0
        # Packets in flight, in delivery order: (deliver_at, packet).
        # Departures are in order and the delay is one value, so a deque is
        # enough (a delay lowered mid-flight may deliver a few packets late).
        self.in_flight = collections.deque()
        self.counters = {
            'packets': 0, 'bytes': 0, 'delivered': 0, 'deliveredBytes': 0,
            'lossDropped': 0, 'queueDropped': 0, 'downDropped': 0, 'writeErrors': 0,
        }

    def settings(self):
        return {'rateKbit': self.rate_kbit, 'delayMs': self.delay_ms, 'lossPct': self.loss_pct,
                'queueBytes': self.queue_limit()}

    def queue_limit(self):
        if self.queue_bytes is not None:
            return self.queue_bytes
        if self.rate_kbit <= 0:
            return None
        return max(3000, int(self.rate_kbit * 1000 / 8 * 0.2))

    def offer(self, packet, now, link_up):
        c = self.counters
        c['packets'] += 1
        c['bytes'] += len(packet)
        if not link_up:
            c['downDropped'] += 1
            return
        if self.loss_pct > 0 and random.random() * 100 < self.loss_pct:
            c['lossDropped'] += 1
            return
        leave_at = now
        if self.rate_kbit > 0:
            rate = self.rate_kbit * 1000 / 8  # bytes per second
            start = max(now, self.free_at)
            backlog = (start - now) * rate  # bytes still waiting before this one
            if backlog + len(packet) > self.queue_limit():
                c['queueDropped'] += 1
                return
            self.free_at = start + len(packet) / rate
            leave_at = self.free_at
        self.in_flight.append((leave_at + self.delay_ms / 1000, packet))

    def release(self, now):
        """Delivers what is due; returns when the next packet is (or None)."""
        c = self.counters
        while self.in_flight and self.in_flight[0][0] <= now:
            _, packet = self.in_flight.popleft()
            try:
                os.write(self.out_fd, packet)
                c['delivered'] += 1
                c['deliveredBytes'] += len(packet)
            except OSError:
                # EIO while the interface is down, EAGAIN if its queue is full:
                # the packet is lost, as on a real link.
                c['writeErrors'] += 1
        return self.in_flight[0][0] if self.in_flight else None

    def flush(self):
        """Drops what is in flight (the link went down under it)."""
        self.counters['downDropped'] += len(self.in_flight)
        self.in_flight.clear()
        self.free_at = 0.0


def main():
    root_name, ns_name = sys.argv[1], sys.argv[2]
    root_ip, ns_ip = socket.inet_aton(sys.argv[3]), socket.inet_aton(sys.argv[4])
    foreign = 0
    root_fd = open_tun(root_name)
    ns_fd = open_tun(ns_name)
    up = Direction('up', root_fd)      # read from the namespace side, written to the root side
    down = Direction('down', ns_fd)    # read from the root side, written to the namespace side
    link_up = True
    stdin_fd = sys.stdin.fileno()
    pending = b''

    def reply(message):
        sys.stdout.write(json.dumps(message) + '\n')
        sys.stdout.flush()

    def command(message):
        nonlocal link_up, foreign
        cmd = message.get('cmd')
        if cmd == 'set':
            which = message.get('dir', 'both')
            if which not in ('both', 'up', 'down'):
                raise ValueError('dir must be both, up or down')
            for d in (up, down):
                if which not in ('both', d.name):
                    continue
                if 'rateKbit' in message:
                    d.rate_kbit = max(0, float(message['rateKbit']))
                if 'delayMs' in message:
                    d.delay_ms = max(0.0, float(message['delayMs']))
                if 'lossPct' in message:
                    d.loss_pct = min(100.0, max(0.0, float(message['lossPct'])))
                if 'queueBytes' in message:
                    q = message['queueBytes']
                    d.queue_bytes = None if q is None else max(1500, int(q))
            return {'up': up.settings(), 'down': down.settings()}
        if cmd == 'down':
            link_up = False
            up.flush()
            down.flush()
            return {'linkUp': False}
        if cmd == 'up':
            link_up = True
            return {'linkUp': True}
        if cmd == 'stats':
            return {'linkUp': link_up, 'foreign': foreign, 'up': dict(up.counters, **up.settings()),
                    'down': dict(down.counters, **down.settings())}
        raise ValueError('unknown cmd %r' % (cmd,))

    reply({'ready': True, 'pid': os.getpid()})
    while True:
        now = time.monotonic()
        due = [t for t in (up.release(now), down.release(now)) if t is not None]
        timeout = max(0.0, min(due) - time.monotonic()) if due else 1.0
        try:
            readable, _, _ = select.select([root_fd, ns_fd, stdin_fd], [], [], timeout)
        except OSError:
            return 0
        now = time.monotonic()
        for fd in readable:
            if fd == stdin_fd:
                chunk = os.read(stdin_fd, 65536)
                if not chunk:
                    return 0  # the parent is gone: so is the link
                pending += chunk
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    if not line.strip():
                        continue
                    message = {}
                    try:
                        message = json.loads(line)
                        reply(dict(command(message), id=message.get('id'), ok=True))
                    except Exception as error:  # a bad command must not kill the link
                        reply({'id': message.get('id') if isinstance(message, dict) else None,
                               'ok': False, 'error': str(error)})
                continue
            # Drain the device: several packets may be waiting.
            for _ in range(256):
                try:
                    packet = os.read(fd, MAX_PACKET)
                except BlockingIOError:
                    break
                except OSError:
                    return 0  # the device is gone (its namespace was deleted)
                if not packet:
                    break
                src, dst = packet[12:16], packet[16:20]
                if packet[0] >> 4 != 4 or {src, dst} != {root_ip, ns_ip}:
                    foreign += 1  # IPv6 router solicitations and the like
                    continue
                (up if fd == ns_fd else down).offer(packet, now, link_up)


if __name__ == '__main__':
    sys.exit(main())
