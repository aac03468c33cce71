import type { browserFr } from './browser.fr';

/** English texts about what this browser cannot do, typed by the French keys. */
export const browserEn: Record<keyof typeof browserFr, string> = {
  'browser.noWebrtc.title': 'No audio or video meetings in this browser',
  'browser.noWebrtc.body':
    'It lacks WebRTC, the technology behind audio and video calls: you cannot join the meeting from here. The project’s chat and documents remain available.',
  'browser.noWebrtc.instead':
    'Open this link in Chrome, Edge or Firefox on a computer, in Chrome on Android, or in Safari on an iPhone or iPad (up to date).',
  'browser.noWebrtc.short': 'No meeting in this browser (no WebRTC): open the link in Chrome, Edge, Firefox or Safari.',
  'browser.audioBlocked': 'The browser waits for your touch before playing the other participants.',
  'browser.audioBlocked.button': 'Turn sound on',
};
