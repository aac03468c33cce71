import { describe, expect, it } from 'vitest';
import { PERMISSIONS_POLICY } from './permissionsPolicy.js';

/**
 * The features Chromium 156 recognizes among those a page could ask for
 * (from its `document.featurePolicy.features()`; the browser test checks the
 * header against the real list). Not there: `bluetooth`.
 */
const CHROMIUM_156_FEATURES = new Set([
  'accelerometer', 'autoplay', 'camera', 'clipboard-read', 'clipboard-write', 'display-capture', 'encrypted-media',
  'fullscreen', 'gamepad', 'geolocation', 'gyroscope', 'hid', 'idle-detection', 'local-fonts', 'magnetometer',
  'microphone', 'midi', 'payment', 'picture-in-picture', 'publickey-credentials-get', 'screen-wake-lock', 'serial',
  'speaker-selection', 'usb', 'window-management', 'xr-spatial-tracking',
]);

function entries(header: string): [string, string][] {
  return header.split(',').map((member) => {
    const match = /^\s*([a-z][a-z-]*)=(\((?:self)?\))\s*$/.exec(member);
    if (!match) throw new Error(`malformed member: "${member}"`);
    return [match[1]!, match[2]!];
  });
}

describe('the Permissions-Policy header', () => {
  it('is a well-formed list of distinct features, every one recognized by Chromium', () => {
    const list = entries(PERMISSIONS_POLICY);
    const names = list.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => !CHROMIUM_156_FEATURES.has(name))).toEqual([]);
    expect(names).not.toContain('bluetooth');
  });

  it("gives the meeting's own pages camera, microphone, screen capture, full screen and autoplay, and nothing else to anyone", () => {
    const policy = Object.fromEntries(entries(PERMISSIONS_POLICY));
    for (const feature of ['camera', 'microphone', 'display-capture', 'fullscreen', 'autoplay']) expect(policy[feature], feature).toBe('(self)');
    for (const [feature, allowlist] of Object.entries(policy)) {
      if (allowlist !== '(self)') expect(allowlist, feature).toBe('()');
    }
    for (const feature of ['geolocation', 'payment', 'usb', 'serial', 'midi', 'hid']) expect(policy[feature], feature).toBe('()');
  });
});
