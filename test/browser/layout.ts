/**
 * Layout checks run inside the page (as plain JavaScript source, so nothing of the test's build ends up
 * in the browser): whether elements are shown in full, and how small the text is.
 */
import type { Page } from 'playwright-core';

export interface LayoutReport {
  /** Elements (or parts of them) outside the viewport or cut off by a clipping ancestor. */
  cut: string[];
  /** The smallest font size of any visible text, and where it is. */
  smallest: { px: number; where: string; text: string } | null;
  /** Visible text below the minimum given to `checkLayout`. */
  tooSmall: string[];
}

/**
 * Checks every element matching `selector`, and everything inside it, against the viewport and every
 * ancestor that clips (overflow other than visible); text cut with an ellipsis counts as shown. Then
 * measures the font size of every visible text under `root`.
 */
export async function checkLayout(
  page: Page,
  opts: { selector: string; root: string; minFontPx: number },
): Promise<LayoutReport> {
  const script = `(() => {
    const opts = ${JSON.stringify(opts)};
    const vw = window.innerWidth, vh = window.innerHeight, eps = 0.5;
    const desc = (el) => {
      const id = el.getAttribute('data-testid') ? '[' + el.getAttribute('data-testid') + ']' : '';
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      return el.tagName.toLowerCase() + id + cls;
    };
    const label = (el) => (el.closest('[data-agent]')?.getAttribute('data-agent') ?? el.closest('[data-queue]')?.getAttribute('data-queue') ?? el.closest('[data-ticket]')?.getAttribute('data-ticket') ?? '') + ' ' + desc(el);
    const visible = (r) => r.width > 0 && r.height > 0;
    const cut = [];
    const seen = new Set();
    for (const top of document.querySelectorAll(opts.selector)) {
      for (const el of [top, ...top.querySelectorAll('*')]) {
        if (seen.has(el)) continue;
        seen.add(el);
        const r = el.getBoundingClientRect();
        if (!visible(r)) continue;
        if (r.left < -eps || r.top < -eps || r.right > vw + eps || r.bottom > vh + eps) {
          cut.push(label(el) + ' is outside the viewport (' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ')');
          continue;
        }
        for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
          const cs = getComputedStyle(a);
          if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
          // Text cut with an ellipsis shows that it is cut: the ellipsis box itself is checked on its own.
          if (cs.textOverflow === 'ellipsis') break;
          const ar = a.getBoundingClientRect();
          if (r.left < ar.left - eps || r.top < ar.top - eps || r.right > ar.right + eps || r.bottom > ar.bottom + eps) {
            cut.push(label(el) + ' is cut off by ' + desc(a));
            break;
          }
        }
      }
    }
    let smallest = null;
    const tooSmall = [];
    const root = document.querySelector(opts.root) ?? document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (text === '' || !el) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (!visible(r) || r.bottom <= 0 || r.top >= vh || r.right <= 0 || r.left >= vw) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
      const px = parseFloat(cs.fontSize);
      if (smallest === null || px < smallest.px) smallest = { px, where: label(el), text: text.slice(0, 40) };
      if (px < opts.minFontPx) tooSmall.push(label(el) + ' "' + text.slice(0, 30) + '" at ' + px + 'px');
    }
    return { cut, smallest, tooSmall };
  })()`;
  return (await page.evaluate(script)) as LayoutReport;
}

/** The computed font size (px) of each element matching `selector`. */
export async function fontSizes(page: Page, selector: string): Promise<number[]> {
  const script = `[...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => parseFloat(getComputedStyle(el).fontSize))`;
  return (await page.evaluate(script)) as number[];
}
