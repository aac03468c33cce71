import type { recordingFr } from './recording.fr';

/** English texts of meeting recording (issue 22), spread into en.ts. */
export const recordingEn: Record<keyof typeof recordingFr, string> = {
  'recording.start': 'Record',
  'recording.stop': 'Stop recording',
  'recording.active': 'Recording',
  'recording.notice': 'This meeting is being recorded. By joining you accept being recorded; you may leave at any time.',
  'recording.recorder': 'Recording',
  'recording.recorderRole': 'records the meeting',
  'recording.startConfirm': 'Record the meeting? Every participant will be told.',
  'recording.chat.started': 'Recording started by {name}',
  'recording.chat.stopped': 'Recording ended ({end})',
  'recording.chat.stored': 'The meeting’s recording was added to the project’s documents',
  'recording.chat.storedInterrupted': 'Recording interrupted: what was recorded was added to the project’s documents',
  'recording.end.stopped': 'stopped by a moderator',
  'recording.end.meeting-ended': 'the meeting ended',
  'recording.end.max-duration': 'longest duration reached',
  'recording.end.disk-full': 'interrupted: the server’s disk is full',
  'recording.end.worker-died': 'interrupted: media server failure',
  'recording.end.server-stopped': 'interrupted: the server stopped',
  'recording.history': 'Recording',
  'recording.interrupted': 'interrupted',
  'error.RECORDING_ACTIVE': 'The meeting is already being recorded.',
  'error.NOT_RECORDING': 'The meeting is not being recorded.',
  'error.RECORDING_DISK_FULL': 'The server lacks space to record.',
};
