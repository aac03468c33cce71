/** Up to two letters for the avatar of a participant without video: "Jean-Marc Durand" → "JD". */
export function initials(displayName: string): string {
  const words = displayName.trim().split(/\s+/).filter((w) => w !== '');
  const first = words[0];
  if (!first) return '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  // Array.from splits by code point, so an emoji or accented capital stays whole.
  const letter = (word: string): string => (Array.from(word)[0] ?? '').toLocaleUpperCase();
  return last ? letter(first) + letter(last) : letter(first);
}
