/**
 * A rolled-up day's cells as one string, one document per day (`measurepacks`, model.ts).
 *
 * Why one string: the embedded database decodes a document value by value, and a period's first
 * read at 100k appeals was almost all that decoding. A day has about 570 cells there, each with
 * some twenty values: a month of them as separate documents took 14–18 s to read on this
 * machine's database, the same cells as 30 documents of nested values 5 s, and as 30 strings
 * 0.5 s (the string is one value to the database; JSON.parse here is cheap). A day's pack is
 * written once, whole, when the day is rolled up, and never changes (rollup.ts), so nothing is
 * lost by not being able to query inside it: every read wants a whole day.
 *
 * The format names each figure, and leaves out zeros and empty lists: a figure added to formulas.ts
 * later reads as zero from days packed before it, and a day's pack stays small (about 140 KB).
 */
import { COUNT_NAMES, DURATION_NAMES, emptyTally, type CellKey, type Tally } from './formulas';

/** The format's version, first in the pack: a reader refuses a pack it does not know. */
export const PACK_FORMAT = 1;

export interface PackedCell {
  cell: CellKey;
  tally: Tally;
}

/** [regionPath, departmentId, categoryId, channel, non-zero counts, non-empty durations] */
type Row = [string, string | null, string | null, string, Record<string, number>, Record<string, number[]>];

export function packCells(cells: Iterable<PackedCell>): string {
  const rows: Row[] = [];
  for (const { cell, tally } of cells) {
    const counts: Record<string, number> = {};
    for (const n of COUNT_NAMES) if (tally[n]) counts[n] = tally[n];
    const durations: Record<string, number[]> = {};
    for (const n of DURATION_NAMES) if (tally[n].length) durations[n] = tally[n];
    rows.push([cell.regionPath, cell.departmentId, cell.categoryId, cell.channel, counts, durations]);
  }
  return JSON.stringify({ v: PACK_FORMAT, rows });
}

export function unpackCells(pack: string): PackedCell[] {
  const { v, rows } = JSON.parse(pack) as { v: number; rows: Row[] };
  // A pack of a newer format (a newer server wrote it) is not guessed at: the caller computes the
  // day from the timelines instead.
  if (v !== PACK_FORMAT) throw new Error(`measures: a day packed in format ${v}, this server reads ${PACK_FORMAT}`);
  return rows.map(([regionPath, departmentId, categoryId, channel, counts, durations]) => {
    const tally = emptyTally();
    for (const n of COUNT_NAMES) tally[n] = counts[n] ?? 0;
    for (const n of DURATION_NAMES) tally[n] = durations[n] ?? [];
    return { cell: { regionPath, departmentId, categoryId, channel }, tally };
  });
}
