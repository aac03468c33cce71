/**
 * Is every control of a part of the page usable with a thumb on a phone?
 * For each visible button, input, select, textarea, link or role=button
 * under `rootSelector`:
 * - at least `minSize` × `minSize` CSS px (48 for the meeting bar, 44 elsewhere);
 * - inside the viewport, after scrolling it into view if it is off screen
 *   or under something (a long form may scroll vertically, as a person
 *   would; nothing may need a horizontal scroll);
 * - not covered: `document.elementFromPoint` at its centre and at four
 *   points halfway to its corners is the control or inside it.
 * Hidden controls (display:none, visibility:hidden, 1-px visually hidden
 * inputs behind a label) are skipped. Reusable for any view: join screen,
 * meeting, "more" sheet, chat, call overlays (`incoming-call`, `outgoing-call`).
 */
import type { Page } from 'puppeteer-core';

export interface UsableOptions {
  minSize?: number;
  /** Controls that must be at least this big (e.g. primary ones: 56). */
  primary?: { selector: string; minSize: number };
  /** Fail when the root holds no visible control at all (default true). */
  requireSome?: boolean;
}

export interface ControlBox {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  scrolled: boolean;
}

export interface UsableReport {
  controls: ControlBox[];
  problems: string[];
}

export async function checkUsableControls(page: Page, rootSelector: string, options: UsableOptions = {}): Promise<UsableReport> {
  const minSize = options.minSize ?? 44;
  return page.evaluate(
    (rootSelector: string, minSize: number, primary: { selector: string; minSize: number } | null) => {
      const problems: string[] = [];
      const controls: Array<{ id: string; x: number; y: number; width: number; height: number; scrolled: boolean }> = [];
      const root = document.querySelector(rootSelector);
      if (!root) return { controls, problems: [`${rootSelector} not found`] };
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      if (document.documentElement.scrollWidth > vw + 1) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);

      const describe = (el: Element): string =>
        el.getAttribute('data-testid') ??
        el.getAttribute('aria-label') ??
        (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}"`);
      const isShown = (el: HTMLElement): boolean => {
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') return false;
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1; // 1-px "visually hidden" inputs sit behind their label
      };

      const all = root.querySelectorAll<HTMLElement>(
        'button, input:not([type="hidden"]), select, textarea, a[href], [role="button"]',
      );
      for (const el of all) {
        if (!isShown(el)) continue;
        const id = describe(el);
        const need = primary && el.matches(primary.selector) ? Math.max(minSize, primary.minSize) : minSize;
        const inside = (box: DOMRect) => box.left >= -0.5 && box.top >= -0.5 && box.right <= vw + 0.5 && box.bottom <= vh + 0.5;
        const coveredBy = (box: DOMRect): string | null => {
          const points: Array<[number, number]> = [
            [0.5, 0.5],
            [0.25, 0.25],
            [0.75, 0.25],
            [0.25, 0.75],
            [0.75, 0.75],
          ];
          for (const [fx, fy] of points) {
            const x = box.left + box.width * fx;
            const y = box.top + box.height * fy;
            if (x < 0 || y < 0 || x >= vw || y >= vh) continue; // reported as outside
            const hit = document.elementFromPoint(x, y);
            if (!hit || (hit !== el && !el.contains(hit))) return `covered at (${x.toFixed(0)},${y.toFixed(0)}) by ${hit ? describe(hit) : 'nothing'}`;
          }
          return null;
        };
        let r = el.getBoundingClientRect();
        let scrolled = false;
        // Out of the screen or under something (a sticky button): a person scrolls it into view first.
        if (!inside(r) || coveredBy(r)) {
          el.scrollIntoView({ block: 'center', inline: 'nearest' });
          r = el.getBoundingClientRect();
          scrolled = true;
        }
        controls.push({ id, x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height), scrolled });
        if (r.width < need - 0.5 || r.height < need - 0.5) problems.push(`${id}: ${r.width.toFixed(1)}×${r.height.toFixed(1)} < ${need}`);
        if (!inside(r)) problems.push(`${id}: outside the viewport (${r.left.toFixed(0)},${r.top.toFixed(0)})–(${r.right.toFixed(0)},${r.bottom.toFixed(0)}) in ${vw}×${vh}`);
        const covered = coveredBy(r);
        if (covered) problems.push(`${id}: ${covered}`);
      }
      if (controls.some((c) => c.scrolled)) window.scrollTo(0, 0);
      return { controls, problems };
    },
    rootSelector,
    minSize,
    options.primary ?? null,
  ).then((report) => {
    if ((options.requireSome ?? true) && report.controls.length === 0) report.problems.push(`${rootSelector}: no visible control`);
    return report;
  });
}

/** Throws with every problem found; returns the controls checked (for the test's own assertions). */
export async function assertUsableControls(page: Page, rootSelector: string, options: UsableOptions = {}): Promise<ControlBox[]> {
  const report = await checkUsableControls(page, rootSelector, options);
  if (report.problems.length > 0) {
    throw new Error(`${rootSelector}: ${report.problems.length} unusable control(s):\n  ${report.problems.join('\n  ')}`);
  }
  return report.controls;
}
