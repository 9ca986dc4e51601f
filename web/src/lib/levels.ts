/** How a level looks: a shape beside the colour, so it reads without colour vision too. */
import type { Level } from './thresholds';

export const LEVEL_SYMBOL: Record<Level, string> = {
  none: '',
  ok: '●',
  amber: '▲',
  red: '■',
  critical: '■',
};

export const LEVEL_WORD: Record<Level, string> = {
  none: 'no data',
  ok: 'on target',
  amber: 'warning',
  red: 'alert',
  critical: 'critical',
};

/** The best grid (columns, rows) for `n` tiles in a `w`×`h` box, aiming at tiles of `aspect` w/h. */
export function bestGrid(n: number, w: number, h: number, aspect: number): { cols: number; rows: number } {
  if (n <= 0 || w <= 0 || h <= 0) return { cols: 1, rows: 1 };
  let best = { cols: 1, rows: n, score: -1 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const tw = w / cols;
    const th = h / rows;
    // the scale at which a tile of the ideal shape fits
    const score = Math.min(tw / aspect, th);
    if (score > best.score + 0.5) best = { cols, rows, score };
  }
  return { cols: best.cols, rows: best.rows };
}
