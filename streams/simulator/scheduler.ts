/** The simulation's agenda: actions ordered by time, ties broken by scheduling order. */

interface Entry {
  at: number;
  seq: number;
  action: () => void;
}

/** A min-heap of timed actions. */
export interface Agenda {
  push(at: number, action: () => void): void;
  /** Time of the earliest action, if any. */
  peek(): number | undefined;
  pop(): { at: number; action: () => void } | undefined;
  readonly size: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** An empty agenda. */
export function createAgenda(): Agenda {
  const heap: Entry[] = [];
  let seq = 0;

  function swap(i: number, j: number): void {
    const a = heap[i] as Entry;
    heap[i] = heap[j] as Entry;
    heap[j] = a;
  }

  return {
    push(at, action) {
      heap.push({ at, seq: seq++, action });
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
        swap(i, parent);
        i = parent;
      }
    },
    peek: () => heap[0]?.at,
    pop() {
      const top = heap[0];
      if (top === undefined) return undefined;
      const last = heap.pop() as Entry;
      if (heap.length > 0) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && before(heap[l] as Entry, heap[m] as Entry)) m = l;
          if (r < heap.length && before(heap[r] as Entry, heap[m] as Entry)) m = r;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return { at: top.at, action: top.action };
    },
    get size() {
      return heap.length;
    },
  };
}
