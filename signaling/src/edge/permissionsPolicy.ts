/**
 * The Permissions-Policy header of every response (plugins/edge.ts): camera,
 * microphone and screen capture for Chantier's own pages (inside an allowed
 * embedder's frame too, when its iframe delegates them); the powerful
 * features a page could otherwise ask for, for nobody.
 *
 * Only features browsers recognize: Chromium logs `Error with
 * Permissions-Policy header: Unrecognized feature: '<name>'` on every page
 * for any other (and ignores the entry anyway). Each name below is in
 * Chromium 156's `document.featurePolicy.features()`; the browser test
 * (client/e2e/csp.e2e.test.ts) checks it on the real browser. `bluetooth`,
 * once listed here, is not: Chromium has no such policy feature (Web
 * Bluetooth is not exposed on Linux builds), so it is left out.
 */
export const PERMISSIONS_POLICY_FEATURES: Readonly<Record<string, string>> = {
  camera: '(self)',
  microphone: '(self)',
  'display-capture': '(self)',
  fullscreen: '(self)',
  autoplay: '(self)',
  geolocation: '()',
  payment: '()',
  usb: '()',
  serial: '()',
  midi: '()',
  hid: '()',
};

export const PERMISSIONS_POLICY = Object.entries(PERMISSIONS_POLICY_FEATURES)
  .map(([feature, allowlist]) => `${feature}=${allowlist}`)
  .join(', ');
