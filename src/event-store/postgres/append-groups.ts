import { isConnectionError } from '../../sql/connection-errors';
import type { StreamAppend, StreamAppendResult } from '../event-store';

interface Waiting {
  items: readonly StreamAppend[];
  events: number;
  /** Small, and its items share one recordedAt: it may go in one write with other callers' appends. */
  groupable: boolean;
  resolve(results: StreamAppendResult[]): void;
  reject(error: unknown): void;
}

/** Appends arriving while one is written go together in the next write, so they share one head lock and one commit (group commit; see docs/decisions.md, "Appends in groups"). */
export class AppendGroups {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: readonly StreamAppend[]) => Promise<StreamAppendResult[]>,
    private readonly maxEvents: number,
  ) {}

  /** The caller's own results, item for item, as if it had written alone. */
  append(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    const events = items.reduce((n, item) => n + item.events.length, 0);
    const groupable = events <= this.maxEvents && items.every((item) => item.recordedAt === items[0].recordedAt);
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, events, groupable, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) await this.writeGroup(this.nextGroup());
    } finally {
      this.writing = false;
    }
  }

  /** The first waiting call, and the groupable ones after it while the events fit. */
  private nextGroup(): Waiting[] {
    let n = 1;
    let events = this.waiting[0].events;
    if (this.waiting[0].groupable) {
      while (n < this.waiting.length && this.waiting[n].groupable && events + this.waiting[n].events <= this.maxEvents) events += this.waiting[n++].events;
    }
    return this.waiting.splice(0, n);
  }

  private async writeGroup(group: readonly Waiting[]): Promise<void> {
    // Recorded when the last of them asked: the store may move recordedAt forward, never back.
    const recordedAt = group.map((g) => g.items[0].recordedAt).reduce((a, b) => (new Date(b) > new Date(a) ? b : a));
    let results: StreamAppendResult[];
    try {
      results = await this.write(group.length === 1 ? group[0].items : group.flatMap((g) => g.items.map((item) => ({ ...item, recordedAt }))));
    } catch (error) {
      if (isConnectionError(error)) {
        // Those waiting would meet the same database: they fail now, not after another answer timeout each.
        for (const g of [...group, ...this.waiting.splice(0)]) g.reject(error);
      } else if (group.length === 1) {
        group[0].reject(error);
      } else {
        // Refused for something in one caller's events: each alone, so no other caller loses its append.
        for (const g of group) await this.writeGroup([g]);
      }
      return;
    }
    let at = 0;
    for (const g of group) {
      g.resolve(results.slice(at, at + g.items.length));
      at += g.items.length;
    }
  }
}
