/**
 * Finds the parts of a JSON schema that put no bound on what they accept:
 * strings without maxLength (nor const or enum) and arrays without maxItems.
 * Tests walk every HTTP route's and every WebSocket request's schema with it,
 * so that a new input without a size limit fails them. (Objects left open to
 * extra properties are bounded by the body or frame size limit.)
 */
export function unboundedParts(schema: unknown, path = ''): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  if (s.type === 'string' && s.maxLength === undefined && s.const === undefined && s.enum === undefined) out.push(path || '/');
  if (s.type === 'array' && s.maxItems === undefined) out.push(path || '/');
  for (const [key, value] of Object.entries((s.properties as Record<string, unknown> | undefined) ?? {})) {
    out.push(...unboundedParts(value, `${path}/${key}`));
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties', 'patternProperties'] as const) {
    const sub = s[key];
    if (Array.isArray(sub)) sub.forEach((v, i) => out.push(...unboundedParts(v, `${path}/${key}/${i}`)));
    else if (key === 'patternProperties' && sub && typeof sub === 'object') {
      for (const [p, v] of Object.entries(sub)) out.push(...unboundedParts(v, `${path}/${key}/${p}`));
    } else if (sub && typeof sub === 'object') out.push(...unboundedParts(sub, `${path}/${key}`));
  }
  return out;
}
