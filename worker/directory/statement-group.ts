/**
 * Runs the items asked while a statement is being prepared or is in flight as one statement, in the
 * order asked (group commit). The first item waits one turn of the event loop (setImmediate) for
 * the others of the same moment. An item whose key is already in the group waits for the next one.
 */
import type { SqlParam } from './sql-store';

export interface StatementItem {
  /** Items with the same key never share a statement: they run in the order asked. */
  key: string;
  params: SqlParam[];
  /** What the item asks, when one group's statement does several things (dispatch.ts: settles and claims). */
  kind?: string;
}

interface Waiting<R> {
  item: StatementItem;
  resolve(result: R): void;
  reject(error: unknown): void;
}

const MAX_GROUP = 500;

export class StatementGroup<R> {
  private waiting: Waiting<R>[] = [];
  private busy = false;

  /** `run` answers each item, in order: a result, or an Error for that item alone. */
  constructor(private readonly run: (items: StatementItem[]) => Promise<(R | Error)[]>) {}

  submit(item: StatementItem): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const keys = new Set<string>();
      let size = 0;
      while (size < this.waiting.length && size < MAX_GROUP && !keys.has(this.waiting[size].item.key))
        keys.add(this.waiting[size++].item.key);
      const group = this.waiting.splice(0, size);
      try {
        const results = await this.run(group.map((w) => w.item));
        group.forEach((w, i) => (results[i] instanceof Error ? w.reject(results[i]) : w.resolve(results[i] as R)));
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    this.busy = false;
  }
}
