/**
 * Meetings' minutes: made on first use for the meeting in progress, edited
 * by the chair and whoever the chair allows, published as a project
 * document. Each operation answers what changed; the handler broadcasts it
 * to the meeting (handlers/minutes.ts). Who may: the chair (who started the
 * meeting), owners and moderators (canModerate), and allowed editors edit;
 * the chair, owners and moderators publish.
 */
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { DocumentLibrary } from '../documents/DocumentLibrary.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events/EventBus.js';
import type { MeetingPlanner } from '../planning/MeetingPlanner.js';
import { isRealDate, nextOccurrence, occurrenceById } from '../planning/recurrence.js';
import {
  ErrorCode,
  MAX_MINUTES_ATTENDANCE,
  MAX_MINUTES_EDITORS,
  MAX_MINUTES_ITEMS,
  MAX_MINUTES_SECTIONS,
  canModerate,
  type ActionOwnerInfo,
  type AttendanceEntry,
  type MeetingPlan,
  type MinutesChange,
  type MinutesInfo,
  type MinutesState,
  type Occurrence,
  type RequestData,
  type Role,
} from '../protocol/index.js';
import type { ChatStore } from '../store/chat.js';
import type { DocumentStore } from '../store/documents.js';
import type { MeetingStore } from '../store/meetings.js';
import type { MinutesContent, MinutesStore, StoredItem } from '../store/minutes.js';
import type { ProjectStore } from '../store/projects.js';
import { initialContent, markJoined, newItemId, type Person } from './opening.js';
import { minutesPdf } from './pdf.js';

/** Who acts, in which meeting. */
export interface MinutesActor {
  projectId: string;
  roomId: string;
  meetingId: string;
  userId: string;
  displayName: string;
  role: Role;
}

export interface MinutesBookOptions {
  store: MinutesStore;
  planner: MeetingPlanner;
  meetings: MeetingStore;
  projects: ProjectStore;
  documents: DocumentStore;
  library: DocumentLibrary;
  chat: ChatStore;
  bus: EventBus;
  log: FastifyBaseLogger;
  fontDir: string;
}

type PlanLink = { plan: MeetingPlan; occurrence: Occurrence };
type Hint = RequestData<'minutesOpen'>['plan'];

const PLAN_MINUTES = /^plan-(.+)-(\d{4}-\d{2}-\d{2})$/;

export class MinutesBook {
  constructor(private readonly o: MinutesBookOptions) {}

  /** The minutes of the actor's meeting, made if needed. */
  async open(actor: MinutesActor, hint?: Hint): Promise<MinutesState> {
    const { minutesId } = await this.#resolve(actor, hint);
    return this.#state(actor, await this.#read(actor.projectId, minutesId));
  }

  async saveItem(actor: MinutesActor, data: RequestData<'minutesItemSave'>): Promise<{ change: MinutesChange & { type: 'item' }; minutesId: string }> {
    const { minutesId } = await this.#editable(actor);
    const { projectId } = actor;
    if (!(await this.o.store.section(projectId, minutesId, data.sectionId))) throw new AppError(ErrorCode.NOT_FOUND, 'no such section');
    if (data.itemId !== undefined && data.baseVersion === undefined) throw new AppError(ErrorCode.BAD_REQUEST, 'an item edit names its baseVersion');
    if (data.due !== undefined && !isRealDate(data.due)) throw new AppError(ErrorCode.BAD_REQUEST, 'due is not a calendar date');
    const existing = data.itemId ? await this.o.store.item(projectId, minutesId, data.itemId) : undefined;
    if (data.itemId && !existing) throw new AppError(ErrorCode.NOT_FOUND, 'no such item (deleted?)');
    const now = Date.now();
    const action = data.kind === 'action';
    const owner = action && data.owner ? await this.#owner(projectId, data.owner) : undefined;
    const item: StoredItem = {
      itemId: existing?.itemId ?? newItemId(),
      sectionId: data.sectionId,
      kind: data.kind,
      text: data.text.trim(),
      ...(owner ? { owner } : {}),
      ...(action && data.due ? { due: data.due } : {}),
      ...(action ? { status: data.status ?? 'open' } : {}),
      ...(data.markup ? { markup: data.markup } : {}),
      ...(existing?.carriedFrom ? { carriedFrom: existing.carriedFrom } : {}),
      createdAt: existing?.createdAt ?? now,
      editedBy: { userId: actor.userId, displayName: actor.displayName },
      editedAt: now,
    };
    const saved = await this.o.store.saveItem(projectId, minutesId, item, existing ? data.baseVersion! : 0, MAX_MINUTES_ITEMS);
    if (saved.status === 'limit') throw new AppError(ErrorCode.LIMIT_EXCEEDED, `at most ${MAX_MINUTES_ITEMS} items per meeting`);
    if (saved.status !== 'ok') throw new AppError(ErrorCode.NOT_FOUND, 'no such item (deleted meanwhile?)');
    const replaced = saved.replaced;
    return {
      minutesId,
      change: {
        type: 'item',
        item: { ...item, version: saved.version },
        ...(replaced ? { overwritten: { text: replaced.item.text, by: replaced.item.editedBy, version: replaced.version } } : {}),
      },
    };
  }

  async deleteItem(actor: MinutesActor, itemId: string): Promise<{ change: MinutesChange; minutesId: string }> {
    const { minutesId } = await this.#editable(actor);
    if (!(await this.o.store.deleteItem(actor.projectId, minutesId, itemId))) throw new AppError(ErrorCode.NOT_FOUND, 'no such item');
    return { minutesId, change: { type: 'itemDeleted', itemId } };
  }

  async saveSection(actor: MinutesActor, data: RequestData<'minutesSectionSave'>): Promise<{ change: MinutesChange & { type: 'section' }; minutesId: string }> {
    const { minutesId } = await this.#editable(actor);
    const existing = data.sectionId ? await this.o.store.section(actor.projectId, minutesId, data.sectionId) : undefined;
    if (data.sectionId && !existing) throw new AppError(ErrorCode.NOT_FOUND, 'no such section');
    // New lots go between the points en suspens (0) and the general items (9000), in the order made.
    const section = { sectionId: existing?.sectionId ?? newItemId(), title: data.title.trim() || data.title, order: data.order ?? existing?.order ?? 10 + (Date.now() % 8_000) };
    const put = await this.o.store.put(actor.projectId, minutesId, 'sec', section.sectionId, section, MAX_MINUTES_SECTIONS);
    if (put === 'limit') throw new AppError(ErrorCode.LIMIT_EXCEEDED, `at most ${MAX_MINUTES_SECTIONS} sections`);
    return { minutesId, change: { type: 'section', section } };
  }

  async setAttendance(actor: MinutesActor, personId: string, status: AttendanceEntry['status']): Promise<{ change: MinutesChange & { type: 'attendance' }; minutesId: string }> {
    const { minutesId } = await this.#editable(actor);
    let line = await this.o.store.attendee(actor.projectId, minutesId, personId);
    if (!line) {
      const member = await this.o.projects.member(actor.projectId, personId);
      if (!member) throw new AppError(ErrorCode.UNKNOWN_MEMBER, 'not on the attendance table nor a member of the project');
      line = { personId, userId: member.userId, name: member.displayName, invited: false, status, auto: false };
    }
    const entry: AttendanceEntry = { ...line, status, auto: false };
    const put = await this.o.store.put(actor.projectId, minutesId, 'att', personId, entry, MAX_MINUTES_ATTENDANCE);
    if (put === 'limit') throw new AppError(ErrorCode.LIMIT_EXCEEDED, `at most ${MAX_MINUTES_ATTENDANCE} lines of attendance`);
    return { minutesId, change: { type: 'attendance', entry } };
  }

  async allow(actor: MinutesActor, userId: string, allowed: boolean): Promise<{ change: MinutesChange & { type: 'editors' }; minutesId: string }> {
    const { minutesId, info } = await this.#resolve(actor);
    if (!this.#canPublish(actor, info)) throw new AppError(ErrorCode.FORBIDDEN, 'only the chair allows others to edit');
    if (allowed && !(await this.o.projects.member(actor.projectId, userId))) throw new AppError(ErrorCode.UNKNOWN_MEMBER, 'not a member of the project');
    const next = await this.o.store.updateInfo(actor.projectId, minutesId, (i) => {
      const editors = i.editors.filter((e) => e !== userId);
      if (allowed && editors.length >= MAX_MINUTES_EDITORS) throw new AppError(ErrorCode.LIMIT_EXCEEDED, `at most ${MAX_MINUTES_EDITORS} editors`);
      return { ...i, editors: allowed ? [...editors, userId] : editors };
    });
    return { minutesId, change: { type: 'editors', editors: next!.editors } };
  }

  /** Someone joined the meeting: present on the table of minutes already made (undefined: nothing to tell). */
  async joined(actor: MinutesActor): Promise<{ change: MinutesChange; minutesId: string } | undefined> {
    const minutesId = await this.o.store.ofMeeting(actor.projectId, actor.meetingId);
    if (!minutesId) return undefined;
    const line = await this.o.store.attendee(actor.projectId, minutesId, actor.userId);
    const table = new Map(line ? [[actor.userId, line]] : []);
    const entry = markJoined(table, actor);
    if (!entry) return undefined;
    if ((await this.o.store.put(actor.projectId, minutesId, 'att', entry.personId, entry, MAX_MINUTES_ATTENDANCE)) !== 'ok') return undefined;
    return { minutesId, change: { type: 'attendance', entry } };
  }

  /** "Diffuser le compte rendu": the PDF, a new version of the project document, a chat line. */
  async publish(actor: MinutesActor): Promise<{ change: MinutesChange & { type: 'published' }; minutesId: string }> {
    const { minutesId, info } = await this.#resolve(actor);
    if (!this.#canPublish(actor, info)) throw new AppError(ErrorCode.FORBIDDEN, 'only the chair publishes the minutes');
    const { projectId } = actor;
    const number = info.number ?? (await this.#number(projectId, minutesId));
    const content = await this.#read(projectId, minutesId);
    const [project, timeZone, plan] = await Promise.all([
      this.o.projects.get(projectId),
      this.o.planner.timeZone(projectId),
      info.plan ? this.o.planner.get(projectId, info.plan.planId).catch(() => undefined) : undefined,
    ]);
    // The first occurrence after this one has ended.
    const next = plan && plan.cancelledAt === undefined ? nextOccurrence(plan, info.date + plan.durationMin * 60_000) : undefined;
    const pdf = await minutesPdf(
      { content, number, projectName: project?.name ?? projectId, timeZone, ...(next ? { nextMeeting: next.start } : {}) },
      this.o.fontDir,
    );
    const by = { userId: actor.userId, displayName: actor.displayName };
    const name = `CR ${String(number).padStart(3, '0')} - ${info.title}.pdf`;
    const meta = await this.o.library.upload(projectId, by, name, Readable.from([pdf]));
    const publication = { documentId: meta.documentId, name: meta.name, version: meta.version, at: Date.now(), by };
    await this.o.store.updateInfo(projectId, minutesId, (i) => ({ ...i, publications: [...i.publications, publication] }));
    await this.o.store.setPublished(projectId, info.meetingId, { minutesId, number, documentId: meta.documentId, version: meta.version, name: meta.name });
    if (actor.meetingId !== info.meetingId) {
      await this.o.store.setPublished(projectId, actor.meetingId, { minutesId, number, documentId: meta.documentId, version: meta.version, name: meta.name });
    }
    await this.o.bus.publish(projectId, { type: 'documentsChanged', documentId: meta.documentId, change: 'added' });
    await this.o.chat.send(projectId, {
      clientMessageId: `sys-minutes-${meta.documentId}`,
      kind: 'minutes-published',
      author: by,
      text: `Compte rendu n° ${number} — ${info.title}${meta.version > 1 ? ` (version ${meta.version})` : ''}`,
      attachment: this.o.documents.toRef(meta),
      meetingId: actor.meetingId,
    });
    this.o.log.info({ projectId, minutesId, number, documentId: meta.documentId, version: meta.version }, 'minutes published');
    return { minutesId, change: { type: 'published', number, publication } };
  }

  // ------------------------------------------------------------ internals

  #canPublish(actor: MinutesActor, info: MinutesInfo): boolean {
    return canModerate(actor) || (actor.role !== 'guest' && info.chair.userId === actor.userId);
  }

  #canEdit(actor: MinutesActor, info: MinutesInfo): boolean {
    return this.#canPublish(actor, info) || info.editors.includes(actor.userId);
  }

  async #editable(actor: MinutesActor): Promise<{ minutesId: string; info: MinutesInfo }> {
    const resolved = await this.#resolve(actor);
    if (!this.#canEdit(actor, resolved.info)) throw new AppError(ErrorCode.FORBIDDEN, 'the chair has not allowed you to edit the minutes');
    return resolved;
  }

  #state(actor: MinutesActor, content: MinutesContent): MinutesState {
    return { ...content, canEdit: this.#canEdit(actor, content.info), canPublish: this.#canPublish(actor, content.info) };
  }

  async #read(projectId: string, minutesId: string): Promise<MinutesContent> {
    const content = await this.o.store.read(projectId, minutesId);
    if (!content) throw new AppError(ErrorCode.NOT_FOUND, 'no such minutes');
    return content;
  }

  async #number(projectId: string, minutesId: string): Promise<number> {
    const fresh = await this.o.store.nextNumber(projectId);
    const info = await this.o.store.updateInfo(projectId, minutesId, (i) => (i.number ? i : { ...i, number: fresh }));
    return info!.number!;
  }

  /** The minutes this meeting writes (linked on first use), made if they do not exist yet. */
  async #resolve(actor: MinutesActor, hint?: Hint): Promise<{ minutesId: string; info: MinutesInfo }> {
    const { projectId, meetingId } = actor;
    let minutesId = await this.o.store.ofMeeting(projectId, meetingId);
    let link: PlanLink | undefined;
    if (!minutesId) {
      link = await this.#planLink(actor, hint);
      minutesId = await this.o.store.link(projectId, meetingId, link ? `plan-${link.plan.planId}-${link.occurrence.occurrenceId}` : `meeting-${meetingId}`);
    }
    const existing = await this.o.store.info(projectId, minutesId);
    if (existing) return { minutesId, info: existing };
    const planned = PLAN_MINUTES.exec(minutesId);
    if (planned && !link) link = await this.#planLink(actor, { planId: planned[1]!, occurrenceId: planned[2]! });
    const info = await this.#create(actor, minutesId, link);
    return { minutesId, info };
  }

  async #planLink(actor: MinutesActor, hint: Hint): Promise<PlanLink | undefined> {
    if (hint) {
      if (!isRealDate(hint.occurrenceId)) throw new AppError(ErrorCode.NOT_FOUND, 'no such occurrence');
      const plan = await this.o.planner.get(actor.projectId, hint.planId);
      const occurrence = occurrenceById(plan, hint.occurrenceId);
      if (plan.roomId !== actor.roomId || plan.cancelledAt !== undefined || !occurrence) {
        throw new AppError(ErrorCode.NOT_FOUND, 'no such occurrence of a plan held in this room');
      }
      return { plan, occurrence };
    }
    const meeting = await this.o.meetings.current(actor.projectId, actor.roomId);
    const at = meeting?.startedAt ?? Date.now();
    const occurrence = await this.o.planner.occurrenceIn(actor.projectId, actor.roomId, at);
    if (!occurrence) return undefined;
    return { plan: await this.o.planner.get(actor.projectId, occurrence.planId), occurrence };
  }

  async #create(actor: MinutesActor, minutesId: string, link: PlanLink | undefined): Promise<MinutesInfo> {
    const { projectId, roomId } = actor;
    const meeting = await this.o.meetings.current(projectId, roomId);
    const starter: Person = meeting?.startedBy ?? { userId: actor.userId, displayName: actor.displayName };
    const info: MinutesInfo = {
      minutesId,
      projectId,
      roomId,
      meetingId: actor.meetingId,
      title: link?.plan.title ?? roomId,
      date: link?.occurrence.start ?? meeting?.startedAt ?? Date.now(),
      ...(link ? { plan: { planId: link.plan.planId, occurrenceId: link.occurrence.occurrenceId } } : {}),
      chair: starter,
      editors: [],
      publications: [],
    };
    const seriesId = link ? `plan-${link.plan.planId}` : `room-${roomId}`;
    const previousId = await this.o.store.previousInSeries(projectId, seriesId, info.date);
    const previous = previousId ? await this.o.store.read(projectId, previousId) : undefined;
    const content = initialContent(info, link?.plan, meeting?.attendees ?? [starter], previous, Date.now());
    if (!(await this.o.store.create(content, seriesId, info.date))) {
      // Someone else made them a moment ago: theirs stand.
      return (await this.#read(projectId, minutesId)).info;
    }
    this.o.log.info({ projectId, minutesId, carried: content.items.length }, 'minutes opened');
    return info;
  }

  async #owner(projectId: string, owner: { userId: string } | { company: string }): Promise<ActionOwnerInfo> {
    if ('company' in owner) return { company: owner.company.trim() || owner.company };
    const member = await this.o.projects.member(projectId, owner.userId);
    if (!member) throw new AppError(ErrorCode.UNKNOWN_MEMBER, `${owner.userId} is not a member of the project`);
    return { userId: member.userId, displayName: member.displayName };
  }
}
