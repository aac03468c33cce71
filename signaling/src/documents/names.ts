/**
 * Document names: what we keep of the name a client sent, the key that makes
 * "Plan RDC.pdf" and "plan rdc.PDF" versions of one document, and how the
 * name goes back out in a Content-Disposition header. Names are only ever
 * shown and sent back; they never become a path on disk (files are stored
 * under their SHA-256).
 */

export const MAX_NAME_LENGTH = 200;
const FALLBACK_NAME = 'document';

/**
 * A name safe to store and show: the last path segment only (old browsers
 * send "C:\\...\\plan.pdf"), NFC, without control or format characters
 * (a right-to-left override can disguise "gpj.exe" as "exe.jpg"), trimmed,
 * at most 200 characters with the extension kept.
 */
export function sanitizeName(raw: string): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return FALLBACK_NAME;
  return truncate(cleaned);
}

/** Cuts the stem, not the extension, counting code points so no surrogate pair is split. */
function truncate(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length >= MAX_NAME_LENGTH / 2) return chars.slice(0, MAX_NAME_LENGTH).join('');
  const stem = chars.slice(0, chars.length - extension.length);
  return [...stem.slice(0, MAX_NAME_LENGTH - extension.length), ...extension].join('');
}

/** The key under which the versions of a name are grouped: case-insensitive, NFC. */
export function versionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * `attachment` or `inline` with the name in both forms: a plain-ASCII
 * `filename` for old clients, and RFC 5987 `filename*` (UTF-8,
 * percent-encoded) that every current browser prefers.
 */
export function contentDisposition(type: 'attachment' | 'inline', name: string): string {
  const asciiFallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}
