/**
 * Requests of the protocol whose handlers are being written (issue 5), each
 * in its own module. Until then they answer UNKNOWN_REQUEST. This file goes
 * away when the last of them lands.
 */
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

function notYet<T extends 'callStart' | 'callAnswer' | 'callCancel'>(type: T): HandlerDef<T> {
  return {
    requires: 'ready',
    handle: () => Promise.reject(new AppError(ErrorCode.UNKNOWN_REQUEST, `${type} is not available yet`)),
  };
}

export const callStart = notYet('callStart');
export const callAnswer = notYet('callAnswer');
export const callCancel = notYet('callCancel');
