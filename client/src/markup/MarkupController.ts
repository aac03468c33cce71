/**
 * Marking up the presented document together (issue 17), on the meeting's
 * socket (lent by the RoomController, like the chat and the presentation).
 * Lists every mark when a presentation starts and after a resume, follows
 * the others' live strokes and marks, sends one's own, and keeps the undo
 * and redo of one's own marks. The server decides (rights, limits, order);
 * this controller shows at once what it sends and puts back what the server
 * refuses.
 *
 * One's own marks carry a markId made here: a mark whose answer was lost in
 * a cut stays pending and is sent again after the resume, and the server
 * keeps it once. The only writer of the markup's signals; actions resolve,
 * never reject: failures go to `error` and the log.
 */
import { computed, effect, type ReadonlySignal } from '@preact/signals';
import {
  canDraw,
  canModerate,
  canSaveMarkup,
  DEFAULT_MARKUP_POLICY,
  type Mark,
  type MarkInput,
  type Presentation,
  type Role,
} from '@chantier/signaling/protocol';
import { newClientMessageId } from '../chat/messageIds';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { MarkHistory } from './history';
import { createMarkupSignals, without, withMark, type LiveStroke, type MarkupSignals, type MarkupState, type Tool } from './markupState';
import { LiveStrokes } from './liveStrokes';
import { MarkupManagement, type PolicyChange } from './markupManagement';
import type { MarkupActions } from './markupActions';
import { StrokeSender } from './strokeSender';

const log = createLogger('markup');

/** A socket that may also say when its session was resumed (the meeting's Connection does). */
export interface MarkupSocket extends SignalingChannel {
  onResumed?(listener: () => void): () => void;
}

export interface MarkupSelf {
  peerId: string;
  userId: string;
  displayName: string;
  role: Role;
}

export interface MarkupDeps {
  presentation: ReadonlySignal<Presentation | null>;
  isPresenter: ReadonlySignal<boolean>;
  self: ReadonlySignal<MarkupSelf | null>;
  newId?: () => string;
}

/** Colour of one's own marks before the server gave one (first mark of the meeting). */
export const PROVISIONAL_COLOR = '#5b6573';

/** Errors that mean "not sent yet", not "refused": the mark stays pending. */
const NOT_DELIVERED = new Set(['CONNECTION_LOST', 'TIMEOUT']);

export class MarkupController implements MarkupActions {
  readonly state: MarkupState;
  readonly #s: MarkupSignals = createMarkupSignals();
  readonly #history = new MarkHistory();
  readonly #live: LiveStrokes;
  readonly #sender: StrokeSender;
  readonly #newId: () => string;
  readonly #manage: MarkupManagement;
  #socket: MarkupSocket | null = null;
  #unsubscribe: Array<() => void> = [];
  #stopEffect: (() => void) | null = null;
  /**
   * Own marks not yet confirmed, as sent (resent after a resume), and the
   * presentation they belong to: kept across a lost session and a fresh
   * join into the same presentation, dropped when another one starts.
   */
  #outbox = new Map<string, MarkInput>();
  #outboxFor: string | null = null;
  /** Bumped when the presentation or socket changes: older answers are dropped. */
  #generation = 0;

  constructor(private readonly deps: MarkupDeps) {
    this.#newId = deps.newId ?? (() => newClientMessageId());
    this.#live = new LiveStrokes((live) => (this.#s.live.value = live));
    this.#sender = new StrokeSender((chunk) => {
      const presentationId = this.#s.presentationId.value;
      if (!presentationId || !this.#socket) return;
      this.#socket.request('markupStroke', { presentationId, ...chunk }).catch((error: unknown) => log.debug('stroke not sent', error));
    });
    const s = this.#s;
    this.#manage = new MarkupManagement({
      signals: s,
      link: () => (this.#socket && s.presentationId.value ? { socket: this.#socket, presentationId: s.presentationId.value } : null),
      isModerator: () => this.state.isModerator.value,
      removed: (ids) => this.#removed(ids),
      fail: (what, error) => this.#fail(what, error),
    });
    const self = computed(() => deps.self.value);
    const isModerator = computed(() => (self.value ? canModerate(self.value) : false));
    this.state = {
      ...s,
      canDraw: computed(() => !!self.value && !!s.presentationId.value && canDraw(self.value, deps.isPresenter.value, s.policy.value)),
      selfUserId: computed(() => self.value?.userId ?? null),
      isModerator,
      canManage: computed(() => !!self.value && canSaveMarkup(self.value, deps.isPresenter.value)),
    };
  }

  // ------------------------------------------------------- socket lending

  attach(socket: MarkupSocket): void {
    this.detach();
    this.#socket = socket;
    const current = (presentationId: string): boolean => presentationId === this.#s.presentationId.value;
    this.#unsubscribe.push(
      socket.onNotification('markupStroke', (data) => {
        if (current(data.presentationId) && !this.#s.marks.value.has(data.markId)) this.#live.stroke(data);
      }),
      socket.onNotification('markupAdded', ({ presentationId, mark }) => {
        if (!current(presentationId)) return;
        this.#live.end(mark.markId);
        this.#s.marks.value = withMark(this.#s.marks.value, mark.markId, mark);
      }),
      socket.onNotification('markupErased', ({ presentationId, markIds }) => {
        if (current(presentationId)) this.#removed(markIds);
      }),
      socket.onNotification('markupCleared', ({ presentationId, markIds }) => {
        if (current(presentationId)) this.#removed(markIds);
      }),
      socket.onNotification('markupPolicy', ({ presentationId, policy }) => {
        if (current(presentationId)) this.#s.policy.value = policy;
      }),
      socket.onNotification('markupSaved', ({ presentationId, document }) => {
        if (current(presentationId)) this.#s.save.value = { status: 'saved', document };
      }),
    );
    if (socket.onResumed) this.#unsubscribe.push(socket.onResumed(() => void this.#relist()));
    // A presentation starting, changing or ending: its marks, listed afresh.
    this.#stopEffect = effect(() => {
      const presentationId = this.deps.presentation.value?.presentationId ?? null;
      if (presentationId === this.#s.presentationId.peek()) return;
      this.#reset(presentationId);
      if (presentationId) void this.#relist();
    });
  }

  detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#stopEffect?.();
    this.#stopEffect = null;
    this.#socket = null;
    this.#sender.stop();
    this.#reset(null);
  }

  // ---------------------------------------------------------------- actions

  newMarkId(): string {
    return this.#newId();
  }

  setTool(tool: Tool | null): void {
    this.#s.tool.value = tool;
    this.#s.selected.value = null;
  }

  select(markId: string | null): void {
    this.#s.selected.value = markId;
  }

  dismissError(): void {
    this.#s.error.value = null;
  }

  drawing(draft: Parameters<MarkupActions['drawing']>[0]): void {
    this.#s.draft.value = draft;
    if (draft && this.state.canDraw.value) this.#sender.update(draft);
    else this.#sender.stop();
  }

  async add(mark: Omit<MarkInput, 'markId'>, markId = this.#newId()): Promise<void> {
    this.#sender.stop();
    this.#s.draft.value = null;
    const input: MarkInput = { ...mark, markId };
    if (!this.#put(input)) return;
    this.#history.record({ kind: 'add', marks: [input] });
    this.#syncHistory();
    await this.#deliver(input);
  }

  async erase(markIds: readonly string[]): Promise<void> {
    const presentationId = this.#s.presentationId.value;
    const self = this.deps.self.value;
    if (!presentationId || !self || !this.#socket || markIds.length === 0) return;
    const marks = markIds.map((id) => this.#s.marks.value.get(id)).filter((m): m is Mark => !!m);
    const allowed = marks.filter((m) => m.authorId === self.userId || canModerate(self));
    if (allowed.length === 0) return;
    const own = allowed.filter((m) => m.authorId === self.userId);
    this.#history.record({ kind: 'erase', marks: own.map(inputOf) });
    this.#syncHistory();
    await this.#eraseNow(allowed);
  }

  async undo(): Promise<void> {
    await this.#run(this.#history.undo());
  }

  async redo(): Promise<void> {
    await this.#run(this.#history.redo());
  }

  clearPage(page: number): Promise<void> {
    return this.#manage.clearPage(page);
  }

  setPolicy(change: PolicyChange): Promise<void> {
    return this.#manage.setPolicy(change);
  }

  saveToProject(): Promise<void> {
    return this.#manage.save();
  }

  // --------------------------------------------------------------- private

  /** Shows one's own mark at once (optimistic), pending until the server answers. */
  #put(input: MarkInput): boolean {
    const presentation = this.deps.presentation.value;
    if (!this.deps.self.value || !presentation || presentation.presentationId !== this.#s.presentationId.value) return false;
    this.#outbox.set(input.markId, input);
    this.#s.pending.value = new Set(this.#outbox.keys());
    this.#s.marks.value = withMark(this.#s.marks.value, input.markId, this.#provisional(input));
    return true;
  }

  /** How one's own mark shows until the server answers: one's colour if known. */
  #provisional(input: MarkInput): Mark {
    const self = this.deps.self.value;
    const known = [...this.#s.marks.value.values()].find((m) => m.authorId === self?.userId && !this.#outbox.has(m.markId));
    return {
      ...input,
      documentId: this.deps.presentation.value?.document.documentId ?? '',
      color: known?.color ?? PROVISIONAL_COLOR,
      authorId: self?.userId ?? '',
      authorName: self?.displayName ?? '',
      createdAt: Date.now(),
    };
  }

  async #deliver(input: MarkInput): Promise<void> {
    const presentationId = this.#s.presentationId.value;
    const socket = this.#socket;
    const generation = this.#generation;
    if (!presentationId || !socket) return;
    try {
      const { mark } = await socket.request('markupAdd', { presentationId, mark: input }, { retryOnLost: true });
      if (generation !== this.#generation) return;
      this.#confirmed(mark);
    } catch (error) {
      if (generation !== this.#generation) return;
      const code = errorCodeOf(error);
      if (NOT_DELIVERED.has(code)) {
        log.info(`mark ${input.markId} kept to send after the resume (${code})`);
        return;
      }
      // Refused (rights, limits): it goes, nothing else changes.
      this.#outbox.delete(input.markId);
      this.#s.pending.value = new Set(this.#outbox.keys());
      this.#s.marks.value = without(this.#s.marks.value, [input.markId]);
      this.#history.forget(new Set([input.markId]));
      this.#syncHistory();
      this.#fail('mark refused', error);
    }
  }

  #confirmed(mark: Mark): void {
    this.#outbox.delete(mark.markId);
    this.#s.pending.value = new Set(this.#outbox.keys());
    this.#s.marks.value = withMark(this.#s.marks.value, mark.markId, mark);
  }

  async #eraseNow(marks: readonly Mark[]): Promise<void> {
    const presentationId = this.#s.presentationId.value;
    const socket = this.#socket;
    if (!presentationId || !socket || marks.length === 0) return;
    const ids = marks.map((m) => m.markId);
    // A mark still on its way: it must not come back when its answer lands.
    for (const id of ids) this.#outbox.delete(id);
    this.#s.pending.value = new Set(this.#outbox.keys());
    this.#s.marks.value = without(this.#s.marks.value, ids);
    if (this.#s.selected.value && ids.includes(this.#s.selected.value)) this.#s.selected.value = null;
    try {
      await socket.request('markupErase', { presentationId, markIds: ids }, { retryOnLost: true });
    } catch (error) {
      if (presentationId !== this.#s.presentationId.value) return;
      // Not erased: put them back as they were.
      let next = this.#s.marks.value;
      for (const mark of marks) next = withMark(next, mark.markId, mark);
      this.#s.marks.value = next;
      this.#fail('marks not erased', error);
    }
  }

  async #run(operation: ReturnType<MarkHistory['undo']>): Promise<void> {
    this.#syncHistory();
    if (!operation) return;
    if (operation.kind === 'erase') {
      const marks = operation.marks.map((m) => this.#s.marks.value.get(m.markId)).filter((m): m is Mark => !!m);
      await this.#eraseNow(marks);
      return;
    }
    const added = operation.marks.filter((input) => this.#put(input));
    await Promise.all(added.map((input) => this.#deliver(input)));
  }

  /** Every mark of the presentation, from the server; then one's pending marks, sent again. */
  async #relist(): Promise<void> {
    const presentationId = this.#s.presentationId.value;
    const socket = this.#socket;
    const generation = this.#generation;
    if (!presentationId || !socket) return;
    try {
      const { policy, marks } = await socket.request('markupList', { presentationId });
      if (generation !== this.#generation) return;
      const next = new Map<string, Mark>();
      for (const mark of marks) next.set(mark.markId, mark);
      for (const [id, input] of [...this.#outbox]) {
        if (next.has(id)) this.#outbox.delete(id);
        else next.set(id, this.#s.marks.value.get(id) ?? this.#provisional(input));
      }
      this.#s.policy.value = policy;
      this.#s.marks.value = next;
      this.#s.pending.value = new Set(this.#outbox.keys());
      this.#live.clear();
      await Promise.all([...this.#outbox.values()].map((input) => this.#deliver(input)));
    } catch (error) {
      if (generation === this.#generation) this.#fail('marks not listed', error);
    }
  }

  #removed(markIds: readonly string[]): void {
    const ids = new Set(markIds);
    for (const id of ids) {
      this.#outbox.delete(id);
      this.#live.end(id);
    }
    this.#s.pending.value = new Set(this.#outbox.keys());
    this.#s.marks.value = without(this.#s.marks.value, ids);
    if (this.#s.selected.value && ids.has(this.#s.selected.value)) this.#s.selected.value = null;
  }

  #reset(presentationId: string | null): void {
    this.#generation++;
    const s = this.#s;
    s.presentationId.value = presentationId;
    s.policy.value = DEFAULT_MARKUP_POLICY;
    s.marks.value = new Map();
    s.draft.value = null;
    s.selected.value = null;
    s.save.value = { status: 'idle' };
    s.error.value = null;
    if (!presentationId) s.tool.value = null;
    if (presentationId && presentationId !== this.#outboxFor) {
      this.#outbox.clear();
      this.#outboxFor = presentationId;
    }
    s.pending.value = presentationId ? new Set(this.#outbox.keys()) : new Set();
    this.#live.clear();
    this.#history.clear();
    this.#syncHistory();
  }

  #syncHistory(): void {
    this.#s.canUndo.value = this.#history.canUndo;
    this.#s.canRedo.value = this.#history.canRedo;
  }

  #fail(what: string, error: unknown): void {
    log.warn(what, error);
    this.#s.error.value = errorCodeOf(error);
  }
}

function inputOf(mark: Mark): MarkInput {
  return {
    markId: mark.markId,
    page: mark.page,
    tool: mark.tool,
    width: mark.width,
    points: mark.points,
    ...(mark.text !== undefined ? { text: mark.text } : {}),
  };
}

export type { LiveStroke, MarkupActions };
