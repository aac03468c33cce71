import type { AppErrorCode } from '../errors';

/** Every error code must have a text: a missing one is a compile error here. */
type ErrorTexts = { [C in AppErrorCode as `error.${C}`]: string };

/** French, the default language. The keys of this object are the message keys. */
export const fr = {
  'app.title': 'Chantier — réunion',
  'app.name': 'Chantier',

  'home.title': 'Réunions de chantier',
  'home.body': 'Pour rejoindre une réunion, ouvrez le lien reçu depuis l’espace projet.',

  'status.connecting': 'Connexion au serveur…',

  'join.title': 'Prêt à rejoindre ?',
  'join.displayName': 'Votre nom',
  'join.audioInput': 'Micro',
  'join.videoInput': 'Caméra',
  'join.deviceDefault': 'Appareil par défaut',
  'join.deviceUnnamed': 'Appareil {n}',
  'join.micOn': 'Micro activé',
  'join.micOff': 'Micro coupé',
  'join.cameraOn': 'Caméra activée',
  'join.cameraOff': 'Caméra coupée',
  'join.previewOff': 'Caméra coupée',
  'join.button': 'Rejoindre la réunion',
  'join.joining': 'Connexion…',

  'device.audio.NO_DEVICE': 'Aucun micro disponible : vous rejoindrez sans micro.',
  'device.audio.PERMISSION_DENIED':
    'Accès au micro refusé : vous rejoindrez sans micro. Vous pouvez l’autoriser dans les réglages du navigateur.',
  'device.video.NO_DEVICE': 'Aucune caméra disponible : vous rejoindrez sans caméra.',
  'device.video.PERMISSION_DENIED':
    'Accès à la caméra refusé : vous rejoindrez sans caméra. Vous pouvez l’autoriser dans les réglages du navigateur.',

  'room.label': 'Réunion',
  'room.participants': '{n} participant(s)',
  'tile.you': '{name} (vous)',
  'tile.youMark': '(vous)',
  'tile.micMuted': 'Micro coupé',
  'tile.speaking': 'Parle',

  'controls.label': 'Commandes de la réunion',
  'controls.mic': 'Micro',
  'controls.camera': 'Caméra',
  'controls.leave': 'Quitter',
  'controls.micMute': 'Couper le micro',
  'controls.micUnmute': 'Activer le micro',
  'controls.cameraStop': 'Couper la caméra',
  'controls.cameraStart': 'Activer la caméra',

  'lang.switch': 'EN',
  'lang.switchLabel': 'Switch to English',

  'connection.new': 'Connexion…',
  'connection.connecting': 'Connexion…',
  'connection.connected': 'Connecté',
  'connection.disconnected': 'Connexion instable…',
  'connection.failed': 'Connexion média perdue',
  'connection.closed': 'Déconnecté',

  'screen.error.title': 'Impossible de rejoindre la réunion',
  'screen.left.title': 'Vous avez quitté la réunion',
  'screen.ended.title': 'La réunion est terminée',
  'screen.disconnected.title': 'Connexion perdue',
  'screen.disconnected.body': 'La connexion au serveur a été interrompue.',
  'screen.rejoin': 'Rejoindre à nouveau',
  'screen.reconnect': 'Se reconnecter',

  'ended.reason.shutdown': 'Le serveur redémarre. Vous pourrez rejoindre dans un instant.',
  'ended.reason.worker-died': 'Le serveur média a rencontré un problème.',
  'ended.reason.replaced': 'Vous avez rejoint cette réunion depuis un autre onglet ou appareil.',
  'ended.reason.left': 'Vous avez quitté la réunion.',
  'ended.reason.disconnected': 'Vous avez été déconnecté.',
  'ended.reason.unknown': 'La réunion a été fermée.',

  'error.HELLO_REQUIRED': 'Le serveur n’a pas reconnu la connexion. Rechargez la page.',
  'error.UNSUPPORTED_PROTOCOL': 'Cette version de l’application est trop ancienne. Rechargez la page.',
  'error.UNAUTHORIZED': 'Ce lien de réunion n’est pas valide. Ouvrez-le à nouveau depuis l’espace projet.',
  'error.TOKEN_EXPIRED': 'Ce lien de réunion a expiré. Ouvrez-le à nouveau depuis l’espace projet.',
  'error.FORBIDDEN': 'Vous n’avez pas accès à cette réunion.',
  'error.NOT_JOINED': 'Vous n’êtes pas encore dans la réunion.',
  'error.ALREADY_JOINED': 'Vous êtes déjà dans cette réunion.',
  'error.ROOM_FULL': 'La réunion est complète.',
  'error.ROOM_CLOSED': 'La réunion a été fermée.',
  'error.NOT_FOUND': 'Élément introuvable.',
  'error.CANNOT_CONSUME': 'Votre navigateur ne peut pas recevoir ce flux.',
  'error.BAD_REQUEST': 'Le serveur a refusé la demande.',
  'error.UNKNOWN_REQUEST': 'Le serveur ne connaît pas cette demande. Rechargez la page.',
  'error.RATE_LIMITED': 'Trop de demandes. Réessayez dans un instant.',
  'error.SHUTTING_DOWN': 'Le serveur redémarre. Réessayez dans un instant.',
  'error.INTERNAL': 'Une erreur inattendue est survenue.',
  'error.TIMEOUT': 'Le serveur ne répond pas. Vérifiez votre connexion.',
  'error.CONNECTION_LOST': 'Connexion au serveur impossible. Vérifiez votre connexion.',
  'error.NO_DEVICE': 'Aucune caméra ni aucun micro disponible.',
  'error.PERMISSION_DENIED': 'Accès à la caméra ou au micro refusé.',
  'error.INVALID_LINK': 'Ce lien de réunion est incomplet. Ouvrez-le à nouveau depuis l’espace projet.',
  'error.UNSUPPORTED_BROWSER': 'Ce navigateur ne permet pas les réunions vidéo. Utilisez un navigateur récent.',
} as const satisfies ErrorTexts & Record<string, string>;

export type MessageKey = keyof typeof fr;
export type Catalogue = Record<MessageKey, string>;
