/**
 * What this browser can do for a meeting, found by looking for each API, not
 * by reading the user agent. One place, read once at start-up
 * (`browserCapabilities(window)`); the UI hides or explains what is missing
 * from it, and nothing else probes the browser for these features.
 *
 * Known differences it captures (see the README's compatibility table):
 * - WebRTC itself: missing in Debian's WebKitGTK (built without it), in some
 *   in-app browsers and locked-down kiosks. The meeting then cannot start;
 *   the project page, the chat and the documents still work.
 * - Screen sharing (`getDisplayMedia`): desktop Chromium, Firefox and Safari
 *   have it, phones do not. Firefox (and Chromium) expose it only in a secure
 *   context: a page on plain http at a LAN address has no share button even
 *   where the camera was let through by a flag or pref. `screenShare` says
 *   which of the two is missing.
 * - Audio output choice: `setSinkId` in Chromium (Android included) and
 *   Firefox (there through its own picker, `selectAudioOutput`); Safari has
 *   neither on iOS (it routes sound itself).
 * - `contentHint` on tracks: Chromium, Safari, Firefox 128+.
 * - Autoplay: WebKit (Safari, every iOS browser) plays sound only after a
 *   touch; Firefox says so itself through `navigator.getAutoplayPolicy`.
 * - Video codecs the browser can send: Safari prefers H264 (hardware), has
 *   VP8, and VP9 only on recent versions; Firefox and Chromium have VP8, VP9
 *   and H264 (Chromium's software OpenH264 in Debian's build).
 * - Screen Wake Lock: Chromium, Safari 16.4+, Firefox 126+.
 * - Simulcast: sending several encodings through `addTransceiver`'s
 *   `sendEncodings` (mediasoup-client's way in every modern browser).
 *
 * The module is pure: it reads the objects it is given, so tests pass fake
 * windows for Chromium, Firefox and Safari.
 */

/** Why screen sharing is not offered. */
export type ScreenShareGap = 'no-webrtc' | 'insecure-context' | 'no-api';

/** How remote sound may be routed to another output. */
export type AudioOutputSupport =
  /** A list of outputs and `setSinkId` (Chromium). */
  | 'select'
  /** The browser's own picker (`selectAudioOutput`), then `setSinkId` (Firefox). */
  | 'picker'
  /** The browser routes sound itself (Safari, iOS). */
  | 'none';

/** Whether unmuted audio may start without a touch or click on the page. */
export type AutoplaySupport = 'allowed' | 'gesture' | 'unknown';

/** The video codecs of interest, as they appear after `video/` in a mime type. */
export type VideoCodecName = 'VP8' | 'VP9' | 'H264' | 'AV1';
const VIDEO_CODECS: readonly VideoCodecName[] = ['VP8', 'VP9', 'H264', 'AV1'];

export interface Capabilities {
  /** `RTCPeerConnection` exists: audio and video meetings are possible at all. */
  readonly webrtc: boolean;
  /** https, or http on localhost: camera, microphone and screen are offered only there. */
  readonly secureContext: boolean;
  /** `navigator.mediaDevices.getUserMedia`: camera and microphone. */
  readonly camera: boolean;
  /** Screen sharing: true, or why not. */
  readonly screenShare: true | ScreenShareGap;
  readonly audioOutput: AudioOutputSupport;
  /** `MediaStreamTrack.prototype.contentHint` (a shared plan is sent as 'detail'). */
  readonly contentHint: boolean;
  readonly autoplay: AutoplaySupport;
  /** Codecs `RTCRtpSender.getCapabilities('video')` lists, in the browser's order; null when it cannot tell. */
  readonly videoCodecs: readonly VideoCodecName[] | null;
  /** Screen Wake Lock (`navigator.wakeLock`). */
  readonly wakeLock: boolean;
  /** Several encodings of one track (`addTransceiver` with `sendEncodings`). */
  readonly simulcast: boolean;
}

/** The parts of `window` read here; every member may be missing. */
export interface CapabilityWindow {
  isSecureContext?: boolean;
  RTCPeerConnection?: { prototype: object };
  RTCRtpSender?: { getCapabilities?: (kind: string) => { codecs: ReadonlyArray<{ mimeType: string }> } | null };
  MediaStreamTrack?: { prototype: object };
  HTMLMediaElement?: { prototype: object };
  navigator?: {
    vendor?: string;
    mediaDevices?: object;
    wakeLock?: unknown;
    getAutoplayPolicy?: (type: 'mediaelement') => string;
  };
}

function has(target: object | undefined, name: string): boolean {
  return target !== undefined && target !== null && typeof (target as Record<string, unknown>)[name] === 'function';
}

/** Whether these media devices can capture a screen (ScreenCapture asks the same). */
export function hasDisplayMedia(media: object | null | undefined): boolean {
  return has(media ?? undefined, 'getDisplayMedia');
}

function screenShare(win: CapabilityWindow, webrtc: boolean, secure: boolean): true | ScreenShareGap {
  if (!webrtc) return 'no-webrtc';
  if (hasDisplayMedia(win.navigator?.mediaDevices)) return true;
  // The API exists but the page is not secure (Firefox and Chromium hide it there).
  return secure ? 'no-api' : 'insecure-context';
}

function audioOutput(win: CapabilityWindow): AudioOutputSupport {
  if (!win.HTMLMediaElement || !('setSinkId' in win.HTMLMediaElement.prototype)) return 'none';
  return has(win.navigator?.mediaDevices, 'selectAudioOutput') ? 'picker' : 'select';
}

/** WebKit engines all say "Apple Computer, Inc." (Safari, iOS browsers, WebKitGTK); Chromium says "Google Inc.", Firefox "". */
function isWebKit(win: CapabilityWindow): boolean {
  return win.navigator?.vendor === 'Apple Computer, Inc.';
}

function autoplay(win: CapabilityWindow): AutoplaySupport {
  const policy = win.navigator?.getAutoplayPolicy;
  if (typeof policy === 'function') {
    try {
      return policy.call(win.navigator, 'mediaelement') === 'allowed' ? 'allowed' : 'gesture';
    } catch {
      return 'unknown';
    }
  }
  // WebKit never lets unmuted audio start on its own; Chromium decides per site (engagement): unknown.
  return isWebKit(win) ? 'gesture' : 'unknown';
}

function videoCodecs(win: CapabilityWindow): readonly VideoCodecName[] | null {
  const getCapabilities = win.RTCRtpSender?.getCapabilities;
  if (typeof getCapabilities !== 'function') return null;
  let codecs: ReadonlyArray<{ mimeType: string }>;
  try {
    codecs = getCapabilities.call(win.RTCRtpSender, 'video')?.codecs ?? [];
  } catch {
    return null;
  }
  const names: VideoCodecName[] = [];
  for (const { mimeType } of codecs) {
    const name = VIDEO_CODECS.find((codec) => mimeType.toLowerCase() === `video/${codec.toLowerCase()}`);
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Reads the capabilities from the window given (or a fake of it). */
export function detectCapabilities(win: CapabilityWindow): Capabilities {
  const webrtc = typeof win.RTCPeerConnection === 'function';
  const secureContext = win.isSecureContext === true;
  return Object.freeze({
    webrtc,
    secureContext,
    camera: has(win.navigator?.mediaDevices, 'getUserMedia'),
    screenShare: screenShare(win, webrtc, secureContext),
    audioOutput: audioOutput(win),
    contentHint: win.MediaStreamTrack !== undefined && 'contentHint' in win.MediaStreamTrack.prototype,
    autoplay: autoplay(win),
    videoCodecs: webrtc ? videoCodecs(win) : [],
    wakeLock: win.navigator?.wakeLock !== undefined && win.navigator.wakeLock !== null,
    simulcast: webrtc && has(win.RTCPeerConnection?.prototype, 'addTransceiver'),
  });
}

let cached: Capabilities | null = null;

/** This page's capabilities, read once. */
export function browserCapabilities(win: Window = window): Capabilities {
  cached ??= detectCapabilities(win as unknown as CapabilityWindow);
  return cached;
}
