/**
 * UDP ports for the recording writers: an even port P (RTP) and P + 1
 * (RTCP), as FFmpeg reads them. Taken from RECORDING_PORT_MIN..MAX, below
 * the ephemeral range, checked free by binding both before they are given.
 */
import { createSocket } from 'node:dgram';

async function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

export class PortPool {
  readonly #min: number;
  readonly #max: number;
  readonly #taken = new Set<number>();
  #next: number;

  constructor(min: number, max: number) {
    this.#min = min % 2 === 0 ? min : min + 1;
    this.#max = max;
    this.#next = this.#min;
  }

  get inUse(): number {
    return this.#taken.size;
  }

  /** An even port whose next one is free too; throws when the range is exhausted. */
  async take(): Promise<number> {
    const span = Math.floor((this.#max - this.#min + 1) / 2);
    for (let i = 0; i < span; i++) {
      const port = this.#next;
      this.#next = port + 2 + 1 > this.#max ? this.#min : port + 2;
      if (this.#taken.has(port)) continue;
      this.#taken.add(port);
      if ((await free(port)) && (await free(port + 1))) return port;
      this.#taken.delete(port);
    }
    throw new Error('no free recording port');
  }

  release(port: number): void {
    this.#taken.delete(port);
  }
}
