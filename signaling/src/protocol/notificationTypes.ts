/**
 * The notification types, as plain strings: what the client needs to
 * recognise a notification without loading the schemas (which would put
 * TypeBox, about a fifth of the client's first load, in its bundle). Kept in
 * step with messages.ts's Notifications by the compiler (both ways, below)
 * and by notificationTypes.test.ts.
 */
import type { NotificationType } from './messages.js';

export const NOTIFICATION_TYPES = [
  'peerJoined',
  'peerLeft',
  'producerAdded',
  'producerClosed',
  'producerPaused',
  'producerResumed',
  'consumerClosed',
  'activeSpeaker',
  'chatMessage',
  'documentsChanged',
  'presence',
  'presentation',
  'presentationView',
  'roomClosed',
  'moderated',
  'removed',
  'roomPolicy',
  'lobby',
  'admission',
  'lobbyStatus',
  'handRaised',
  'peerAudioOnly',
  'connectionQuality',
  'incomingCall',
  'callUpdate',
  'iceServers',
  'callEnded',
  'markupStroke',
  'markupAdded',
  'markupErased',
  'markupCleared',
  'markupPolicy',
  'markupSaved',
  'meetingPlanChanged',
  'meetingReminder',
  'minutesChanged',
  'recordingState',
  'recordingTrackFailed',
  'screenStillWanted',
  'screenStill',
] as const satisfies readonly NotificationType[];

/** A notification added to messages.ts and not listed above is a compile error here. */
type Unlisted = Exclude<NotificationType, (typeof NOTIFICATION_TYPES)[number]>;
export const NOTIFICATION_TYPES_COMPLETE: [Unlisted] extends [never] ? true : { unlisted: Unlisted } = true;
