import { describe, expect, it } from 'vitest';
import { contentDisposition, MAX_NAME_LENGTH, sanitizeName, versionKey } from './names.js';

describe('sanitizeName', () => {
  it.each([
    ['plan.pdf', 'plan.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\léa\\Plans\\RDC.pdf', 'RDC.pdf'],
    ['a/b\\c.pdf', 'c.pdf'],
    ['  plan\tR+1\n.pdf  ', 'planR+1.pdf'],
    ['gpj\u202Eexe.pdf', 'gpjexe.pdf'],
    ['zero\u200Bwidth.pdf', 'zerowidth.pdf'],
    ['nul\u0000byte.pdf', 'nulbyte.pdf'],
    ['Compte   rendu.pdf', 'Compte rendu.pdf'],
    ['', 'document'],
    ['..', 'document'],
    ['dir/', 'document'],
    ['\u0007', 'document'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeName(raw)).toBe(expected);
  });

  it('composes accents (NFC), so that the same name typed on two systems is one name', () => {
    expect(sanitizeName('re\u0301union.pdf')).toBe('réunion.pdf');
  });

  it('cuts long names to 200 characters and keeps the extension', () => {
    const name = sanitizeName(`${'a'.repeat(500)}.pdf`);
    expect([...name]).toHaveLength(MAX_NAME_LENGTH);
    expect(name.endsWith('a.pdf')).toBe(true);
  });

  it('never splits a surrogate pair when cutting', () => {
    const name = sanitizeName(`${'🏗'.repeat(300)}.pdf`);
    expect([...name]).toHaveLength(MAX_NAME_LENGTH);
    expect(Buffer.from(name).toString(), 'no lone surrogate').toBe(name);
    expect(name.endsWith('🏗.pdf')).toBe(true);
  });
});

describe('versionKey', () => {
  it('groups names case-insensitively and whatever the Unicode form', () => {
    expect(versionKey('Plan RDC.PDF')).toBe(versionKey('plan rdc.pdf'));
    expect(versionKey('Re\u0301union.pdf')).toBe(versionKey('réunion.pdf'));
    expect(versionKey('plan-a.pdf')).not.toBe(versionKey('plan-b.pdf'));
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name per RFC 5987', () => {
    expect(contentDisposition('attachment', 'Compte rendu n°3 (réunion).pdf')).toBe(
      `attachment; filename="Compte rendu n_3 (r_union).pdf"; filename*=UTF-8''Compte%20rendu%20n%C2%B03%20%28r%C3%A9union%29.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes or semicolons', () => {
    const header = contentDisposition('inline', `a"; filename="evil.html\\'.pdf`);
    expect(header).toBe(
      `inline; filename="a_; filename=_evil.html_'.pdf"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%5C%27.pdf`,
    );
  });
});
