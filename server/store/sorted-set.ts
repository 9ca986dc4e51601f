/**
 * A sorted set for the in-process store: members ordered by (score, member) as Redis orders them, in
 * an array kept sorted, so range reads and counts are binary searches instead of a sort per read.
 */
import type { Scored } from './store.ts';

function before(a: Scored, score: number, member: string): boolean {
  return a.score < score || (a.score === score && a.member < member);
}

export class SortedSet {
  private readonly scores = new Map<string, number>();
  private readonly items: Scored[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item not before (score, member). */
  private seek(score: number, member: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.items[mid] as Scored, score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first item with a score >= min (or > max when `after`). */
  private bound(score: number, after: boolean): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = (this.items[mid] as Scored).score;
      if (s < score || (after && s === score)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The member's score, or undefined when absent. */
  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  add(member: string, score: number): void {
    const cur = this.scores.get(member);
    if (cur === score) return;
    if (cur !== undefined) this.items.splice(this.seek(cur, member), 1);
    this.items.splice(this.seek(score, member), 0, { member, score });
    this.scores.set(member, score);
  }

  delete(member: string): void {
    const cur = this.scores.get(member);
    if (cur === undefined) return;
    this.items.splice(this.seek(cur, member), 1);
    this.scores.delete(member);
  }

  /** Removes members with min <= score <= max. */
  deleteRange(min: number, max: number): void {
    const from = this.bound(min, false);
    const to = this.bound(max, true);
    if (to <= from) return;
    for (const { member } of this.items.splice(from, to - from)) this.scores.delete(member);
  }

  /** Members with min <= score <= max, ascending, at most `limit`. */
  range(min: number, max: number, limit?: number): Scored[] {
    const from = this.bound(min, false);
    const to = this.bound(max, true);
    const end = limit === undefined ? to : Math.min(to, from + Math.max(0, limit));
    return this.items.slice(from, Math.max(from, end)).map(({ member, score }) => ({ member, score }));
  }

  count(min: number, max: number): number {
    return Math.max(0, this.bound(max, true) - this.bound(min, false));
  }
}
