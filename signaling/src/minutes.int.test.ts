/**
 * The compte rendu written in the meeting, against the real app, a real
 * Redis and real mediasoup workers: two participants editing at once
 * converge; the same item edited by two tells the one whose words were
 * replaced; attendance follows who joined against the plan's invitation
 * list; the series' open actions are carried into its next meeting; the
 * published PDF (read back with pdftotext) holds every item with its
 * accents, and a correction is a new version; bad input gets its code and
 * loses nothing.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { applyChange } from '../../client/src/minutes/applyChange.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { answerCode as code, TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import {
  ErrorCode,
  MAX_ITEM_TEXT,
  MAX_MINUTES_ITEMS,
  PROTOCOL_VERSION,
  type MeetingPlan,
  type MeetingRecord,
  type MinutesState,
  type NotificationData,
  type Role,
} from './protocol/index.js';

const run = promisify(execFile);
const rid = (): string => randomBytes(5).toString('hex');

// The 10,000-item test sends far more than a person would.
const { app: t, clients } = useTestApp({ WS_MESSAGES_PER_SECOND: '10000', WS_CONNECTS_PER_MINUTE: '10000', JOINS_PER_MINUTE: '10000', HTTP_REQUESTS_PER_MINUTE: '10000' });

interface Person {
  userId: string;
  displayName: string;
  role: Role;
}
const LEA: Person = { userId: 'lea', displayName: 'Léa Martin', role: 'owner' };
const BRUNO: Person = { userId: 'bruno', displayName: 'Bruno Pétrel', role: 'member' };
const CHLOE: Person = { userId: 'chloe', displayName: 'Chloé Durand', role: 'member' };

/** A project whose members (Léa owner, Bruno and Chloé) are on record. */
async function project(): Promise<string> {
  const id = `cr-${rid()}`;
  const owner = await t.token({ projectId: id, ...LEA });
  for (const p of [BRUNO, CHLOE]) {
    const r = await fetch(`${t.url}/api/projects/${id}/members/${p.userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: p.displayName, role: p.role }),
    });
    expect(r.status).toBe(204);
  }
  return id;
}

/** A participant joined to the meeting in `roomId`. */
async function joined(projectId: string, roomId: string, person: Person): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const token = await t.token({ projectId, ...person });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId, roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return c;
}

async function plan(projectId: string, body: Record<string, unknown>): Promise<MeetingPlan> {
  const owner = await t.token({ projectId, ...LEA });
  const r = await fetch(`${t.url}/api/projects/${projectId}/meetings/plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status, await r.clone().text()).toBe(201);
  return ((await r.json()) as { plan: MeetingPlan }).plan;
}

/** Folds every minutesChanged this client received into what it opened (as the panel does). */
function live(c: TestClient, opened: MinutesState): MinutesState {
  let state = opened;
  for (const n of c.notifications) if (n.type === 'minutesChanged') state = applyChange(state, (n.data as NotificationData<'minutesChanged'>).change);
  return state;
}

/** The parts of the minutes both sides must agree on. */
function essence(s: MinutesState): unknown {
  return { sections: s.sections, items: s.items, attendance: s.attendance, editors: s.info.editors };
}

describe('editing together', () => {
  it('two participants editing different items at once never lose either\'s words, and converge', async () => {
    const projectId = await project();
    const lea = await joined(projectId, 'reunion', LEA);
    const bruno = await joined(projectId, 'reunion', BRUNO);
    const leaOpened = (await lea.request('minutesOpen', {})).minutes;
    expect(leaOpened.canEdit).toBe(true);
    expect(leaOpened.canPublish).toBe(true);
    // Bruno reads live until the chair lets him write.
    const brunoOpened = (await bruno.request('minutesOpen', {})).minutes;
    expect(brunoOpened.canEdit).toBe(false);
    expect(await code(bruno.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'non autorisé' }))).toBe(ErrorCode.FORBIDDEN);
    await lea.request('minutesAllow', { userId: BRUNO.userId, allowed: true });
    await bruno.waitFor('minutesChanged', (d) => d.change.type === 'editors');

    const { section } = await lea.request('minutesSectionSave', { title: 'Lot 08 Plâtrerie' });
    const texts = (who: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${who} : reprise des bandes du séjour n° ${i + 1}, côté façade`);
    // 25 new items each, sent all at once from both sockets.
    const made = await Promise.all([
      ...texts('Léa', 25).map((text) => lea.request('minutesItemSave', { sectionId: section.sectionId, kind: 'observation', text })),
      ...texts('Bruno', 25).map((text) => bruno.request('minutesItemSave', { sectionId: 'general', kind: 'decision', text })),
    ]);
    // Then each rewrites its own items at once, from the version it holds.
    await Promise.all(
      made.map(({ item }) =>
        (item.editedBy.userId === LEA.userId ? lea : bruno).request('minutesItemSave', {
          itemId: item.itemId,
          baseVersion: item.version,
          sectionId: item.sectionId,
          kind: item.kind,
          text: `${item.text} — soldé`,
        }),
      ),
    );
    const stored = (await lea.request('minutesOpen', {})).minutes;
    const wanted = [...texts('Léa', 25), ...texts('Bruno', 25)].map((x) => `${x} — soldé`).sort();
    expect(stored.items.map((i) => i.text).sort()).toEqual(wanted);
    expect(stored.items.every((i) => i.version === 2)).toBe(true);
    // Every page, folding the notifications it got, shows what the server stored.
    await lea.until(() => live(lea, leaOpened).items.filter((i) => i.version === 2).length === 50, 'Léa sees every edit');
    await bruno.until(() => live(bruno, brunoOpened).items.filter((i) => i.version === 2).length === 50, 'Bruno sees every edit');
    expect(essence(live(lea, leaOpened))).toEqual(essence(stored));
    expect(essence(live(bruno, brunoOpened))).toEqual(essence(stored));
    // A reload (a new socket of the same person) finds the same minutes.
    lea.close();
    const again = await joined(projectId, 'reunion', LEA);
    expect(essence((await again.request('minutesOpen', {})).minutes)).toEqual(essence(stored));
  });

  it('the same item edited by two: the later edit wins and the other is told, with their words', async () => {
    const projectId = await project();
    const lea = await joined(projectId, 'reunion', LEA);
    const bruno = await joined(projectId, 'reunion', BRUNO);
    await lea.request('minutesOpen', {});
    await lea.request('minutesAllow', { userId: BRUNO.userId, allowed: true });
    const { item } = await lea.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'Fissure en pied de mur' });
    // Both start from version 1; Léa saves first, Bruno later.
    const first = await lea.request('minutesItemSave', { itemId: item.itemId, baseVersion: 1, sectionId: 'general', kind: 'observation', text: 'Fissure en pied de mur, côté nord' });
    expect(first.overwritten).toBeUndefined();
    const later = await bruno.request('minutesItemSave', { itemId: item.itemId, baseVersion: 1, sectionId: 'general', kind: 'observation', text: 'Fissure à reprendre par l’entreprise' });
    expect(later.overwritten).toBe(true);
    expect(later.item.version).toBe(3);
    // Léa is told her words were replaced, and gets them back.
    const told = await lea.waitFor('minutesChanged', (d) => d.change.type === 'item' && d.change.item.version === 3);
    expect(told.by.userId).toBe(BRUNO.userId);
    expect(told.change.type === 'item' && told.change.overwritten).toEqual({ text: 'Fissure en pied de mur, côté nord', by: { userId: LEA.userId, displayName: LEA.displayName }, version: 2 });
    const stored = (await lea.request('minutesOpen', {})).minutes;
    expect(stored.items.find((i) => i.itemId === item.itemId)?.text).toBe('Fissure à reprendre par l’entreprise');
  });
});

describe('attendance and carried actions', () => {
  /** Today's wall clock in Paris a few minutes ahead: a plan whose occurrence is held now. */
  function soon(minutes: number): { date: string; time: string } {
    const at = DateTime.now().setZone('Europe/Paris').plus({ minutes });
    return { date: at.toFormat('yyyy-MM-dd'), time: at.toFormat('HH:mm') };
  }

  it('attendance is the invitation list against who joined, and follows later joins', async () => {
    const projectId = await project();
    await plan(projectId, {
      title: 'Réunion de chantier',
      roomId: 'reunion',
      ...soon(10),
      durationMin: 60,
      invitees: [BRUNO.userId, CHLOE.userId],
      guests: [{ name: 'Élodie (BET structure)', email: 'elodie@bet.example' }],
      recurrence: { frequency: 'once' },
    });
    const lea = await joined(projectId, 'reunion', LEA);
    await joined(projectId, 'reunion', BRUNO);
    const opened = (await lea.request('minutesOpen', {})).minutes;
    expect(opened.info.plan?.planId).toBeDefined();
    expect(opened.info.title).toBe('Réunion de chantier');
    const table = Object.fromEntries(opened.attendance.map((a) => [a.name, `${a.invited ? 'convoqué' : 'non convoqué'} ${a.status}`]));
    expect(table).toEqual({
      'Léa Martin': 'non convoqué present',
      'Bruno Pétrel': 'convoqué present',
      'Chloé Durand': 'convoqué absent',
      'Élodie (BET structure)': 'convoqué absent',
    });
    // Chloé comes late: present, live.
    await joined(projectId, 'reunion', CHLOE);
    const change = await lea.waitFor('minutesChanged', (d) => d.change.type === 'attendance' && d.change.entry.personId === CHLOE.userId);
    expect(change.change.type === 'attendance' && change.change.entry.status).toBe('present');
    // Élodie sent apologies: set by hand; an unknown person is refused and changes nothing.
    const guest = opened.attendance.find((a) => a.name.startsWith('Élodie'))!;
    expect((await lea.request('minutesAttendance', { personId: guest.personId, status: 'excused' })).entry.status).toBe('excused');
    expect(await code(lea.request('minutesAttendance', { personId: 'nobody-here', status: 'present' }))).toBe(ErrorCode.UNKNOWN_MEMBER);
    const after = (await lea.request('minutesOpen', {})).minutes;
    expect(after.attendance).toHaveLength(4);
    expect(after.attendance.find((a) => a.personId === CHLOE.userId)?.status).toBe('present');
  });

  it('the open actions of the series\' previous meeting are carried in; the PDF holds every item with its accents', async () => {
    const projectId = await project();
    const first = '2027-04-06';
    const weekly = await plan(projectId, {
      title: 'Réunion de chantier hebdomadaire',
      roomId: 'reunion',
      date: first,
      time: '09:00',
      durationMin: 90,
      invitees: [BRUNO.userId],
      guests: [],
      recurrence: { frequency: 'weekly', interval: 1 },
    });
    // Meeting 1 (held for the plan's first occurrence).
    let lea = await joined(projectId, 'reunion', LEA);
    // Not an occurrence of the series (a Wednesday), not a date, not a plan: refused, nothing linked.
    for (const plan of [{ planId: weekly.planId, occurrenceId: '2027-04-07' }, { planId: weekly.planId, occurrenceId: '2027-02-30' }, { planId: 'no-such-plan', occurrenceId: first }]) {
      expect(await code(lea.request('minutesOpen', { plan }))).toBe(ErrorCode.NOT_FOUND);
    }
    const one = (await lea.request('minutesOpen', { plan: { planId: weekly.planId, occurrenceId: first } })).minutes;
    expect(one.info.plan).toEqual({ planId: weekly.planId, occurrenceId: first });
    const { section } = await lea.request('minutesSectionSave', { title: 'Lot 05 Menuiseries extérieures' });
    const items = [
      { sectionId: section.sectionId, kind: 'observation' as const, text: 'Pose des châssis du R+1 achevée ; défaut d’équerrage en façade est' },
      { sectionId: section.sectionId, kind: 'action' as const, text: 'Reprendre l’équerrage des fenêtres côté cour', owner: { company: 'Menuiserie Lefèvre & Fils' }, due: '2027-04-13' },
      { sectionId: 'general', kind: 'action' as const, text: 'Transmettre le plan d’exécution indice B', owner: { userId: BRUNO.userId }, due: '2027-04-10', markup: { documentId: 'plan-rdc', pin: 3 } },
      { sectionId: 'general', kind: 'action' as const, text: 'Nettoyage de la base vie', owner: { company: 'Gros œuvre Ségur' }, status: 'done' as const },
      { sectionId: 'general', kind: 'decision' as const, text: 'Les réunions auront lieu dans le bungalow à côté de l’entrée' },
      { sectionId: 'general', kind: 'information' as const, text: 'Coupure d’électricité prévue jeudi, de 8 h à 10 h' },
    ];
    for (const item of items) await lea.request('minutesItemSave', item);
    const published = await lea.request('minutesPublish', {});
    expect(published.number).toBe(1);
    expect(published.publication.version).toBe(1);
    const announced = await lea.waitFor('chatMessage', (d) => d.message.kind === 'minutes-published');
    expect(announced.message.attachment?.documentId).toBe(published.publication.documentId);

    const text = await pdfText(projectId, published.publication.documentId);
    for (const item of items) expect(text.replace(/\s+/g, ' ')).toContain(item.text);
    for (const words of ['Compte rendu de réunion n° 1', 'Léa Martin', 'Bruno Pétrel', 'Menuiserie Lefèvre & Fils', 'Lot 05 Menuiseries extérieures', 'Repère 3', 'Soldé', 'En cours', '13/04/2027', 'Prochaine réunion : mardi 13 avril 2027 à 09h00', 'réputé accepté']) {
      expect(text.replace(/\s+/g, ' ')).toContain(words);
    }
    // A correction: a new version of the same document name, same number.
    await lea.request('minutesItemSave', { sectionId: 'general', kind: 'information', text: 'Rectificatif : la coupure aura lieu vendredi' });
    const corrected = await lea.request('minutesPublish', {});
    expect(corrected.number).toBe(1);
    expect(corrected.publication.name).toBe(published.publication.name);
    expect(corrected.publication.version).toBe(2);
    expect(await pdfText(projectId, corrected.publication.documentId)).toContain('Rectificatif : la coupure aura lieu vendredi');

    // The meeting ends; its history lists the published minutes.
    await lea.request('endMeeting', {});
    await waitForNoMeeting(projectId, 'reunion');
    const history = await meetings(projectId);
    expect(history[0]?.minutes).toMatchObject({ number: 1, version: 2, documentId: corrected.publication.documentId });

    // Meeting 2, the next occurrence: the two open actions come first, to be reviewed.
    lea = await joined(projectId, 'reunion', LEA);
    const two = (await lea.request('minutesOpen', { plan: { planId: weekly.planId, occurrenceId: '2027-04-13' } })).minutes;
    const carried = two.items.filter((i) => i.sectionId === 'carried');
    expect(carried.map((i) => i.text).sort()).toEqual(['Reprendre l’équerrage des fenêtres côté cour', 'Transmettre le plan d’exécution indice B']);
    expect(carried.every((i) => i.status === 'open' && i.carriedFrom?.number === 1)).toBe(true);
    expect(carried.find((i) => i.text.startsWith('Transmettre'))).toMatchObject({ owner: { userId: BRUNO.userId, displayName: BRUNO.displayName }, markup: { documentId: 'plan-rdc', pin: 3 } });
    // Reviewed: one done, the other stays open (carried again next time).
    const done = carried.find((i) => i.text.startsWith('Transmettre'))!;
    await lea.request('minutesItemSave', { itemId: done.itemId, baseVersion: done.version, sectionId: 'carried', kind: 'action', text: done.text, owner: { userId: BRUNO.userId }, status: 'done' });
    const reviewed = (await lea.request('minutesOpen', {})).minutes;
    expect(reviewed.items.find((i) => i.itemId === done.itemId)?.status).toBe('done');
  });
});

describe('bad input', () => {
  it('10,000 items: 500 are kept, the rest LIMIT_EXCEEDED; oversize text and unknown members are refused; nothing is lost', async () => {
    const projectId = await project();
    const lea = await joined(projectId, 'reunion', LEA);
    await lea.request('minutesOpen', {});
    const { item: keep } = await lea.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'Point à garder : étanchéité de la toiture-terrasse' });
    const answers: string[] = [];
    for (let sent = 0; sent < 10_000; sent += 250) {
      const batch = Array.from({ length: 250 }, (_, i) => code(lea.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: `point n° ${sent + i}` })));
      answers.push(...(await Promise.all(batch)));
    }
    expect(answers.filter((a) => a === 'ok')).toHaveLength(MAX_MINUTES_ITEMS - 1);
    expect(answers.filter((a) => a === ErrorCode.LIMIT_EXCEEDED)).toHaveLength(10_000 - (MAX_MINUTES_ITEMS - 1));
    // Oversize text: refused at the boundary, the item unchanged.
    expect(await code(lea.rawRequest('minutesItemSave', { itemId: keep.itemId, baseVersion: 1, sectionId: 'general', kind: 'observation', text: 'é'.repeat(MAX_ITEM_TEXT + 1) }))).toBe(ErrorCode.BAD_REQUEST);
    // An action for someone who is not a member: refused, the item unchanged.
    expect(await code(lea.request('minutesItemSave', { itemId: keep.itemId, baseVersion: 1, sectionId: 'general', kind: 'action', text: 'x', owner: { userId: 'inconnu' } }))).toBe(ErrorCode.UNKNOWN_MEMBER);
    expect(await code(lea.request('minutesAllow', { userId: 'inconnu', allowed: true }))).toBe(ErrorCode.UNKNOWN_MEMBER);
    expect(await code(lea.request('minutesItemSave', { sectionId: 'no-such-section', kind: 'observation', text: 'x' }))).toBe(ErrorCode.NOT_FOUND);
    expect(await code(lea.request('minutesItemSave', { itemId: keep.itemId, baseVersion: 1, sectionId: 'general', kind: 'action', text: 'x', due: '2027-02-31' }))).toBe(ErrorCode.BAD_REQUEST);
    expect(await code(lea.request('minutesItemSave', { itemId: keep.itemId, sectionId: 'general', kind: 'observation', text: 'sans version' }))).toBe(ErrorCode.BAD_REQUEST);
    const stored = (await lea.request('minutesOpen', {})).minutes;
    expect(stored.items).toHaveLength(MAX_MINUTES_ITEMS);
    expect(stored.items.find((i) => i.itemId === keep.itemId)).toMatchObject({ text: keep.text, version: 1 });
    // Deleting one makes room for one more.
    await lea.request('minutesItemDelete', { itemId: keep.itemId });
    expect(await code(lea.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'un de plus' }))).toBe('ok');
    expect(await code(lea.request('minutesItemSave', { sectionId: 'general', kind: 'observation', text: 'un de trop' }))).toBe(ErrorCode.LIMIT_EXCEEDED);
  }, 120_000);
});

// ------------------------------------------------------------------ helpers

async function ownerToken(projectId: string): Promise<string> {
  return t.token({ projectId, ...LEA });
}

async function pdfText(projectId: string, documentId: string): Promise<string> {
  const r = await fetch(`${t.url}/api/projects/${projectId}/documents/${documentId}/download`, { headers: { authorization: `Bearer ${await ownerToken(projectId)}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('application/pdf');
  const dir = await mkdtemp(join(tmpdir(), 'cr-'));
  try {
    await writeFile(join(dir, 'cr.pdf'), Buffer.from(await r.arrayBuffer()));
    return (await run('pdftotext', ['-enc', 'UTF-8', join(dir, 'cr.pdf'), '-'])).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function meetings(projectId: string): Promise<MeetingRecord[]> {
  const r = await fetch(`${t.url}/api/projects/${projectId}/meetings`, { headers: { authorization: `Bearer ${await ownerToken(projectId)}` } });
  return ((await r.json()) as { meetings: MeetingRecord[] }).meetings;
}

async function waitForNoMeeting(projectId: string, roomId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (!(await t.app.meetings.current(projectId, roomId))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the meeting did not end');
}
