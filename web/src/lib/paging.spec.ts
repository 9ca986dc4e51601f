import { describe, expect, it } from 'vitest';
import { cardGrid, pageCount, pageOf, rowFit } from './paging';

describe('paging', () => {
  it('counts pages and takes the items of one page, wrapping around', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    expect(pageCount(7, 3)).toBe(3);
    expect(pageCount(0, 3)).toBe(1);
    expect(pageOf(items, 3, 0)).toEqual([0, 1, 2]);
    expect(pageOf(items, 3, 2)).toEqual([6]);
    expect(pageOf(items, 3, 3)).toEqual([0, 1, 2]);
  });

  it('puts every card on one page when they all fit at the smallest readable size', () => {
    // 60 cards in a 1896×946 box: 8×8 cards of about 230×110.
    const fit = cardGrid(60, 1896, 946, { minW: 220, minH: 96, gap: 8, aspect: 2.1 });
    expect(fit.perPage).toBe(60);
    expect(fit.cols * fit.rows).toBeGreaterThanOrEqual(60);
    expect((1896 + 8) / fit.cols - 8).toBeGreaterThanOrEqual(220);
    expect((946 + 8) / fit.rows - 8).toBeGreaterThanOrEqual(96);
  });

  it('pages the cards at the smallest readable size when they do not all fit', () => {
    const fit = cardGrid(60, 1480, 440, { minW: 220, minH: 96, gap: 8, aspect: 2.1 });
    expect(fit).toEqual({ cols: 6, rows: 4, perPage: 24 });
    expect(pageCount(60, fit.perPage)).toBe(3);
  });

  it('shares the height out among rows, and pages rows that do not fit at the smallest height', () => {
    expect(rowFit(4, 400, 44, 90)).toEqual({ perPage: 4, row: 90 });
    expect(rowFit(8, 400, 44, 90)).toEqual({ perPage: 8, row: 50 });
    expect(rowFit(12, 400, 44, 90)).toEqual({ perPage: 9, row: 400 / 9 });
  });

  it('draws nothing before the box is measured', () => {
    expect(cardGrid(30, 0, 0, { minW: 220, minH: 96, gap: 8, aspect: 2.1 }).perPage).toBe(0);
    expect(rowFit(10, 0, 44, 90).perPage).toBe(0);
    expect(pageCount(30, 0)).toBe(1);
    expect(pageOf([1, 2, 3], 0, 0)).toEqual([]);
  });
});
