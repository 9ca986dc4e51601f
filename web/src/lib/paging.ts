/**
 * Fitting lists onto a TV screen (pure): as many cards or rows as fit at a readable size, the rest on
 * further pages that the wallboard turns in rotation (nothing is cut off or left out).
 */
import { bestGrid } from './levels';

/** How many pages `n` items take at `perPage` a page (at least 1; 1 while nothing fits yet). */
export function pageCount(n: number, perPage: number): number {
  return perPage <= 0 ? 1 : Math.max(1, Math.ceil(n / perPage));
}

/** The items of page `index` (taken modulo the page count). */
export function pageOf<T>(items: readonly T[], perPage: number, index: number): T[] {
  if (perPage <= 0) return [];
  const size = perPage;
  const pages = pageCount(items.length, size);
  const page = ((index % pages) + pages) % pages;
  return items.slice(page * size, (page + 1) * size);
}

export interface CardFit {
  cols: number;
  rows: number;
  /** Cards on one page (all of them when they fit; 0 before the box is measured). */
  perPage: number;
}

/**
 * A grid for `n` cards in a `w`×`h` box with `gap` px between them: all on one page, in the grid that
 * gives them the best shape (`aspect` = width/height), when every card is then at least
 * `minW`×`minH`; otherwise as many cards of at least that size as fit, per page.
 */
export function cardGrid(
  n: number,
  w: number,
  h: number,
  o: { minW: number; minH: number; gap: number; aspect: number },
): CardFit {
  // Before the box is measured nothing is drawn (it would be laid out once more at once).
  if (w <= 0 || h <= 0) return { cols: 1, rows: 1, perPage: 0 };
  if (n <= 0) return { cols: 1, rows: 1, perPage: 1 };
  const all = bestGrid(n, w + o.gap, h + o.gap, o.aspect);
  const cardW = (w + o.gap) / all.cols - o.gap;
  const cardH = (h + o.gap) / all.rows - o.gap;
  if (cardW >= o.minW && cardH >= o.minH) return { ...all, perPage: n };
  const cols = Math.max(1, Math.floor((w + o.gap) / (o.minW + o.gap)));
  const rows = Math.max(1, Math.floor((h + o.gap) / (o.minH + o.gap)));
  // A short last page of a paged grid keeps the page's shape rather than growing its cards.
  return { cols, rows, perPage: cols * rows };
}

export interface RowFit {
  /** Rows on one page. */
  perPage: number;
  /** Height of each row, px: the space shared out, between `minRow` and `maxRow`. */
  row: number;
}

/**
 * Rows of `n` items in `h` px: as many of at least `minRow` px as fit (at least one), sharing the
 * height up to `maxRow`; none before the box is measured.
 */
export function rowFit(n: number, h: number, minRow: number, maxRow: number): RowFit {
  if (h <= 0) return { perPage: 0, row: minRow };
  if (n <= 0) return { perPage: 1, row: minRow };
  const perPage = Math.max(1, Math.min(n, Math.floor(h / minRow)));
  return { perPage, row: Math.max(minRow, Math.min(maxRow, h / perPage)) };
}
