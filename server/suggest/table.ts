/**
 * The learned counts in this process's memory, so a suggestion reads no database beyond the
 * read cache's stamp: one table per connection, brought up to date when the learner's stamp
 * changes by reading only the documents of runs it has not seen (`{ s: { $gt: seen } }`).
 * A chunk document (counts.ts) holds the absolute counts of all its buckets, so reading one twice
 * is harmless; `seen` moves to the last committed run only after everything past the old `seen`
 * was read (learner.ts). A fresh process reads every chunk: 896 documents for 7 categories at 100k
 * learned appeals, 14.5 s on the embedded database on a loaded machine (bench/README.md; the 770k
 * per-bucket documents of the same counts took 52 s on a quieter one).
 *
 * Memory (model.ts): a Uint32Array of HASH_BUCKETS per category that has learned anything
 * (512 KB), and one byte per bucket for the vocabulary's size.
 */
import type { Connection } from 'mongoose';
import { suggestModels, type SuggestCategoryDoc, type SuggestCountDoc, type SuggestStateDoc } from './model';
import { bucketOfField } from './counts';
import { HASH_BUCKETS } from './text';
import { LEARNER_ID } from './learner';

export interface CategoryCounts {
  docs: number;
  grams: number;
  counts: Uint32Array | null;
}

export class SuggestTable {
  private seen = 0;
  readonly categories = new Map<string, CategoryCounts>();
  private readonly used = new Uint8Array(HASH_BUCKETS);
  /** Buckets that ever held a learned count (the smoothing's vocabulary size). */
  vocabulary = 0;

  constructor(private readonly conn: Connection) {}

  private entry(categoryId: string): CategoryCounts {
    let c = this.categories.get(categoryId);
    if (!c) this.categories.set(categoryId, (c = { docs: 0, grams: 0, counts: null }));
    return c;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Reads the runs committed since the last refresh; one refresh at a time, so an older read never lands after a newer one. */
  refresh(): Promise<this> {
    const next = this.queue.then(() => this.catchUp(), () => this.catchUp());
    this.queue = next;
    return next;
  }

  private async catchUp(): Promise<this> {
    const { SuggestCount, SuggestCategory, SuggestState } = suggestModels(this.conn);
    const state = await SuggestState.findById(LEARNER_ID).lean<SuggestStateDoc>();
    const committed = state?.committed ?? 0;
    if (committed < this.seen) {
      // The learner's state was reset (the demo seed empties every collection): start over.
      this.categories.clear();
      this.used.fill(0);
      this.vocabulary = 0;
      this.seen = 0;
    }
    const since = { s: { $gt: this.seen } };
    for await (const doc of SuggestCount.find(since, { c: 1, n: 1 }).lean<SuggestCountDoc>().cursor()) {
      const chunk = doc as unknown as SuggestCountDoc;
      const c = this.entry(String(chunk.c));
      const counts = (c.counts ??= new Uint32Array(HASH_BUCKETS));
      for (const [name, value] of Object.entries(chunk.n ?? {})) {
        const b = bucketOfField(name);
        if (b === null) continue;
        const n = Math.max(0, value);
        counts[b] = n;
        if (n > 0 && !this.used[b]) {
          this.used[b] = 1;
          this.vocabulary++;
        }
      }
    }
    for (const d of await SuggestCategory.find(since, { docs: 1, grams: 1 }).lean<SuggestCategoryDoc[]>()) {
      const c = this.entry(String(d._id));
      c.docs = Math.max(0, d.docs);
      c.grams = Math.max(0, d.grams);
    }
    this.seen = committed;
    return this;
  }
}

const tables = new WeakMap<Connection, SuggestTable>();

/** This process's table on the connection (one per app: tests run two on two connections). */
export function suggestTable(conn: Connection): SuggestTable {
  let t = tables.get(conn);
  if (!t) tables.set(conn, (t = new SuggestTable(conn)));
  return t;
}
