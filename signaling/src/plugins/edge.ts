/**
 * The hardened edge, in front of every route:
 *
 * - security headers on every response (@fastify/helmet) and a strict
 *   Content-Security-Policy for the client (no inline script, no eval);
 * - per-IP rate limits of the HTTP API (@fastify/rate-limit; uploads stricter,
 *   set on their route);
 * - the WebSocket upgrade: Origin check, a cap on an address's open sockets
 *   and on its new sockets per minute, refused with 403 / 429 before any
 *   message is read;
 * - per-IP limits of some WebSocket requests (join, chatSend), taken by the
 *   dispatcher through `app.ipLimits`;
 * - a registry of the routes and their schemas (`app.routeTable`), which a
 *   test walks so that a route without a schema fails it.
 *
 * Counters live in this process (per node); nothing goes through Redis.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifySchema } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.js';
import { IpRate } from '../edge/IpRate.js';
import { AppError } from '../errors.js';
import { clientKey } from '../edge/clientKey.js';
import { PERMISSIONS_POLICY } from '../edge/permissionsPolicy.js';
import { ErrorCode, type RequestType } from '../protocol/index.js';

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly schema: FastifySchema | undefined;
  /** Files of the built client (@fastify/static): no parameters, nothing parsed. */
  readonly staticFile: boolean;
  readonly websocket: boolean;
}

/** Per-IP limits of WebSocket requests, consulted by ws/dispatch.ts. */
export interface IpLimits {
  /** 0: allowed; else milliseconds until the address may send this request again. */
  take(type: RequestType, ip: string): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    ipLimits: IpLimits;
    routeTable: RouteEntry[];
  }
}

/** A Host header fit to be written into a header value (no `;`, `,` or spaces). */
const SAFE_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

export const edgePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const https = config.publicUrl.startsWith('https:');
    const publicOrigin = new URL(config.publicUrl).origin;
    // The cluster's nodes (CLUSTER_URLS): a page loaded from one opens a meeting socket on another.
    const clusterOrigins = config.cluster.clusterUrls;
    const clusterSockets = clusterOrigins.map(socketOrigin);
    const frameAncestors = config.embedOrigins.length > 0 ? [...config.embedOrigins] : ["'none'"];

    // Every route, with its schema, for the test that fails on a route without one.
    const routeTable: RouteEntry[] = [];
    app.decorate('routeTable', routeTable);
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const websocket = Boolean((route as { websocket?: boolean }).websocket);
      for (const method of methods) {
        routeTable.push({
          method,
          url: route.url,
          schema: route.schema,
          // @fastify/static's routes are the only ones without a handler of ours and with `schema.hide`
          // (@fastify/websocket hides its routes too: the HEAD twin of /ws is seen hidden).
          staticFile: !websocket && (route.schema as { hide?: boolean } | undefined)?.hide === true && route.prefix === '' && !route.url.includes(':'),
          websocket,
        });
      }
    });

    await app.register(helmet, {
      // Every directive is listed here: helmet's defaults (which add
      // upgrade-insecure-requests, fatal on a plain-http LAN deployment) are off.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Preact sets element styles through the CSSOM, which CSP allows; no <style> or style="".
          styleSrc: ["'self'"],
          // pdf.js may load a document's embedded fonts as data: URLs.
          fontSrc: ["'self'", 'data:'],
          // The WebSocket of this very host (CSP 'self' covers ws/wss only in recent browsers).
          // And the other nodes' sockets (CSP's http: sources do not match ws:).
          connectSrc: ["'self'", (req) => sameHostSockets(req as IncomingMessage), ...clusterSockets],
          imgSrc: ["'self'", 'blob:', 'data:'],
          mediaSrc: ["'self'", 'blob:'],
          // The service worker (sw.js) and pdf.js's worker (a file of /assets, or a blob:).
          workerSrc: ["'self'", 'blob:'],
          manifestSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors,
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      // An allowed embedder must be able to frame the client: frame-ancestors
      // decides, X-Frame-Options (which cannot name origins) only when nobody may.
      xFrameOptions: config.embedOrigins.length > 0 ? false : { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // HSTS only on a deployment served over https; on http it would be ignored at best.
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      // Alone, Chantier talks to no other window; an embedding platform may
      // open it as a popup and talk to it (postMessage): no COOP then.
      crossOriginOpenerPolicy: config.embedOrigins.length > 0 ? false : { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      // Cross-origin isolation would need CORP on every resource a page loads; not needed.
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('permissions-policy', PERMISSIONS_POLICY);
    });

    await app.register(rateLimit, {
      global: true,
      max: config.edge.httpRequestsPerMinute,
      timeWindow: 60_000,
      // The API only: the client's static files cost nothing to serve, and a
      // building site's office behind one address loads them for everyone.
      // The WebSocket has its own limits below.
      allowList: (request) => !request.url.startsWith('/api/'),
      // Thrown: the app's error handler answers it (429 RATE_LIMITED).
      errorResponseBuilder: (_request, context) =>
        new AppError(ErrorCode.RATE_LIMITED, `too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`),
    });

    // The WebSocket upgrade: refused before the socket exists.
    const openSockets = new Map<string, number>();
    const connects = new IpRate(config.edge.wsConnectsPerMinute);
    const joins = new IpRate(config.edge.joinsPerMinute);
    const requestLimits: Partial<Record<RequestType, IpRate>> = {
      join: joins,
      // A knock is a guest's first step in: counted as a join, so that many sockets cannot pester moderators.
      knock: joins,
      chatSend: new IpRate(config.edge.chatMessagesPerMinute),
    };
    const sweeper = setInterval(() => {
      connects.sweep();
      for (const rate of Object.values(requestLimits)) rate.sweep();
    }, 60_000);
    sweeper.unref();
    app.addHook('onClose', () => clearInterval(sweeper));
    app.decorate('ipLimits', {
      take: (type: RequestType, ip: string) => requestLimits[type]?.take(clientKey(ip)) ?? 0,
    });

    const allowedOrigin = (origin: string, host: string | undefined): boolean => {
      if (origin === publicOrigin || config.embedOrigins.includes(origin) || clusterOrigins.includes(origin)) return true;
      // The page's own server (development, a LAN address, a test's port):
      // same host and port as the request, which a browser cannot forge.
      try {
        return host !== undefined && new URL(origin).host === host.toLowerCase();
      } catch {
        return false;
      }
    };

    // Refusals are logged at debug level only: a flood of them must not flood the log.
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.upgrade?.toLowerCase() !== 'websocket') return;
      const socket = request.raw.socket;
      // Browsers always send Origin on a WebSocket; a client without one
      // (a bot, a test's ws client) is no cross-site page and still needs a token.
      const origin = request.headers.origin;
      if (origin !== undefined && !allowedOrigin(origin, request.headers.host)) {
        request.log.debug({ origin, ip: request.ip }, 'websocket refused: origin not allowed');
        return refuse(reply, 403, ErrorCode.FORBIDDEN, 'origin not allowed');
      }
      const ip = clientKey(request.ip);
      const open = openSockets.get(ip) ?? 0;
      if (open >= config.edge.wsConnections) {
        request.log.debug({ ip, open }, 'websocket refused: too many open sockets');
        return refuse(reply, 429, ErrorCode.RATE_LIMITED, 'too many open connections', 30_000);
      }
      const wait = connects.take(ip);
      if (wait > 0) {
        request.log.debug({ ip }, 'websocket refused: too many new sockets');
        return refuse(reply, 429, ErrorCode.RATE_LIMITED, 'too many new connections', wait);
      }
      openSockets.set(ip, open + 1);
      socket.once('close', () => {
        const left = (openSockets.get(ip) ?? 1) - 1;
        if (left > 0) openSockets.set(ip, left);
        else openSockets.delete(ip);
      });
    });
  },
  { name: 'edge', dependencies: ['auth'] },
);

/** Answers a WebSocket upgrade with an HTTP error, then ends its connection (it must not stay open, waiting for nothing). */
function refuse(reply: FastifyReply, status: number, code: string, message: string, retryAfterMs?: number): FastifyReply {
  const socket = reply.request.raw.socket;
  reply.raw.once('finish', () => socket.end());
  if (retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return reply.code(status).header('connection', 'close').send({ error: { code, message } });
}

/** The WebSocket origin of a node's http(s) origin. */
function socketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

/** ws: and wss: of the host the page was loaded from, when that host is a plain name or address. */
function sameHostSockets(req: IncomingMessage): string {
  const host = req.headers.host;
  return host && SAFE_HOST.test(host) ? `ws://${host} wss://${host}` : '';
}
