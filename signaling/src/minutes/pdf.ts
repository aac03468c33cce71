/**
 * The published compte rendu as a PDF, made on the server with pdfmake
 * (tables, text wrapping and page breaks built in) and DejaVu Sans, a
 * TrueType font embedded in the file that carries every French accent and
 * ligature (é, è, ê, à, ç, œ, «»). The PDF is in French: it is the project's
 * document, sent to every convoqué.
 *
 * Layout: project, number and date; attendance table; points en suspens,
 * then items by section; actions table (who, by when, status); next
 * meeting; the usual closing line on remarks.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
// pdfmake (about 24 MB once loaded) is loaded when the first compte rendu is published, not at start.
import type pdfmake from 'pdfmake';
import type { Content, TableCell } from 'pdfmake/interfaces';
import type { ActionOwnerInfo, AttendanceStatus, ItemKind, MinutesItem } from '../protocol/index.js';
import type { MinutesContent } from '../store/minutes.js';

export interface PdfInput {
  content: MinutesContent;
  number: number;
  projectName: string;
  timeZone: string;
  /** The next meeting's start (ms), when the plan has one. */
  nextMeeting?: number;
}

const KIND: Record<ItemKind, string> = {
  observation: 'Observation',
  decision: 'Décision',
  action: 'Action',
  information: 'Information',
};
const ATTENDANCE: Record<AttendanceStatus, string> = { present: 'Présent', excused: 'Excusé', absent: 'Absent' };

/** Remarks are due within a week, after which the minutes stand as accepted (the trade's usual wording). */
export const CLOSING_LINE =
  'Les observations éventuelles sur le présent compte rendu sont à adresser au rédacteur dans un délai de huit jours ' +
  'à compter de sa diffusion ; passé ce délai, il sera réputé accepté.';

type PdfMake = typeof pdfmake;

let fontsDir: string | undefined;

/** Points pdfmake at the fonts once, and lets it read nothing else from disk or the network. */
function useFonts(pdfmake: PdfMake, dir: string): void {
  if (fontsDir === dir) return;
  pdfmake.setFonts({
    DejaVu: {
      normal: join(dir, 'DejaVuSans.ttf'),
      bold: join(dir, 'DejaVuSans-Bold.ttf'),
      italics: join(dir, 'DejaVuSans-Oblique.ttf'),
      bolditalics: join(dir, 'DejaVuSans-BoldOblique.ttf'),
    },
  });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((path) => path.startsWith(dir));
  fontsDir = dir;
}

export function ownerText(owner: ActionOwnerInfo | undefined): string {
  if (!owner) return '';
  return 'company' in owner ? owner.company : owner.displayName;
}

function dueText(due: string | undefined): string {
  return due ? DateTime.fromISO(due).toFormat('dd/MM/yyyy') : '';
}

function when(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale('fr').toFormat("cccc d LLLL yyyy 'à' HH'h'mm");
}

function itemBlock(item: MinutesItem, zone: string): Content {
  const lines: Content[] = [{ text: [{ text: `${KIND[item.kind]} — `, bold: true }, item.text || ' '] }];
  const details: string[] = [];
  if (item.kind === 'action') {
    if (item.owner) details.push(`À faire par : ${ownerText(item.owner)}`);
    if (item.due) details.push(`pour le ${dueText(item.due)}`);
    details.push(item.status === 'done' ? 'Soldé' : 'En cours');
  }
  if (item.markup) details.push(`Repère ${item.markup.pin} (document ${item.markup.documentId})`);
  if (item.carriedFrom) {
    const from = item.carriedFrom.number ? `CR n° ${item.carriedFrom.number}` : `réunion du ${DateTime.fromMillis(item.carriedFrom.date, { zone }).toFormat('dd/MM/yyyy')}`;
    details.push(`reporté du ${from}`);
  }
  if (details.length > 0) lines.push({ text: details.join(' · '), italics: true, fontSize: 9, color: '#444444' });
  return { stack: lines, margin: [0, 2, 0, 4] };
}

function table(header: string[], rows: TableCell[][], widths: Array<string | number>): Content {
  return {
    table: { headerRows: 1, widths, body: [header.map((h) => ({ text: h, bold: true, fillColor: '#eeeeee' })), ...rows] },
    layout: 'lightHorizontalLines',
    margin: [0, 4, 0, 10],
  };
}

/** The document definition (pure: the tests and the PDF share it). */
export function minutesDocument(input: PdfInput): Parameters<typeof pdfmake.createPdf>[0] {
  const { content, number, projectName, timeZone } = input;
  const { info } = content;
  const body: Content[] = [
    { text: projectName, style: 'project' },
    { text: `Compte rendu de réunion n° ${number}`, style: 'title' },
    { text: `${info.title} — ${when(info.date, timeZone)}`, margin: [0, 0, 0, 4] },
    { text: `Rédacteur : ${info.chair.displayName}`, fontSize: 9, margin: [0, 0, 0, 10] },
    { text: 'Présents, excusés, absents', style: 'heading' },
    table(
      ['Nom', 'Convoqué', 'Présence'],
      content.attendance.map((a) => [a.name, a.invited ? 'oui' : 'non', ATTENDANCE[a.status]]),
      ['*', 'auto', 'auto'],
    ),
  ];
  for (const section of content.sections) {
    const items = content.items.filter((i) => i.sectionId === section.sectionId);
    if (items.length === 0) continue;
    body.push({ text: section.title, style: 'heading' });
    for (const item of items) body.push(itemBlock(item, timeZone));
  }
  const actions = content.items.filter((i) => i.kind === 'action');
  if (actions.length > 0) {
    body.push({ text: 'Actions', style: 'heading' });
    body.push(
      table(
        ['Action', 'À faire par', 'Pour le', 'Statut'],
        actions.map((a) => [a.text, ownerText(a.owner), dueText(a.due), a.status === 'done' ? 'Soldé' : 'En cours']),
        ['*', 'auto', 'auto', 'auto'],
      ),
    );
  }
  body.push({
    text: input.nextMeeting ? `Prochaine réunion : ${when(input.nextMeeting, timeZone)}` : 'Prochaine réunion : à fixer',
    bold: true,
    margin: [0, 10, 0, 6],
  });
  body.push({ text: CLOSING_LINE, italics: true, fontSize: 9 });
  return {
    info: { title: `${projectName} — CR n° ${number}`, author: info.chair.displayName, creator: 'Chantier' },
    pageSize: 'A4',
    pageMargins: [40, 40, 40, 50],
    footer: (page: number, pages: number) => ({ text: `CR n° ${number} — page ${page}/${pages}`, alignment: 'center', fontSize: 8 }),
    content: body,
    defaultStyle: { font: 'DejaVu', fontSize: 10 },
    styles: {
      project: { fontSize: 11, color: '#555555' },
      title: { fontSize: 16, bold: true, margin: [0, 2, 0, 2] },
      heading: { fontSize: 12, bold: true, margin: [0, 8, 0, 2] },
    },
  };
}

/** The PDF's bytes. */
export async function minutesPdf(input: PdfInput, fontDir: string): Promise<Buffer> {
  const { default: pdfmake } = await import('pdfmake');
  useFonts(pdfmake, fontDir);
  return pdfmake.createPdf(minutesDocument(input)).getBuffer();
}
