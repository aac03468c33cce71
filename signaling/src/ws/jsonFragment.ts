/**
 * JSON serialised once and spliced as it is into the answers that carry it,
 * instead of being stringified again for each: a meeting's router RTP
 * capabilities (a few KB, the same object for every hello of the meeting)
 * were serialised per hello. Only top-level fields of an answer's data are
 * looked at (Session.respond → stringifyAnswer).
 */

export class JsonFragment {
  constructor(readonly json: string) {}
}

const fragments = new WeakMap<object, JsonFragment>();

/**
 * `value` as a fragment, serialised on first use and kept while `value`
 * lives. `value` must not change afterwards (a router's capabilities do not).
 * Typed as `T`: it stands for `value` in an answer, which the client receives
 * as the same JSON.
 */
export function jsonFragmentOf<T extends object>(value: T): T {
  let fragment = fragments.get(value);
  if (fragment === undefined) {
    fragment = new JsonFragment(JSON.stringify(value));
    fragments.set(value, fragment);
  }
  return fragment as unknown as T;
}

/**
 * JSON made elsewhere (valid, and what serialising a `T` would give), as a
 * fragment standing for that `T` in an answer: a reader of it gets no `T`.
 */
export function preparedJson<T>(json: string): T {
  return new JsonFragment(json) as unknown as T;
}

/** JSON.stringify(data) (data not undefined), with its top-level JsonFragment fields spliced in as they are (placed last). */
export function stringifyAnswer(data: unknown): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return JSON.stringify(data);
  let spliced = '';
  let rest: Record<string, unknown> | undefined;
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (!(value instanceof JsonFragment)) continue;
    rest ??= { ...(data as Record<string, unknown>) };
    delete rest[key];
    spliced += `,${JSON.stringify(key)}:${value.json}`;
  }
  if (rest === undefined) return JSON.stringify(data);
  const json = JSON.stringify(rest);
  return json === '{}' ? `{${spliced.slice(1)}}` : `${json.slice(0, -1)}${spliced}}`;
}
