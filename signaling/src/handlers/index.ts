import { setAudioOnly, setViewport } from './adaptation.js';
import { callAnswer, callCancel, callStart } from './call.js';
import { chatHistory, chatMarkRead, chatSend } from './chat.js';
import { consume, consumersReady, pauseConsumer, resumeConsumer } from './consumer.js';
import { hello, ping } from './hello.js';
import { join, leave, prepareConsumers } from './join.js';
import { admit, knock } from './lobby.js';
import { markupAdd, markupClear, markupErase, markupList, markupPolicy, markupSave, markupStroke } from './markup.js';
import {
  minutesAllow,
  minutesAttendance,
  minutesItemDelete,
  minutesItemSave,
  minutesOpen,
  minutesPublish,
  minutesSectionSave,
} from './minutes.js';
import { endMeeting, moderate, raiseHand, setRoomPolicy } from './moderation.js';
import { presence } from './presence.js';
import { presentStart, presentStop, presentUpdate } from './present.js';
import { closeProducer, pauseProducer, produce, resumeProducer } from './producer.js';
import { recordingStart, recordingStatus, recordingStop } from './recording.js';
import { refreshToken } from './refreshToken.js';
import { connectTransport, createTransport, openProbe, receiveProbe, restartIce } from './transport.js';
import type { HandlerTable } from './types.js';

export const handlers: HandlerTable = {
  hello,
  ping,
  presence,
  refreshToken,
  setAudioOnly,
  setViewport,
  callStart,
  callAnswer,
  callCancel,
  join,
  prepareConsumers,
  knock,
  admit,
  leave,
  createTransport,
  connectTransport,
  restartIce,
  openProbe,
  consumersReady,
  receiveProbe,
  produce,
  pauseProducer,
  resumeProducer,
  closeProducer,
  consume,
  resumeConsumer,
  pauseConsumer,
  chatSend,
  chatHistory,
  chatMarkRead,
  presentStart,
  presentUpdate,
  presentStop,
  moderate,
  setRoomPolicy,
  endMeeting,
  raiseHand,
  markupList,
  markupStroke,
  markupAdd,
  markupErase,
  markupClear,
  markupPolicy,
  markupSave,
  minutesOpen,
  minutesItemSave,
  minutesItemDelete,
  minutesSectionSave,
  minutesAttendance,
  minutesAllow,
  minutesPublish,
  recordingStart,
  recordingStop,
  recordingStatus,
};
