import { describe, expect, it } from 'vitest';
import { minimalPdf, solidImage } from './fixtures.js';
import { extensionOf, sniff } from './kinds.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const text = (s: string): Buffer => Buffer.from(s, 'latin1');
const zip = Buffer.concat([text('PK'), bytes(0x03, 0x04, 0x14, 0x00)]);
const ole2 = bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0);

function kindOf(head: Buffer, name: string): string {
  const result = sniff(head, name);
  return result.ok ? result.kind.id : `refused: ${result.reason}`;
}

describe('sniff', () => {
  it.each([
    ['plan.pdf', minimalPdf(), 'pdf', 'application/pdf'],
    ['photo.png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'png', 'image/png'],
    ['photo.JPG', bytes(0xff, 0xd8, 0xff, 0xe0), 'jpeg', 'image/jpeg'],
    ['photo.jpeg', bytes(0xff, 0xd8, 0xff, 0xdb), 'jpeg', 'image/jpeg'],
    ['anim.gif', text('GIF89a...'), 'gif', 'image/gif'],
    ['old.gif', text('GIF87a...'), 'gif', 'image/gif'],
    ['photo.webp', text('RIFF\x10\x00\x00\x00WEBPVP8 '), 'webp', 'image/webp'],
    ['cctp.docx', zip, 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['dpgf.xlsx', zip, 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['slides.pptx', zip, 'pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['cr.odt', zip, 'odt', 'application/vnd.oasis.opendocument.text'],
    ['metres.ods', zip, 'ods', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['old.doc', ole2, 'doc', 'application/msword'],
    ['old.xls', ole2, 'xls', 'application/vnd.ms-excel'],
    ['old.ppt', ole2, 'ppt', 'application/vnd.ms-powerpoint'],
    ['plan.dwg', text('AC1032\0\0\0'), 'dwg', 'image/vnd.dwg'],
    ['plan.dxf', text('  0\r\nSECTION\r\n  2\r\nHEADER\r\n'), 'dxf', 'image/vnd.dxf'],
    ['plan2.dxf', text('\n\n0\nSECTION\n2\nHEADER\n'), 'dxf', 'image/vnd.dxf'],
    ['bom.dxf', Buffer.concat([bytes(0xef, 0xbb, 0xbf), text('0\nSECTION\n')]), 'dxf', 'image/vnd.dxf'],
    ['maquette.ifc', text('ISO-10303-21;\nHEADER;\n'), 'ifc', 'application/x-step'],
  ])('accepts %s by its content', (name, head, id, mimeType) => {
    const result = sniff(head, name);
    expect(result.ok && result.kind.id).toBe(id);
    expect(result.ok && result.kind.mimeType).toBe(mimeType);
  });

  it('recognises real encoder output', async () => {
    expect(kindOf(await solidImage(4, 4, 'png'), 'a.png')).toBe('png');
    expect(kindOf(await solidImage(4, 4, 'jpeg'), 'a.jpg')).toBe('jpeg');
    expect(kindOf(await solidImage(4, 4, 'gif'), 'a.gif')).toBe('gif');
    expect(kindOf(await solidImage(4, 4, 'webp'), 'a.webp')).toBe('webp');
  });

  it.each([
    ['HTML renamed .pdf', text('<!doctype html><script>alert(1)</script>'), 'evil.pdf'],
    ['a Windows executable', text('MZ\x90\x00\x03\x00'), 'setup.exe'],
    ['an executable renamed .pdf', text('MZ\x90\x00\x03\x00'), 'setup.pdf'],
    ['SVG (scriptable)', text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), 'logo.svg'],
    ['plain text', text('hello'), 'notes.txt'],
    ['an empty file', Buffer.alloc(0), 'empty.pdf'],
    ['PDF magic not at the start', text('junk%PDF-1.4'), 'late.pdf'],
    ['DXF-like text without SECTION', text('0\nHEADER\n'), 'x.dxf'],
    ['RIFF that is not WebP', text('RIFF\x10\x00\x00\x00WAVEfmt '), 'sound.webp'],
  ])('refuses %s', (_label, head, name) => {
    expect(sniff(head, name).ok).toBe(false);
  });

  it.each([
    ['a PNG named .pdf', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'plan.pdf', '.png'],
    ['a PDF named .png', minimalPdf(), 'plan.png', '.pdf'],
    ['a ZIP named .zip', zip, 'archive.zip', '.docx'],
    ['a ZIP named .pdf', zip, 'archive.pdf', '.docx'],
    ['an OLE2 file named .msi', ole2, 'setup.msi', '.doc'],
    ['a PDF without extension', minimalPdf(), 'plan', 'no extension'],
  ])('refuses %s: the extension must agree with the content', (_label, head, name, mentioned) => {
    const result = sniff(head, name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(mentioned);
  });
});

describe('extensionOf', () => {
  it.each([
    ['plan.PDF', 'pdf'],
    ['archive.tar.gz', 'gz'],
    ['noext', ''],
    ['.hidden', ''],
    ['trailing.', ''],
  ])('%s → "%s"', (name, extension) => {
    expect(extensionOf(name)).toBe(extension);
  });
});
