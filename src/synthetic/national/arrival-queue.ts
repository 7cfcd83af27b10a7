// Offenders by the day their next event arrives, so many offenders' lines come out in arrival order holding only the active ones.

export interface PendingOffender {
  /** Creation order of the offender: breaks ties between offenders on the same day. */
  seq: number;
  /** Arrival days and NDJSON lines of the offender's events not yet emitted, in arrival order. */
  days: number[];
  lines: string[];
  /** Index of the next line to emit. */
  next: number;
}

const before = (a: PendingOffender, b: PendingOffender): boolean => {
  const da = a.days[a.next];
  const db = b.days[b.next];
  return da < db || (da === db && a.seq < b.seq);
};

export class ArrivalQueue {
  private readonly heap: PendingOffender[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(item: PendingOffender): void {
    if (item.next >= item.lines.length) return;
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  /** Day of the earliest pending event, or Infinity when nothing is pending. */
  peekDay(): number {
    const top = this.heap[0];
    return top ? top.days[top.next] : Number.POSITIVE_INFINITY;
  }

  /** Takes the offender with the earliest pending event off the queue. */
  pop(): PendingOffender | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}
