import fp from 'fastify-plugin';
import { Coturn, iceServersFor, stunBindingAnswers, udpTcpPortFree, type TurnSettings } from '@chantier/turn';
import type { Config, TurnMode, TurnServerSettings } from '../config.js';

export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

export type TurnState = 'off' | 'ok' | 'down';

export interface TurnStatus {
  mode: TurnMode;
  state: TurnState;
}

/** What the rest of the server knows of TURN. */
export interface TurnService {
  readonly mode: TurnMode;
  /** Credential lifetime in seconds; undefined without TURN. */
  readonly credentialTtlS: number | undefined;
  /** Fresh credentials for a user: [] without TURN, or when the embedded coturn did not start. */
  iceServers(userId: string, nowMs?: number): IceServer[];
  /**
   * For /readyz. Embedded: the coturn child is alive and answers STUN.
   * External: one STUN Binding to the first turn: UDP URL, cached a few
   * seconds (reported, not required: see routes/health.ts).
   */
  status(): Promise<TurnStatus>;
}

declare module 'fastify' {
  interface FastifyInstance {
    turn: TurnService;
  }
}

const PROBE_CACHE_MS = 5_000;

/** host and port of the first `turn:` URL over UDP (or without transport), for a STUN probe. */
export function udpProbeTarget(urls: readonly string[]): { host: string; port: number } | undefined {
  for (const url of urls) {
    const match = /^turn:(\[[^\]]+\]|[^:?]+)(?::(\d+))?(\?transport=(udp|tcp))?$/.exec(url);
    if (!match || match[4] === 'tcp') continue;
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2] ?? 3478) };
  }
  return undefined;
}

/** Runs coturn with the config's settings (npm start's embedded one, and `npm run coturn`). */
export async function startCoturn(server: TurnServerSettings, onLog: (line: string) => void): Promise<Coturn> {
  for (const port of [server.port, ...(server.tls ? [server.tls.port] : [])]) {
    if (!(await udpTcpPortFree(server.listenIp, port))) {
      throw new Error(`TURN port ${port} on ${server.listenIp} is in use (another coturn?): set TURN_PORT/TURN_TLS_PORT`);
    }
  }
  return Coturn.start({
    secret: server.secret,
    realm: server.realm,
    listeningIp: server.listenIp,
    ...(server.relayIp ? { relayIp: server.relayIp } : {}),
    ...(server.externalIp ? { externalIp: server.externalIp } : {}),
    port: server.port,
    ...(server.tls ? { tls: server.tls } : {}),
    minPort: server.minPort,
    maxPort: server.maxPort,
    allowLoopbackPeers: server.allowLoopbackPeers,
    allowedPeerIps: server.allowedPeerIps,
    onLog,
  });
}

/** Where to send a STUN probe to a coturn listening on `listenIp`. */
export function probeHost(listenIp: string): string {
  return listenIp === '0.0.0.0' ? '127.0.0.1' : listenIp;
}

/**
 * TURN for browsers behind restrictive networks. TURN_MODE=embedded: start
 * Debian's coturn as a child (like the embedded Redis) and stop it on close;
 * if it cannot start (not installed, port taken), log it and hand out no TURN
 * rather than refuse to run: meetings still work on open networks and over
 * ICE-TCP. TURN_MODE=external: hand out credentials for TURN_URLS.
 */
export const turnPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    let settings: TurnSettings | undefined = config.turn;
    let coturn: Coturn | undefined;
    const log = app.log.child({ component: 'turn' });

    if (config.turnMode === 'embedded' && config.turnServer) {
      const server = config.turnServer;
      try {
        coturn = await startCoturn(server, (line) => log.debug({ coturn: line }));
        log.info({ coturnPid: coturn.pid, port: server.port, tlsPort: server.tls?.port, urls: settings?.urls }, 'embedded coturn started');
      } catch (error) {
        log.error({ err: error }, 'embedded coturn did not start: no TURN for this run');
        settings = undefined;
      }
    }

    let probe: { at: number; state: Promise<TurnState> } | undefined;
    const target = config.turnMode === 'external' && settings ? udpProbeTarget(settings.urls) : undefined;

    const service: TurnService = {
      mode: config.turnMode,
      credentialTtlS: settings?.credentialTtlS,
      iceServers: (userId, nowMs) => iceServersFor(settings, userId, nowMs),
      async status() {
        if (!settings) return { mode: config.turnMode, state: config.turnMode === 'off' ? 'off' : 'down' };
        if (coturn) {
          const server = config.turnServer!;
          const alive = coturn.running && (await stunBindingAnswers(probeHost(server.listenIp), server.port, 500));
          return { mode: config.turnMode, state: alive ? 'ok' : 'down' };
        }
        if (!target) return { mode: config.turnMode, state: 'ok' }; // TCP/TLS only: nothing cheap to probe
        if (!probe || Date.now() - probe.at > PROBE_CACHE_MS) {
          probe = {
            at: Date.now(),
            state: stunBindingAnswers(target.host, target.port, 500).then((ok) => (ok ? 'ok' : 'down')),
          };
        }
        return { mode: config.turnMode, state: await probe.state };
      },
    };
    app.decorate('turn', service);
    app.addHook('onClose', async () => {
      await coturn?.stop();
    });
  },
  { name: 'turn' },
);
