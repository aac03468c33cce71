/** French texts about what this browser cannot do (client/src/env/capabilities.ts), spread into fr.ts. */
export const browserFr = {
  'browser.noWebrtc.title': 'Pas de réunion audio ou vidéo dans ce navigateur',
  'browser.noWebrtc.body':
    'Il lui manque WebRTC, la technique des appels audio et vidéo : vous ne pouvez pas rejoindre la réunion d’ici. Le chat et les documents du projet restent accessibles.',
  'browser.noWebrtc.instead':
    'Ouvrez ce lien dans Chrome, Edge ou Firefox sur un ordinateur, dans Chrome sur Android, ou dans Safari sur iPhone et iPad (à jour).',
  'browser.noWebrtc.short': 'Réunion impossible dans ce navigateur (pas de WebRTC) : ouvrez le lien dans Chrome, Edge, Firefox ou Safari.',
  'browser.audioBlocked': 'Le navigateur attend votre geste pour faire entendre les autres participants.',
  'browser.audioBlocked.button': 'Activer le son',
} as const;
