/** Small schemas shared by several protocol modules. */
import { Type } from '@sinclair/typebox';

/** Ids chosen by clients or the server: rooms, peers, calls. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const DisplayName = Type.String({ minLength: 1, maxLength: 64 });
