import { setAudioOnly, setViewport } from './adaptation.js';
import { chatHistory, chatMarkRead, chatSend } from './chat.js';
import { consume, pauseConsumer, resumeConsumer } from './consumer.js';
import { hello, ping } from './hello.js';
import { callAnswer, callCancel, callStart } from './pending.js';
import { join, leave } from './join.js';
import { presentStart, presentStop, presentUpdate } from './present.js';
import { closeProducer, pauseProducer, produce, resumeProducer } from './producer.js';
import { connectTransport, createTransport, restartIce } from './transport.js';
import type { HandlerTable } from './types.js';

export const handlers: HandlerTable = {
  hello,
  ping,
  setAudioOnly,
  setViewport,
  callStart,
  callAnswer,
  callCancel,
  join,
  leave,
  createTransport,
  connectTransport,
  restartIce,
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
};
