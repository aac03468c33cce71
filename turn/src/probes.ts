/** Ports and liveness probes around coturn: free ports, a STUN Binding, a TLS handshake. */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** A port free on `host` for both TCP and UDP (TURN listens on both). */
export async function freeUdpTcpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    udp.close();
    if (tcpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

/**
 * Whether nothing listens on `host:port`, UDP or TCP. coturn binds with
 * SO_REUSEPORT, so a second coturn on a taken port starts "fine" and shares
 * the first one's traffic; the STUN probe then answers from the first. Ask
 * before starting instead. Binding 0.0.0.0 also catches a listener on one address.
 */
export async function udpTcpPortFree(host: string, port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const udpFree = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, host, () => resolve(true));
  });
  udp.close();
  if (!udpFree) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** One STUN Binding request over UDP; true when a Binding success response comes back in time. */
export async function stunBindingAnswers(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  const transactionId = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transactionId]);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      socket.on('message', (msg) => {
        if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(transactionId)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      socket.send(request, port, host);
    });
  } finally {
    socket.close();
  }
}

/** True when a TLS handshake with `host:port` completes in time (any certificate: this is a liveness probe). */
export async function tlsHandshakeAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
