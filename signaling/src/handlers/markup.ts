/**
 * Markup requests (protocol/markup.ts). Not served yet in this commit: each
 * answers UNKNOWN_REQUEST until the store and handlers land.
 */
import { AppError } from '../errors.js';
import { ErrorCode, type MarkupRequests } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

function notYet<T extends keyof typeof MarkupRequests>(): HandlerDef<T> {
  return {
    requires: 'joined',
    async handle() {
      throw new AppError(ErrorCode.UNKNOWN_REQUEST, 'markup is not served by this server yet');
    },
  };
}

export const markupList = notYet<'markupList'>();
export const markupStroke = notYet<'markupStroke'>();
export const markupAdd = notYet<'markupAdd'>();
export const markupErase = notYet<'markupErase'>();
export const markupClear = notYet<'markupClear'>();
export const markupPolicy = notYet<'markupPolicy'>();
export const markupSave = notYet<'markupSave'>();
