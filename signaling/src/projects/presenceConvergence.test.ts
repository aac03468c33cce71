/**
 * Presence converges (issue 20): after any interleaving of joins, leaves,
 * room changes, reconnections, lost bus messages and node deaths, once
 * things settle every connected client shows exactly who Redis says is
 * online. A model of Redis (the store's scripts: one version per change,
 * published in order) and of the nodes' buses around the real pieces:
 * PresenceFanout (the hub's coalescing and lost-change check) and
 * PresenceView (what the app and the tests show).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  foldPresence,
  PresenceView,
  type PresenceChange,
  type PresenceConnection,
  type PresenceNotification,
  type PresenceSnapshot,
} from '../protocol/index.js';
import { coveredBy, PresenceFanout } from './PresenceFanout.js';

const NODES = 2;
const CLIENTS = 4;
const ROOMS = [null, 'reunion', 'chantier'] as const;

/** Redis as store/presence.ts's scripts use it. */
class RedisModel {
  version = 1_000;
  readonly connections = new Map<string, PresenceConnection>();
  readonly subscribers: Array<(change: PresenceChange) => void> = [];

  set(c: PresenceConnection): void {
    const had = this.connections.get(c.id);
    if (had && JSON.stringify(had) === JSON.stringify(c)) return;
    this.connections.set(c.id, c);
    this.#publish({ version: ++this.version, set: [c] });
  }

  remove(ids: string[]): void {
    const gone = ids.filter((id) => this.connections.delete(id));
    if (gone.length > 0) this.#publish({ version: ++this.version, gone });
  }

  snapshot(): PresenceSnapshot {
    return { version: this.version, connections: [...this.connections.values()] };
  }

  #publish(change: PresenceChange): void {
    for (const s of this.subscribers) s(structuredClone(change));
  }
}

interface Client {
  user: number;
  node: number | null;
  /** Its connection id while connected. */
  id: string | null;
  view: PresenceView;
  /** A `presence` request sent, not answered yet. */
  resyncPending: boolean;
  /** Its hello snapshot's version: changes it covers are not sent (the hub's coveredBy). */
  helloVersion: number | undefined;
  room: (typeof ROOMS)[number];
}

class Node {
  alive = true;
  /** Pub/sub messages on their way to this node, in order. */
  readonly inbox: PresenceChange[] = [];
  readonly fanout: PresenceFanout;
  constructor(
    readonly index: number,
    readonly world: World,
  ) {
    this.fanout = new PresenceFanout(
      (_projectId, data, json) => {
        // As the hub sends (ProjectHub's fanout).
        for (const c of world.clients) {
          if (c.node !== index || coveredBy(data, c.helloVersion)) continue;
          if (data.snapshot) c.helloVersion = undefined;
          world.receive(c, JSON.parse(json) as PresenceNotification);
        }
        expect(JSON.parse(json)).toEqual(data);
      },
      () => {}, // flushed by the test's steps
    );
    world.redis.subscribers.push((change) => {
      if (this.alive) this.inbox.push(change);
    });
  }
}

class World {
  readonly redis = new RedisModel();
  readonly clients: Client[];
  readonly nodes: Node[];
  #nextConnection = 0;

  constructor() {
    this.clients = Array.from({ length: CLIENTS }, (_, user) => ({
      user,
      node: null,
      id: null,
      view: new PresenceView(),
      resyncPending: false,
      helloVersion: undefined,
      room: null,
    }));
    this.nodes = Array.from({ length: NODES }, (_, i) => new Node(i, this));
  }

  receive(c: Client, data: PresenceNotification): void {
    if (c.view.receive(data) === 'gap' && c.view.version >= 0) c.resyncPending = true;
  }

  #info(c: Client): PresenceConnection {
    return { id: c.id!, userId: `u${c.user % 3}`, displayName: `User ${c.user % 3}`, role: 'member', device: c.user % 2 ? 'phone' : 'desktop', roomId: c.room };
  }

  /** hello on a node: recorded (published), then the snapshot read; changes may already be on their way. */
  connect(c: Client, node: number): void {
    if (c.node !== null || !this.nodes[node]!.alive) return;
    c.node = node;
    c.id = `n${node}/c${this.#nextConnection++}`;
    c.view = new PresenceView();
    c.resyncPending = false;
    c.room = null;
    this.redis.set(this.#info(c));
    const snapshot = this.redis.snapshot();
    c.helloVersion = snapshot.version;
    this.receiveHello(c, snapshot);
  }

  receiveHello(c: Client, snapshot: PresenceSnapshot): void {
    if (c.view.reset(snapshot) === 'gap') c.resyncPending = true;
  }

  leave(c: Client): void {
    if (c.node === null) return;
    this.redis.remove([c.id!]);
    c.node = null;
    c.id = null;
  }

  setRoom(c: Client, room: Client['room']): void {
    if (c.node === null) return;
    c.room = room;
    this.redis.set(this.#info(c));
  }

  /** The socket drops without the server noticing at once (its entry stays until the node sees the close), and the client comes back on `node`. */
  reconnect(c: Client, node: number): void {
    if (c.node === null) return;
    const old = c.id!;
    const oldNode = this.nodes[c.node]!;
    c.node = null;
    c.id = null;
    this.connect(c, node);
    if (oldNode.alive) this.redis.remove([old]);
  }

  kill(node: number): void {
    const n = this.nodes[node]!;
    if (!n.alive || this.nodes.filter((x) => x.alive).length === 1) return;
    n.alive = false;
    n.inbox.length = 0;
    for (const c of this.clients) {
      if (c.node === node) {
        c.node = null;
        c.id = null;
      }
    }
  }

  /** Another node's sweep: the dead node's entries expire. */
  sweep(): void {
    const dead = this.nodes.filter((n) => !n.alive).map((n) => `n${n.index}/`);
    this.redis.remove([...this.redis.connections.keys()].filter((id) => dead.some((p) => id.startsWith(p))));
  }

  deliver(node: number, count: number): void {
    const n = this.nodes[node]!;
    for (let i = 0; i < count && n.inbox.length > 0; i++) n.fanout.change('p', n.inbox.shift()!);
  }

  /** A pub/sub message that never arrives (a subscriber reconnecting). */
  lose(node: number): void {
    this.nodes[node]!.inbox.shift();
  }

  flush(node: number): void {
    this.nodes[node]!.fanout.flush();
  }

  /** The hub's heartbeat: the lost-change check. */
  check(node: number): void {
    const n = this.nodes[node]!;
    if (!n.alive) return;
    if (n.fanout.isBehind('p', this.redis.version)) n.fanout.snapshot('p', this.redis.snapshot());
  }

  answerResync(c: Client): void {
    if (!c.resyncPending || c.node === null) return;
    c.resyncPending = false;
    this.receiveHello(c, this.redis.snapshot());
  }

  /** Everything in flight arrives, heartbeats run, snapshots asked for are answered. */
  settle(): void {
    this.sweep();
    for (let round = 0; round < 4; round++) {
      for (const n of this.nodes) {
        if (!n.alive) continue;
        this.deliver(n.index, Infinity);
        this.flush(n.index);
        this.check(n.index);
        this.flush(n.index);
      }
      for (const c of this.clients) this.answerResync(c);
    }
  }
}

const client = fc.integer({ min: 0, max: CLIENTS - 1 });
const node = fc.integer({ min: 0, max: NODES - 1 });
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('connect' as const), client, node }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('leave' as const), client }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('room' as const), client, room: fc.constantFrom(...ROOMS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reconnect' as const), client, node }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('kill' as const), node }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('deliver' as const), node, count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('lose' as const), node }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flush' as const), node }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('check' as const), node }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('answer' as const), client }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function run(world: World, s: Step): void {
  switch (s.op) {
    case 'connect':
      return world.connect(world.clients[s.client]!, s.node);
    case 'leave':
      return world.leave(world.clients[s.client]!);
    case 'room':
      return world.setRoom(world.clients[s.client]!, s.room);
    case 'reconnect':
      return world.reconnect(world.clients[s.client]!, s.node);
    case 'kill':
      return world.kill(s.node);
    case 'sweep':
      return world.sweep();
    case 'deliver':
      return world.deliver(s.node, s.count);
    case 'lose':
      return world.lose(s.node);
    case 'flush':
      return world.flush(s.node);
    case 'check':
      return world.check(s.node);
    case 'answer':
      return world.answerResync(world.clients[s.client]!);
  }
}

describe('presence as changes', () => {
  it('converges to what Redis holds after any interleaving of joins, leaves, reconnections, lost messages and node deaths', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const world = new World();
        for (const s of steps) run(world, s);
        world.settle();
        const truth = world.redis.snapshot();
        for (const c of world.clients) {
          if (c.node === null) continue;
          expect(c.view.version, `client ${c.user}'s version`).toBe(truth.version);
          expect(c.view.people).toEqual(foldPresence(truth.connections));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('sends each socket one notification per tick, whatever the number of changes', () => {
    const sent: PresenceNotification[] = [];
    let flush: (() => void) | undefined;
    const fanout = new PresenceFanout((_p, data) => sent.push(data), (f) => (flush = f));
    for (let v = 1; v <= 5; v++) fanout.change('p', { version: v, gone: [`c${v}`] });
    expect(sent).toEqual([]);
    flush!();
    expect(sent).toEqual([{ changes: [1, 2, 3, 4, 5].map((v) => ({ version: v, gone: [`c${v}`] })) }]);
  });

  it('does not send a session changes its hello snapshot already holds', () => {
    const changes = [5, 6, 7].map((version) => ({ version, gone: [`c${version}`] }));
    expect(coveredBy({ changes }, 7)).toBe(true);
    expect(coveredBy({ changes }, 8)).toBe(true);
    expect(coveredBy({ changes }, 6)).toBe(false);
    expect(coveredBy({ changes }, undefined)).toBe(false);
    expect(coveredBy({ snapshot: { version: 4, connections: [] } }, 7)).toBe(false);
  });

  it('a view holds changes that overtook its snapshot and applies them after it', () => {
    const view = new PresenceView();
    const c = (id: string): PresenceConnection => ({ id, userId: id, displayName: id, role: 'member', device: 'desktop', roomId: null });
    expect(view.apply([{ version: 6, set: [c('b')] }])).toBe('gap');
    expect(view.reset({ version: 5, connections: [c('a')] })).toBe('applied');
    expect(view.version).toBe(6);
    expect(view.people.map((p) => p.userId)).toEqual(['a', 'b']);
    expect(view.apply([{ version: 8, gone: ['a'] }])).toBe('gap');
    expect(view.people.map((p) => p.userId)).toEqual(['a', 'b']);
    expect(view.apply([{ version: 7, set: [c('c')] }])).toBe('applied');
    expect(view.people.map((p) => p.userId)).toEqual(['b', 'c']);
  });
});
