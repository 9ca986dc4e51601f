import { describe, expect, it } from 'vitest';
import { SortedSet } from './sorted-set.ts';

/** What Redis answers, computed naively: every member sorted by (score, member). */
function naive(model: Map<string, number>, min: number, max: number, limit?: number) {
  const all = [...model]
    .map(([member, score]) => ({ member, score }))
    .filter((s) => s.score >= min && s.score <= max)
    .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  return limit === undefined ? all : all.slice(0, limit);
}

describe('SortedSet', () => {
  it('orders by score, then by member, and moves a member whose score changes', () => {
    const z = new SortedSet();
    z.add('b', 2);
    z.add('a', 2);
    z.add('c', 1);
    z.add('c', 3);
    expect(z.range(-Infinity, Infinity)).toEqual([
      { member: 'a', score: 2 },
      { member: 'b', score: 2 },
      { member: 'c', score: 3 },
    ]);
    expect(z.range(2, 2, 1)).toEqual([{ member: 'a', score: 2 }]);
    expect(z.count(2, 3)).toBe(3);
    expect(z.count(4, 1)).toBe(0);
    z.deleteRange(-Infinity, 2);
    expect(z.range(-Infinity, Infinity)).toEqual([{ member: 'c', score: 3 }]);
    z.delete('c');
    z.delete('nobody');
    expect(z.size).toBe(0);
  });

  it('answers ranges and counts like a sorted copy after thousands of random changes', () => {
    let seed = 3;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const z = new SortedSet();
    const model = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const member = `m${rand(300)}`;
      const op = rand(10);
      if (op < 6) {
        const score = rand(50);
        z.add(member, score);
        model.set(member, score);
      } else if (op < 9) {
        z.delete(member);
        model.delete(member);
      } else {
        const [lo, hi] = [rand(50), rand(50)];
        z.deleteRange(lo, hi);
        for (const [m, s] of model) if (s >= lo && s <= hi) model.delete(m);
      }
      if (i % 50 === 0) {
        const [min, max, limit] = [rand(50) - 5, rand(60), rand(3) === 0 ? undefined : rand(20)];
        expect(z.range(min, max, limit)).toEqual(naive(model, min, max, limit));
        expect(z.count(min, max)).toBe(naive(model, min, max).length);
        expect(z.size).toBe(model.size);
      }
    }
  });
});
