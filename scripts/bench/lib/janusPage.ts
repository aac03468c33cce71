/**
 * A minimal VideoRoom meeting page for Janus, built on Debian's janus.js,
 * shaped like Chantier's so that a benchmark drives both the same way:
 *
 * - lobby: the camera and microphone open (a preview in `.join__preview`)
 *   and the Janus session is created (WebSocket open), as Chantier's lobby
 *   opens its devices and its signaling socket and says hello before the
 *   press; then the "Rejoindre" button ([data-testid="join-button"]) is
 *   enabled;
 * - press: what Janus's own VideoRoom demo does: attach a publisher handle,
 *   join the room, then at once publish the lobby's tracks (offer,
 *   `configure`) and subscribe to every publisher already there (one
 *   subscriber handle per feed: join, answer, `start`); later publishers are
 *   subscribed to as they come, and left when they go;
 * - the camera is sent with simulcast (janus.js's rid-based h/m/l layers;
 *   Chantier's client sends two layers, 320x180 and 640x360); the room
 *   forwards the highest layer that arrives.
 *
 * Served from 127.0.0.1 (a secure context: getUserMedia works without
 * flags); the page talks to Janus at ws://<namespace address>:8188.
 * Query: ws, room, display, auto=1 (press at once: the always-present
 * publisher).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureJanus, JANUS_JS } from './janus.js';

const PAGE = `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Janus VideoRoom (bench)</title>
<script src="/janus.js"></script>
<style>video { width: 320px; height: 180px; background: #000; }</style>
</head>
<body>
<div class="join__preview"><video id="preview" autoplay muted playsinline></video></div>
<button type="button" data-testid="join-button" id="join" disabled>Rejoindre</button>
<div id="remotes"></div>
<pre id="status"></pre>
<script>
(() => {
  const q = new URLSearchParams(location.search);
  const server = q.get('ws');
  const room = Number(q.get('room'));
  const display = q.get('display') || 'bench';
  const auto = q.get('auto') === '1';
  const state = (window.__janusPage = { phase: 'lobby', error: null, publisherId: null, subscribed: [], log: [] });
  const log = (text) => {
    state.log.push(Math.round(performance.now()) + ' ' + text);
    document.getElementById('status').textContent = state.log.slice(-10).join('\\n');
  };
  const fail = (what) => (error) => {
    state.error = what + ': ' + (error && error.message ? error.message : JSON.stringify(error));
    log(state.error);
  };
  const button = document.getElementById('join');
  let janus = null;
  let stream = null;
  const subscribers = new Map();

  function subscribe(feed) {
    if (subscribers.has(feed) || feed === state.publisherId) return;
    subscribers.set(feed, null);
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      success: (handle) => {
        subscribers.set(feed, handle);
        handle.send({ message: { request: 'join', room, ptype: 'subscriber', streams: [{ feed }] } });
      },
      error: fail('attach subscriber'),
      onmessage: (msg, jsep) => {
        if (msg.error) return fail('subscriber')(msg.error);
        const handle = subscribers.get(feed);
        if (jsep && handle) {
          handle.createAnswer({
            jsep,
            tracks: [],
            success: (answer) => handle.send({ message: { request: 'start', room }, jsep: answer }),
            error: fail('answer'),
          });
        }
        if (msg.started === 'ok') {
          state.subscribed.push(feed);
          log('subscribed to ' + feed);
        }
      },
      onremotetrack: (track, mid, on) => {
        if (!on || track.kind !== 'video') return;
        const video = document.createElement('video');
        video.autoplay = true;
        video.muted = true;
        video.playsInline = true;
        video.srcObject = new MediaStream([track]);
        video.dataset.feed = String(feed);
        document.getElementById('remotes').appendChild(video);
      },
      oncleanup: () => {},
    });
  }

  function unsubscribe(feed) {
    const handle = subscribers.get(feed);
    subscribers.delete(feed);
    if (handle) handle.detach();
    for (const video of document.querySelectorAll('#remotes video[data-feed="' + feed + '"]')) video.remove();
  }

  function join() {
    button.disabled = true;
    state.phase = 'joining';
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      success: (publisher) => {
        state.handle = publisher;
        publisher.send({ message: { request: 'join', room, ptype: 'publisher', display } });
      },
      error: fail('attach publisher'),
      onmessage: (msg, jsep) => {
        if (msg.error) return fail('publisher')(msg.error);
        const publisher = state.handle;
        if (msg.videoroom === 'joined') {
          state.publisherId = msg.id;
          state.phase = 'room';
          log('joined as ' + msg.id);
          publisher.createOffer({
            tracks: [
              { type: 'audio', capture: stream.getAudioTracks()[0], recv: false },
              { type: 'video', capture: stream.getVideoTracks()[0], recv: false, simulcast: true },
            ],
            success: (offer) => publisher.send({ message: { request: 'configure', audio: true, video: true }, jsep: offer }),
            error: fail('offer'),
          });
        }
        for (const p of msg.publishers || []) subscribe(p.id);
        if (msg.unpublished && msg.unpublished !== 'ok') unsubscribe(msg.unpublished);
        if (msg.leaving && msg.leaving !== 'ok') unsubscribe(msg.leaving);
        if (jsep) publisher.handleRemoteJsep({ jsep, error: fail('answer from janus') });
      },
      oncleanup: () => {},
    });
  }
  button.addEventListener('click', join);

  (async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
      document.getElementById('preview').srcObject = stream;
      await new Promise((resolve) =>
        Janus.init({
          debug: false,
          // janus.js reads only adapter.browserDetails from webrtc-adapter, not shipped with Debian's janus.js.
          dependencies: Janus.useDefaultDependencies({ adapter: { browserDetails: { browser: 'chrome', version: 120 } } }),
          callback: resolve,
        }),
      );
      await new Promise((resolve, reject) => {
        janus = new Janus({ server, success: resolve, error: reject, destroyed: () => log('session destroyed') });
      });
      log('lobby ready');
      button.disabled = false;
      if (auto) button.click();
    } catch (error) {
      fail('lobby')(error);
    }
  })();
})();
</script>
</body>
</html>
`;

export interface JanusPageServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** The page's address for a room: the `auto` one joins as soon as the lobby is ready. */
  pageUrl(options: { wsUrl: string; room: number; display: string; auto?: boolean }): string;
  close(): Promise<void>;
}

/** Serves the page and Debian's janus.js on 127.0.0.1 (a free port). */
export async function serveJanusPage(): Promise<JanusPageServer> {
  ensureJanus();
  const janusJs = readFileSync(JANUS_JS);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(PAGE);
    } else if (path === '/janus.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(janusJs);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    pageUrl: ({ wsUrl, room, display, auto }) =>
      `${url}?${new URLSearchParams({ ws: wsUrl, room: String(room), display, ...(auto ? { auto: '1' } : {}) }).toString()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
