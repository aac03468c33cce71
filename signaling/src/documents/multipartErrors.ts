/**
 * What the multipart parser (@fastify/multipart over busboy) throws about a
 * request body, as the client's error: a body cut short, without a
 * boundary, with a boundary it does not use or never closing, a header
 * without its end... is the sender's fault, 400 BAD_REQUEST, never a 500.
 * The parser's limits (parts, fields, files) are 413 TOO_LARGE. Its own
 * words stay in the debug log: they are busboy's, not the protocol's.
 */
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';

export function multipartError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return new AppError(ErrorCode.TOO_LARGE, 'the upload has more parts, fields or files than allowed');
  return new AppError(ErrorCode.BAD_REQUEST, 'the multipart body is malformed (boundary missing, unused or never closed, or a part cut short)');
}
