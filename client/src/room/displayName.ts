/** The protocol's limit on display names, in UTF-16 code units. */
export const DISPLAY_NAME_MAX = 64;

/**
 * What to send as the display name: trimmed, inner blanks collapsed, cut to
 * the protocol's limit without splitting a surrogate pair; undefined when
 * nothing is left (the server then uses the name from the token).
 */
export function normalizeDisplayName(input: string): string | undefined {
  let name = input.replace(/\s+/g, ' ').trim();
  if (name.length > DISPLAY_NAME_MAX) {
    name = name.slice(0, DISPLAY_NAME_MAX);
    const last = name.charCodeAt(name.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) name = name.slice(0, -1);
    name = name.trimEnd();
  }
  return name === '' ? undefined : name;
}
