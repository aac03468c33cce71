import { readFileSync } from 'node:fs';
import * as mediasoup from 'mediasoup';
import type { WebRtcServer, Worker } from 'mediasoup/types';
import type { SfuConfig } from './config.js';
import { Emitter } from './Emitter.js';
import type { Logger } from './logger.js';
import { WorkerLoad, workerForRoom } from './placement.js';

/** One mediasoup worker process with its WebRtcServer (one UDP and one TCP port). */
export interface WorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  readonly webRtcServer: WebRtcServer;
  /** Ports actually bound (differs from config when config.port is 0). */
  readonly udpPort: number;
  readonly tcpPort: number;
  /** What the worker carries (kept exact by the rooms on it), for least-loaded placement. */
  readonly load: WorkerLoad;
}

export type WorkerPoolEvents = {
  /** A worker died; rooms on it are already gone. A replacement is being started. */
  workerdied: [index: number, error: Error];
  /** A replacement worker is up at this index. */
  workerreplaced: [slot: WorkerSlot];
  /** A replacement could not be started (will be retried). */
  workerfailed: [index: number, error: Error];
};

/** The kernel grants a socket buffer up to net.core.{r,w}mem_max: say so when that is below what is asked. */
function warnIfBuffersCapped(bytes: number, log: Logger): void {
  for (const name of ['rmem_max', 'wmem_max']) {
    let max: number;
    try {
      max = Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
    } catch {
      return; // not Linux, or no /proc: nothing to tell
    }
    if (Number.isFinite(max) && max < bytes) {
      log.warn(
        { asked: bytes, granted: max, sysctl: `net.core.${name}` },
        'media socket buffers are capped by the kernel: raise the sysctl (RTC_SOCKET_BUFFER_BYTES in README)',
      );
    }
  }
}

const RESPAWN_DELAYS_MS = [0, 250, 1000, 5000];

/**
 * A fixed-size pool of mediasoup workers, one WebRtcServer each, so that all
 * WebRTC traffic of a worker uses one UDP and one TCP port (firewall friendly)
 * instead of a port per transport. A worker that dies is replaced at the same
 * index and port.
 */
export class WorkerPool extends Emitter<WorkerPoolEvents> {
  readonly #config: SfuConfig;
  readonly #log: Logger;
  readonly #slots: (WorkerSlot | undefined)[];
  #closed = false;

  private constructor(config: SfuConfig, log: Logger) {
    super();
    this.#config = config;
    this.#log = log;
    this.#slots = new Array<WorkerSlot | undefined>(config.numWorkers).fill(undefined);
  }

  static async create(config: SfuConfig, log: Logger): Promise<WorkerPool> {
    warnIfBuffersCapped(config.socketBufferBytes, log);
    const pool = new WorkerPool(config, log);
    try {
      for (let i = 0; i < config.numWorkers; i++) {
        pool.#slots[i] = await pool.#startSlot(i);
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live workers, in index order. */
  get slots(): WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
  }

  /** Live workers whose process is still up (a dying one may still be in `slots` for a moment). */
  get alive(): WorkerSlot[] {
    return this.slots.filter((s) => !s.worker.closed);
  }

  /** The live worker for a new room (placement.ts: lowest cost). Throws when none is alive. */
  leastLoaded(): WorkerSlot {
    const best = workerForRoom(this.alive);
    if (!best) throw new Error('no mediasoup worker is alive');
    return best;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots.fill(undefined);
  }

  async #startSlot(index: number): Promise<WorkerSlot> {
    const worker = await mediasoup.createWorker({
      logLevel: this.#config.workerLogLevel,
      logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp'],
      appData: { index },
    });
    const port = this.#config.port === 0 ? 0 : this.#config.port + index;
    let webRtcServer: WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: (['udp', 'tcp'] as const).map((protocol) => ({
          protocol,
          ip: this.#config.listenIp,
          announcedAddress: this.#config.announcedAddress,
          recvBufferSize: this.#config.socketBufferBytes,
          sendBufferSize: this.#config.socketBufferBytes,
          ...(port === 0 ? { portRange: { min: 40000, max: 49999 } } : { port }),
        })),
      });
    } catch (error) {
      worker.close();
      throw error;
    }
    const dump = await webRtcServer.dump();
    const slot: WorkerSlot = {
      index,
      worker,
      webRtcServer,
      udpPort: dump.udpSockets[0]?.port ?? port,
      tcpPort: dump.tcpServers[0]?.port ?? port,
      load: new WorkerLoad(),
    };
    worker.on('died', (error) => this.#onDied(slot, error));
    this.#log.info(
      { worker: index, pid: worker.pid, udpPort: slot.udpPort, tcpPort: slot.tcpPort },
      'mediasoup worker started',
    );
    return slot;
  }

  #onDied(slot: WorkerSlot, error: Error): void {
    if (this.#closed || this.#slots[slot.index] !== slot) return;
    this.#slots[slot.index] = undefined;
    this.#log.error({ worker: slot.index, pid: slot.worker.pid, err: error }, 'mediasoup worker died');
    this.safeEmit('workerdied', slot.index, error);
    void this.#respawn(slot.index, 0);
  }

  async #respawn(index: number, attempt: number): Promise<void> {
    const delay = RESPAWN_DELAYS_MS[Math.min(attempt, RESPAWN_DELAYS_MS.length - 1)] ?? 5000;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.#closed) return;
    try {
      const slot = await this.#startSlot(index);
      if (this.#closed) {
        slot.worker.close();
        return;
      }
      this.#slots[index] = slot;
      this.safeEmit('workerreplaced', slot);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.#log.error({ worker: index, err, attempt }, 'could not replace mediasoup worker');
      this.safeEmit('workerfailed', index, err);
      void this.#respawn(index, attempt + 1);
    }
  }
}
