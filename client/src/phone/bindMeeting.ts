/**
 * Hooks the phone behaviours onto a meeting (main.tsx calls this once):
 * screen kept on while joined and visible, camera paused in the background,
 * audio outputs listed when they can be. All through the room's signals and
 * public actions.
 */
import { computed, effect, untracked, type ReadonlySignal } from '@preact/signals';
import type { RoomActions } from '../room/RoomController';
import type { RoomState } from '../state/roomState';
import type { AudioOutput } from './audioOutput';
import { BackgroundCamera, bindBackgroundCamera } from './background';
import { bindWakeLock, ScreenWakeLock, type WakeLockLike } from './wakeLock';

export interface MeetingPhoneOptions {
  state: RoomState;
  actions: Pick<RoomActions, 'setCameraEnabled'>;
  visible: ReadonlySignal<boolean>;
  isPhone: () => boolean;
  audioOutput: AudioOutput;
  wakeLock: WakeLockLike | null | undefined;
}

export function bindMeetingPhoneSupport({ state, actions, visible, isPhone, audioOutput, wakeLock }: MeetingPhoneOptions): () => void {
  const joined = computed(() => state.phase.value === 'joined');
  const camera = new BackgroundCamera(
    { phase: state.phase, cameraEnabled: state.cameraEnabled, setCameraEnabled: (on) => actions.setCameraEnabled(on) },
    isPhone,
  );
  const disposers = [
    bindWakeLock(new ScreenWakeLock(wakeLock), joined, visible),
    bindBackgroundCamera(camera, visible),
    // Output labels appear once the microphone is granted, which also refreshes the input lists.
    effect(() => {
      const phase = state.phase.value;
      void state.audioInputs.value;
      if (phase === 'lobby' || phase === 'joined') untracked(() => void audioOutput.refresh());
    }),
  ];
  return () => {
    for (const dispose of disposers) dispose();
  };
}
