import { describe, expect, it } from 'vitest';
import { detectCapabilities, type CapabilityWindow } from './capabilities';

/** A constructor whose prototype has the methods and properties named. */
function fakeClass(members: readonly string[]): { prototype: object } {
  function Fake(): void {}
  for (const member of members) (Fake.prototype as Record<string, unknown>)[member] = function member() {};
  return Fake;
}

function mediaDevices(methods: readonly string[]): object {
  return Object.fromEntries(methods.map((method) => [method, () => Promise.resolve()]));
}

function sender(mimeTypes: readonly string[]): CapabilityWindow['RTCRtpSender'] {
  return { getCapabilities: (kind) => (kind === 'video' ? { codecs: mimeTypes.map((mimeType) => ({ mimeType })) } : null) };
}

const PEER_CONNECTION = fakeClass(['addTransceiver', 'createOffer', 'setLocalDescription']);

/** Chromium 156 on a desktop, https. */
const chromium = (): CapabilityWindow => ({
  isSecureContext: true,
  RTCPeerConnection: PEER_CONNECTION,
  RTCRtpSender: sender(['video/VP8', 'video/rtx', 'video/VP9', 'video/VP9', 'video/H264', 'video/AV1', 'video/red', 'video/ulpfec']),
  MediaStreamTrack: fakeClass(['contentHint', 'getSettings']),
  HTMLMediaElement: fakeClass(['play', 'setSinkId']),
  navigator: {
    vendor: 'Google Inc.',
    mediaDevices: mediaDevices(['getUserMedia', 'enumerateDevices', 'getDisplayMedia']),
    wakeLock: {},
  },
});

/** Firefox ESR 153 on a desktop, https. */
const firefox = (overrides: Partial<CapabilityWindow> = {}): CapabilityWindow => ({
  isSecureContext: true,
  RTCPeerConnection: PEER_CONNECTION,
  RTCRtpSender: sender(['video/VP8', 'video/VP9', 'video/H264', 'video/rtx', 'video/ulpfec']),
  MediaStreamTrack: fakeClass(['contentHint', 'getSettings']),
  HTMLMediaElement: fakeClass(['play', 'setSinkId']),
  navigator: {
    vendor: '',
    mediaDevices: mediaDevices(['getUserMedia', 'enumerateDevices', 'getDisplayMedia', 'selectAudioOutput']),
    wakeLock: {},
    getAutoplayPolicy: () => 'allowed-muted',
  },
  ...overrides,
});

/** Safari on an iPhone (iOS 17): no screen capture, no output choice, H264 first. */
const iosSafari = (): CapabilityWindow => ({
  isSecureContext: true,
  RTCPeerConnection: PEER_CONNECTION,
  RTCRtpSender: sender(['video/H264', 'video/H264', 'video/VP8', 'video/rtx', 'video/H265']),
  MediaStreamTrack: fakeClass(['contentHint', 'getSettings']),
  HTMLMediaElement: fakeClass(['play']),
  navigator: {
    vendor: 'Apple Computer, Inc.',
    mediaDevices: mediaDevices(['getUserMedia', 'enumerateDevices']),
    wakeLock: {},
  },
});

/** Debian's WebKitGTK 2.50: no WebRTC at all, getUserMedia with mock devices. */
const webkitGtk = (): CapabilityWindow => ({
  isSecureContext: true,
  MediaStreamTrack: fakeClass(['contentHint', 'getSettings']),
  HTMLMediaElement: fakeClass(['play']),
  navigator: {
    vendor: 'Apple Computer, Inc.',
    mediaDevices: mediaDevices(['getUserMedia', 'enumerateDevices', 'getDisplayMedia']),
  },
});

describe('detectCapabilities', () => {
  it('Chromium: everything, outputs listed by the page, autoplay left to the browser', () => {
    expect(detectCapabilities(chromium())).toEqual({
      webrtc: true,
      secureContext: true,
      camera: true,
      screenShare: true,
      audioOutput: 'select',
      contentHint: true,
      autoplay: 'unknown',
      videoCodecs: ['VP8', 'VP9', 'H264', 'AV1'],
      wakeLock: true,
      simulcast: true,
    });
  });

  it('Firefox: screen sharing, the output through its own picker, autoplay as its policy says', () => {
    const caps = detectCapabilities(firefox());
    expect(caps.screenShare).toBe(true);
    expect(caps.audioOutput).toBe('picker');
    expect(caps.autoplay).toBe('gesture');
    expect(caps.videoCodecs).toEqual(['VP8', 'VP9', 'H264']);
    expect(caps.simulcast).toBe(true);
    const allowed = firefox();
    allowed.navigator!.getAutoplayPolicy = () => 'allowed';
    expect(detectCapabilities(allowed).autoplay).toBe('allowed');
  });

  it('Firefox on plain http at a LAN address: the camera let through by prefs, no screen sharing, and says why', () => {
    // media.devices.insecure.enabled exposes getUserMedia; getDisplayMedia stays [SecureContext].
    const caps = detectCapabilities(
      firefox({
        isSecureContext: false,
        navigator: { vendor: '', mediaDevices: mediaDevices(['getUserMedia', 'enumerateDevices', 'selectAudioOutput']) },
      }),
    );
    expect(caps.camera).toBe(true);
    expect(caps.screenShare).toBe('insecure-context');
    expect(caps.wakeLock).toBe(false);
  });

  it('Safari on an iPhone: no screen capture, sound routed by iOS, a touch before sound, H264 first', () => {
    const caps = detectCapabilities(iosSafari());
    expect(caps.webrtc).toBe(true);
    expect(caps.screenShare).toBe('no-api');
    expect(caps.audioOutput).toBe('none');
    expect(caps.autoplay).toBe('gesture');
    expect(caps.videoCodecs).toEqual(['H264', 'VP8']);
    expect(caps.contentHint).toBe(true);
    expect(caps.wakeLock).toBe(true);
  });

  it('older Safari: no contentHint, no wake lock, no getCapabilities', () => {
    const old = iosSafari();
    old.MediaStreamTrack = fakeClass(['getSettings']);
    delete old.navigator!.wakeLock;
    delete old.RTCRtpSender;
    const caps = detectCapabilities(old);
    expect(caps.contentHint).toBe(false);
    expect(caps.wakeLock).toBe(false);
    expect(caps.videoCodecs).toBeNull();
  });

  it('WebKitGTK without WebRTC: no meeting, so no sharing either, whatever getDisplayMedia says', () => {
    const caps = detectCapabilities(webkitGtk());
    expect(caps.webrtc).toBe(false);
    expect(caps.camera).toBe(true);
    expect(caps.screenShare).toBe('no-webrtc');
    expect(caps.simulcast).toBe(false);
    expect(caps.videoCodecs).toEqual([]);
  });

  it('an empty window (a worker, a very old browser): nothing, and no throw', () => {
    expect(detectCapabilities({})).toMatchObject({ webrtc: false, secureContext: false, camera: false, audioOutput: 'none', autoplay: 'unknown', wakeLock: false });
  });

  it('a getCapabilities or autoplay probe that throws counts as unknown', () => {
    const win = chromium();
    win.RTCRtpSender = {
      getCapabilities: () => {
        throw new Error('boom');
      },
    };
    win.navigator!.getAutoplayPolicy = () => {
      throw new TypeError('boom');
    };
    const caps = detectCapabilities(win);
    expect(caps.videoCodecs).toBeNull();
    expect(caps.autoplay).toBe('unknown');
  });
});
