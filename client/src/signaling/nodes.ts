/**
 * Where a meeting's socket may go in a cluster of Chantier nodes (several
 * servers on one Redis, docs/PROTOCOL.md "Nodes"): the entry (the socket of
 * the origin the page was loaded from), the node the meeting lives on (a
 * WRONG_NODE redirect names it), and the live nodes each hello lists, so that
 * a client whose node died (its entry included) can reach a survivor.
 * Kept across connections by the room controller.
 */

/** ws(s)://host/ws of a node's http(s) URL; undefined for anything else. */
export function nodeSocketUrl(nodeUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(nodeUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/ws`;
}

/** At most this many nodes are remembered (a hello lists at most 64). */
const MAX_KNOWN = 16;

export class NodeDirectory {
  /** The socket URL of the page's own origin. */
  readonly entry: string;
  #current: string;
  #known: string[] = [];

  constructor(entry: string) {
    this.entry = entry;
    this.#current = entry;
  }

  /** The socket the connection is (or was last) on. */
  get current(): string {
    return this.#current;
  }

  set current(url: string) {
    this.#current = url;
  }

  /** The live nodes a hello listed (http(s) URLs); replaces what was known. */
  learn(nodeUrls: readonly string[] | undefined): void {
    if (!nodeUrls) return;
    const sockets = nodeUrls.map(nodeSocketUrl).filter((u): u is string => u !== undefined);
    this.#known = [...new Set(sockets)].slice(0, MAX_KNOWN);
  }

  /** Where a fresh hello tries, in order: the entry, then the other nodes known. */
  forHello(): string[] {
    return [...new Set([this.entry, ...this.#known])];
  }

  /** Where a resume tries, in order: the node the session is on, the entry, the others. */
  forResume(): string[] {
    return [...new Set([this.#current, this.entry, ...this.#known])];
  }
}
