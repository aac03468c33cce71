/**
 * Multi-page PDFs for tests, written by hand (no binary fixtures in the
 * repository, no font needed): each page draws a plan-like grid and a
 * pattern of filled boxes that depends on the page number, so pages look
 * different and a wrong page is visible in pixels.
 */
export function planPdf(pages: number, label = 'plan'): Buffer {
  const objects: string[] = [];
  const pageIds: number[] = [];
  // 1: catalog, 2: pages; then per page: page object and content stream.
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(''); // filled in once the page ids are known
  for (let n = 1; n <= pages; n++) {
    let content = `% ${label} page ${n}\n0.1 0.1 0.1 RG 0.5 w\n`;
    // A fine grid: 10-pt squares over an A3 landscape sheet.
    for (let x = 20; x <= 1170; x += 10) content += `${x} 20 m ${x} 822 l S\n`;
    for (let y = 20; y <= 822; y += 10) content += `20 ${y} m 1170 ${y} l S\n`;
    // n boxes in a row, in a colour that changes with the page.
    content += `${(n * 0.27) % 1} 0.3 ${(1 - n * 0.19) % 1} rg\n`;
    for (let i = 0; i < n; i++) content += `${60 + i * 90} 600 70 140 re f\n`;
    content += `0 0 0 rg ${100 + n * 40} 200 ${200 + n * 15} 60 re f\n`;
    const contentId = objects.length + 2;
    const pageId = objects.length + 1;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1190 842] /Contents ${contentId} 0 R /Resources << >> >>`);
    objects.push(`<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}endstream`);
    pageIds.push(pageId);
  }
  objects[1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`;
  return pdfFromObjects(objects);
}

/** A PDF file from its objects (numbered from 1, the catalog first): header, body, xref, trailer. */
export function pdfFromObjects(objects: readonly string[]): Buffer {
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
