/**
 * The compte rendu panel's logic, on the meeting's socket (lent by the
 * RoomController like the chat's). Opening the panel asks `minutesOpen`
 * (with the plan and occurrence the page was opened for, if any); every
 * `minutesChanged` is folded in (applyChange.ts), so each participant sees
 * the others' edits live. Edits name the version they were made on; when a
 * later edit of the same item replaced this person's words, they are told
 * and shown their text.
 *
 * Actions resolve, never reject: failures go to `error` and the log.
 */
import type {
  ActionStatus,
  AttendanceStatus,
  ItemKind,
  MarkupRef,
  NotificationData,
  RequestData,
  RequestType,
  ResponseData,
} from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import type { SignalingChannel } from '../signaling/Connection';
import { createLogger } from '../log';
import { applyChange, mayEdit } from './applyChange';
import type { MinutesSignals } from './minutesState';

const log = createLogger('minutes');

/** The meeting or project socket, as every socket user sees it (signaling/Connection.ts). */
export type MinutesSocket = SignalingChannel;

/** An item as the panel edits it (a new one has no itemId). */
export interface ItemDraft {
  itemId?: string;
  sectionId: string;
  kind: ItemKind;
  text: string;
  owner?: { userId: string } | { company: string };
  due?: string;
  status?: ActionStatus;
  markup?: MarkupRef;
}

export interface MinutesActions {
  setOpen(open: boolean): Promise<void>;
  saveItem(draft: ItemDraft): Promise<void>;
  deleteItem(itemId: string): Promise<void>;
  addSection(title: string): Promise<void>;
  setAttendance(personId: string, status: AttendanceStatus): Promise<void>;
  allow(userId: string, allowed: boolean): Promise<void>;
  publish(): Promise<void>;
  dismissNotice(): void;
}

export class MinutesController implements MinutesActions {
  #socket: MinutesSocket | null = null;
  #self: { userId: string; role: string } | null = null;
  #unsubscribe: Array<() => void> = [];

  /** `plan`: the plan and occurrence of the page's link (?plan=&occurrence=), if any. */
  constructor(
    readonly state: MinutesSignals,
    private readonly plan?: { planId: string; occurrenceId: string },
  ) {}

  attach(socket: MinutesSocket, hello: { self: { userId: string; role: string } }): void {
    this.detach();
    this.#socket = socket;
    this.#self = hello.self;
    this.#unsubscribe.push(socket.onNotification('minutesChanged', (data) => this.#onChange(data)));
  }

  /** Joined (again, after a reconnect): an open panel reloads what it may have missed. */
  joined(): void {
    if (this.state.open.value) void this.#load();
  }

  detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#socket = null;
  }

  async setOpen(open: boolean): Promise<void> {
    this.state.open.value = open;
    if (open) await this.#load();
  }

  async saveItem(draft: ItemDraft): Promise<void> {
    const held = draft.itemId ? this.state.minutes.value?.items.find((i) => i.itemId === draft.itemId) : undefined;
    await this.#run('minutesItemSave', { ...draft, ...(held ? { baseVersion: held.version } : {}) });
  }

  async deleteItem(itemId: string): Promise<void> {
    await this.#run('minutesItemDelete', { itemId });
  }

  async addSection(title: string): Promise<void> {
    if (title.trim()) await this.#run('minutesSectionSave', { title: title.trim() });
  }

  async setAttendance(personId: string, status: AttendanceStatus): Promise<void> {
    await this.#run('minutesAttendance', { personId, status });
  }

  async allow(userId: string, allowed: boolean): Promise<void> {
    await this.#run('minutesAllow', { userId, allowed });
  }

  async publish(): Promise<void> {
    this.state.publishing.value = true;
    try {
      const answer = await this.#run('minutesPublish', {});
      if (answer) this.state.published.value = { number: answer.number, version: answer.publication.version };
    } finally {
      this.state.publishing.value = false;
    }
  }

  dismissNotice(): void {
    this.state.overwritten.value = null;
  }

  async #load(): Promise<void> {
    this.state.loading.value = true;
    try {
      const answer = await this.#run('minutesOpen', this.plan ? { plan: this.plan } : {});
      if (answer) this.state.minutes.value = answer.minutes;
    } finally {
      this.state.loading.value = false;
    }
  }

  async #run<T extends RequestType>(type: T, data: RequestData<T>): Promise<ResponseData<T> | undefined> {
    const socket = this.#socket;
    if (!socket) return undefined;
    try {
      const answer = await socket.request(type, data);
      this.state.error.value = null;
      return answer;
    } catch (error) {
      log.warn(`${type} failed`, error);
      this.state.error.value = errorCodeOf(error);
      return undefined;
    }
  }

  #onChange(data: NotificationData<'minutesChanged'>): void {
    const current = this.state.minutes.value;
    const self = this.#self;
    const { change } = data;
    if (change.type === 'item' && change.overwritten && self && change.overwritten.by.userId === self.userId && data.by.userId !== self.userId) {
      this.state.overwritten.value = { itemId: change.item.itemId, by: data.by.displayName, text: change.overwritten.text };
    }
    if (!current || current.info.minutesId !== data.minutesId) return;
    const next = applyChange(current, change);
    if (change.type === 'editors' && self) {
      const moderator = self.role === 'owner' || self.role === 'moderator';
      next.canEdit = mayEdit(next, self.userId, moderator);
    }
    this.state.minutes.value = next;
  }
}
