/**
 * Whether this process can reach Redis right now, from the raw client's own
 * events, and one log line per change (not one per failed reconnect). Parts
 * that keep shared facts in Redis listen for `restored` and write them again:
 * presence of the sessions connected here (projects/ProjectHub.ts), this
 * node's liveness and meeting claims (cluster/NodeRegistry.ts), who is in the
 * meetings held here (rooms/RoomRegistry.ts). The event bus's subscriber
 * re-subscribes by itself and catches up (events/EventBus.ts).
 */
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';

interface ClientEvents {
  on(event: 'ready' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export class RedisLink extends EventEmitter<{ lost: []; restored: [downMs: number] }> {
  #up = false;
  #downSince: number | undefined;
  #closing = false;

  constructor(
    client: ClientEvents,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    client.on('ready', () => this.#ready());
    client.on('error', (error: Error) => this.#lost(error));
    client.on('end', () => this.#lost(undefined));
  }

  /** Whether the client is connected (as of its last event). */
  get up(): boolean {
    return this.#up;
  }

  /** The client is being closed on purpose (shutdown): its end is no outage. */
  closing(): void {
    this.#closing = true;
  }

  #ready(): void {
    if (this.#up || this.#closing) return;
    this.#up = true;
    const since = this.#downSince;
    this.#downSince = undefined;
    if (since === undefined) return; // the first connection
    const downMs = Date.now() - since;
    this.log.info({ downMs }, 'redis reachable again');
    this.#emit('restored', downMs);
  }

  #lost(error: Error | undefined): void {
    if (this.#closing) return;
    if (!this.#up) {
      this.log.debug({ err: error }, 'redis still unreachable');
      return;
    }
    this.#up = false;
    this.#downSince = Date.now();
    this.log.warn({ err: error }, 'redis unreachable: requests that need it answer UNAVAILABLE until it is back');
    this.#emit('lost');
  }

  /** A throwing listener must not break the client's event loop. */
  #emit(event: 'lost'): void;
  #emit(event: 'restored', downMs: number): void;
  #emit(event: 'lost' | 'restored', ...args: [] | [number]): void {
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.log.error({ err: error, event }, 'redis link listener failed');
      }
    }
  }
}
