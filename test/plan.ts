/**
 * The screen-sharing test plan: what a site meeting shares most (a drawing
 * with hairlines, hatching and 8-px annotations), drawn by one deterministic
 * function, and the PSNR that compares a received frame with it.
 *
 * Both functions run in the browser: the sharer draws the plan in an overlay
 * that it captures, the receiver draws it again off screen as the reference
 * and compares. They are handed to pages as source text (`pageSource`), so
 * each is self-contained: no imports, no outer variables, no inner named
 * functions (a transpiler could wrap those in helpers the page lacks).
 */

export const PLAN_WIDTH = 1920;
export const PLAN_HEIGHT = 1080;

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/**
 * Draws the plan on a white background. Same context size, same fonts, same
 * pixels: every shape is placed by integer arithmetic (no randomness, no
 * time), lines sit on half pixels so that 1-px strokes stay 1 px wide.
 */
export function drawPlan(ctx: Context2D, width: number, height: number): void {
  ctx.save();
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.lineCap = 'butt';
  ctx.textBaseline = 'top';
  ctx.font = '8px sans-serif';

  // Construction grid: a faint hairline every 20 px, a darker one every 100 px.
  ctx.lineWidth = 1;
  for (let x = 0; x <= width; x += 20) {
    ctx.strokeStyle = x % 100 === 0 ? '#9aa4ad' : '#dde3e8';
    ctx.beginPath();
    ctx.moveTo(x + 0.5, 0);
    ctx.lineTo(x + 0.5, height);
    ctx.stroke();
  }
  for (let y = 0; y <= height; y += 20) {
    ctx.strokeStyle = y % 100 === 0 ? '#9aa4ad' : '#dde3e8';
    ctx.beginPath();
    ctx.moveTo(0, y + 0.5);
    ctx.lineTo(width, y + 0.5);
    ctx.stroke();
  }

  // Rooms: 5-px walls, a hatched core in each, a name and an area in 8-px text.
  const rooms = [
    [120, 100, 420, 300, 'SÉJOUR', '32,6 m²'],
    [540, 100, 300, 300, 'CUISINE', '14,2 m²'],
    [840, 100, 260, 220, 'CH. 1', '11,8 m²'],
    [1100, 100, 260, 220, 'CH. 2', '10,9 m²'],
    [120, 400, 300, 240, 'BUREAU', '9,4 m²'],
    [420, 400, 420, 240, 'GARAGE', '21,0 m²'],
    [840, 320, 520, 320, 'ATELIER', '28,3 m²'],
  ] as const;
  for (let i = 0; i < rooms.length; i++) {
    const room = rooms[i]!;
    const [rx, ry, rw, rh, name, area] = room;
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 5;
    ctx.strokeRect(rx, ry, rw, rh);
    // Diagonal hatching, 1 px every 7 px, clipped to a core rectangle.
    ctx.save();
    ctx.beginPath();
    ctx.rect(rx + 30, ry + 60, 90, 60);
    ctx.clip();
    ctx.lineWidth = 1;
    ctx.strokeStyle = i % 2 === 0 ? '#5b6670' : '#8a3b12';
    for (let d = -60; d < 150; d += 7) {
      ctx.beginPath();
      ctx.moveTo(rx + 30 + d + 0.5, ry + 120);
      ctx.lineTo(rx + 30 + d + 60.5, ry + 60);
      ctx.stroke();
    }
    ctx.restore();
    ctx.fillStyle = '#000000';
    ctx.fillText(name, rx + 14, ry + 14);
    ctx.fillText(area, rx + 14, ry + 26);
    ctx.fillStyle = '#1f4e9c';
    ctx.fillText(`HSP 2,50 · sol carrelage · R${i + 1}`, rx + 14, ry + 38);
    // Dimension line under the room: ticks and the length in 8-px text.
    ctx.strokeStyle = '#1f4e9c';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(rx, ry + rh + 14.5);
    ctx.lineTo(rx + rw, ry + rh + 14.5);
    ctx.moveTo(rx + 0.5, ry + rh + 8);
    ctx.lineTo(rx + 0.5, ry + rh + 21);
    ctx.moveTo(rx + rw + 0.5, ry + rh + 8);
    ctx.lineTo(rx + rw + 0.5, ry + rh + 21);
    ctx.stroke();
    ctx.fillStyle = '#1f4e9c';
    ctx.fillText(`${(rw / 100).toFixed(2).replace('.', ',')} m`, rx + rw / 2 - 10, ry + rh + 3);
  }

  // Doors: quarter-circle swings, 1 px.
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  for (let i = 0; i < 6; i++) {
    const dx = 200 + i * 190;
    ctx.beginPath();
    ctx.moveTo(dx + 0.5, 400.5);
    ctx.arc(dx + 0.5, 400.5, 36, 0, Math.PI / 2);
    ctx.closePath();
    ctx.stroke();
  }

  // Notes: a column of 8-px lines, the kind of text a plan is shared for.
  ctx.fillStyle = '#000000';
  const notes = [
    'Béton C25/30 XC1, enrobage 3 cm, treillis ST25C en nappe inférieure',
    'Réservations gaines Ø125 à confirmer par le lot CVC avant coulage',
    'Chape flottante 5 cm sur isolant PSE 4 cm, joint périphérique 5 mm',
    'Menuiseries alu RAL 7016, seuils PMR ≤ 2 cm, allège 95 cm',
    'Cloisons 72/48 BA13 hydro en pièces humides, rail bas sur bande résiliente',
  ];
  for (let i = 0; i < 60; i++) {
    ctx.fillText(`${String(i + 1).padStart(2, '0')}. ${notes[i % notes.length]!}`, 1400, 100 + i * 11);
  }

  // Title block: hairline table with 8-px cells.
  const tx = 1400;
  const ty = 780;
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.strokeRect(tx + 0.5, ty + 0.5, 480, 260);
  for (let row = 1; row < 13; row++) {
    ctx.beginPath();
    ctx.moveTo(tx, ty + row * 20 + 0.5);
    ctx.lineTo(tx + 480, ty + row * 20 + 0.5);
    ctx.stroke();
  }
  ctx.beginPath();
  ctx.moveTo(tx + 160.5, ty);
  ctx.lineTo(tx + 160.5, ty + 260);
  ctx.stroke();
  const fields = ['Projet', 'Lot', 'Phase', 'Échelle', 'Indice', 'Dessiné', 'Vérifié', 'Date', 'Format', 'N° plan', 'Niveau', 'Zone', 'Statut'];
  for (let row = 0; row < fields.length; row++) {
    ctx.fillText(fields[row]!, tx + 6, ty + row * 20 + 6);
    ctx.fillText(`LYON-7 / GO-${100 + row * 7} / indice ${String.fromCharCode(65 + (row % 6))}`, tx + 166, ty + row * 20 + 6);
  }

  // A small chequerboard and a resolution wedge: the finest detail there is.
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      if ((x + y) % 2 === 0) ctx.fillRect(120 + x, 720 + y, 1, 1);
    }
  }
  for (let i = 0; i < 40; i++) {
    ctx.fillRect(220 + i * (2 + (i % 4)), 720, 1, 64);
  }
  ctx.restore();
}

/**
 * The plan scrolled up by `offset` pixels, wrapping around (someone panning
 * down a long drawing), from a canvas that already holds the plan. The
 * offset is written into the picture itself, 12 bits as 16-px black or white
 * squares along the top-left edge, so that a receiver can tell which
 * position a decoded frame shows and draw the same reference.
 */
export function drawScrolledPlan(ctx: Context2D, plan: CanvasImageSource, width: number, height: number, offset: number): void {
  const y = ((Math.round(offset) % height) + height) % height;
  ctx.drawImage(plan, 0, -y);
  ctx.drawImage(plan, 0, height - y);
  for (let bit = 0; bit < 12; bit++) {
    ctx.fillStyle = (y >> bit) & 1 ? '#000000' : '#ffffff';
    ctx.fillRect(bit * 16, 0, 16, 16);
  }
}

/** The offset written by drawScrolledPlan, read back from RGBA pixels (centre of each square). */
export function readScrollOffset(data: Uint8ClampedArray, width: number): number {
  let offset = 0;
  for (let bit = 0; bit < 12; bit++) {
    const i = (8 * width + bit * 16 + 8) * 4;
    const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    if (luma < 128) offset |= 1 << bit;
  }
  return offset;
}

/**
 * PSNR of the luma (BT.601 Y' = 0.299 R + 0.587 G + 0.114 B) between two RGBA
 * images of the same size, in dB; Infinity when identical. Luma because it is
 * what a screen's text and lines live in: the encoder subsamples chroma 2:1
 * on purpose, and an RGB figure would charge it for that.
 */
export function lumaPsnr(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  if (a.length !== b.length || a.length % 4 !== 0) throw new Error(`images differ in size: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    const ya = 0.299 * a[i]! + 0.587 * a[i + 1]! + 0.114 * a[i + 2]!;
    const yb = 0.299 * b[i]! + 0.587 * b[i + 1]! + 0.114 * b[i + 2]!;
    const d = ya - yb;
    sum += d * d;
  }
  const mse = sum / (a.length / 4);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** A function's source for `page.evaluate`, where it is rebuilt with `new Function`. */
export function pageSource(fn: (...args: never[]) => unknown): string {
  return fn.toString();
}
