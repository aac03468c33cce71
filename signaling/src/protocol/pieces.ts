/** Small schemas shared by several protocol modules. */
import { Type } from '@sinclair/typebox';

/** Ids chosen by clients or the server: rooms, peers, calls. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const DisplayName = Type.String({ minLength: 1, maxLength: 64 });
/** Someone, as others see them. */
export const Person = Type.Object({ userId: Type.String(), displayName: Type.String() });
/** The data of a request or response that carries none. */
export const Empty = Type.Object({}, { additionalProperties: false });
