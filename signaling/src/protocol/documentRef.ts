/**
 * A project document as messages name it. In a module of its own so that
 * messages.ts and the feature modules it gathers (markup.ts) can both use it
 * without importing each other.
 */
import { Type, type Static } from '@sinclair/typebox';

export const DocumentRef = Type.Object({
  documentId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  name: Type.String(),
  mimeType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  version: Type.Integer({ minimum: 1 }),
});
export type DocumentRef = Static<typeof DocumentRef>;
