/**
 * What the client needs to know of document types. The server decides the
 * type from the content (signaling/src/documents/kinds.ts); these lists only
 * choose how to open a file and help the file picker.
 */

/** Types the server serves inline (?inline=1) and makes thumbnails of. */
const VIEWABLE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function isViewable(mimeType: string): boolean {
  return VIEWABLE.has(mimeType);
}

/** For <input accept>: the extensions the server accepts, so that pickers offer the right files. */
export const ACCEPTED_EXTENSIONS = [
  '.pdf', '.png', '.jpg', '.jpeg', '.gif', '.webp',
  '.docx', '.xlsx', '.pptx', '.odt', '.ods', '.doc', '.xls', '.ppt',
  '.dwg', '.dxf', '.ifc',
].join(',');

export type FileFamily = 'pdf' | 'image' | 'plan' | 'office' | 'other';

/** For the icon beside a name. */
export function familyOf(mimeType: string): FileFamily {
  if (mimeType === 'application/pdf') return 'pdf';
  if (mimeType === 'image/vnd.dwg' || mimeType === 'image/vnd.dxf' || mimeType === 'application/x-step') return 'plan';
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.includes('officedocument') || mimeType.includes('opendocument') || mimeType.startsWith('application/vnd.ms-') || mimeType === 'application/msword') {
    return 'office';
  }
  return 'other';
}
