import type { Connection } from 'mongoose';
import { Schema, baseOptions, ownModel, type Types } from '../db/schema-helpers';

/**
 * Imports of past appeals (历史诉求导入): training history only, never appeals.
 *
 * - `suggestimports`: one document per uploaded file: its state (`reading` while the upload is
 *   parsed, with the rows `read` so far and the reader's lease; `preview` → `running` → `done`;
 *   `deleting` until its rows are unlearned, then removed), the columns found, each distinct
 *   category name in the file with its row count and the catalogue category it maps to, counts,
 *   an edit `version`, and the job's lease (`leaseUntil`, `owner`) so one process at a time
 *   works on it and another resumes it after a crash.
 * - `suggestimportrows`: one document per data row of the file, `_id` `<importId>|<row>`: the row
 *   number, its text (title and text together) and category name, or the reason it was refused;
 *   `l` the category the row is counted for now (null: not counted). `l` is the idempotence
 *   record per (import, row): the job sets it before adding the counts, so a retried or resumed
 *   batch never counts a row twice, and deleting the import takes back exactly the rows with `l`.
 *
 * Memory: the upload (at most 20 MB) is held once while it is parsed; rows go to the database
 * in batches of 500 and the job reads them back 500 at a time, so 100k rows never sit in memory
 * as objects. The import document holds at most MAX_NAMES distinct category names.
 */
export type ImportState = 'reading' | 'preview' | 'running' | 'done' | 'deleting';
export type MatchKind = 'exact' | 'keyword' | 'similar' | 'manual' | 'none';

export interface ImportName {
  name: string;
  rows: number;
  categoryId: Types.ObjectId | null;
  match: MatchKind;
}

export interface SuggestImportDoc {
  _id: Types.ObjectId;
  fileName: string;
  format: 'csv' | 'xlsx';
  state: ImportState;
  version: number;
  columns: { text: string; category: string; date: string; title: string | null };
  names: ImportName[];
  /** Data rows in the file, rows refused, rows to learn (mapped when started), rows counted so far. */
  rows: number;
  refused: number;
  total: number;
  done: number;
  /** Rows of the file read so far (the preview's progress while `reading`), and the upload's sha256 (a retry must send the same file). */
  read: number;
  fileHash: string | null;
  createdBy: Types.ObjectId;
  startedAt: Date | null;
  finishedAt: Date | null;
  leaseUntil: Date;
  owner: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SuggestImportRowDoc {
  _id: string;
  i: Types.ObjectId;
  r: number;
  /** A good row (to learn) or a refused one. */
  k: 'ok' | 'refused';
  /** The text learned (title and text), and the category name as the file spells it; absent on refused rows. */
  t?: string;
  n?: string;
  /** Why the row was refused (Chinese, shown to the admin); absent on good rows. */
  why?: string;
  /** The category the row is counted for now, and the features version it was counted with. */
  l: Types.ObjectId | null;
  v?: number;
}

const importSchema = new Schema<SuggestImportDoc>(
  {
    fileName: { type: String, required: true },
    format: { type: String, required: true },
    state: { type: String, required: true },
    version: { type: Number, default: 1 },
    columns: { type: Schema.Types.Mixed, required: true },
    // Plain objects (name, rows, categoryId, match): at most MAX_NAMES of them, written whole.
    names: { type: [Schema.Types.Mixed], default: [] } as never,
    rows: { type: Number, default: 0 },
    refused: { type: Number, default: 0 },
    total: { type: Number, default: 0 },
    done: { type: Number, default: 0 },
    read: { type: Number, default: 0 },
    fileHash: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    leaseUntil: { type: Date, required: true },
    owner: { type: String, default: null },
  },
  { ...baseOptions, collection: 'suggestimports' },
);
// The list, newest first; the job looking for work (running or deleting, lease expired).
importSchema.index({ createdAt: -1 });
importSchema.index({ state: 1, leaseUntil: 1 });

const rowSchema = new Schema<SuggestImportRowDoc>(
  {
    _id: { type: String, required: true },
    i: { type: Schema.Types.ObjectId, required: true },
    r: { type: Number, required: true },
    k: { type: String, required: true },
    t: String,
    n: String,
    why: String,
    l: { type: Schema.Types.ObjectId, default: null },
    v: Number,
  },
  { versionKey: false, autoIndex: false, collection: 'suggestimportrows' },
);
// The job's batches: good rows of an import not counted yet, in row order from where it is; the counted ones (deletion).
rowSchema.index({ i: 1, l: 1, k: 1, r: 1 });
// The refused rows' pages, in row order.
rowSchema.index({ i: 1, k: 1, r: 1 });

/** The import's collections on a connection (this folder only; server/models.ts lists them for index builds). */
export function suggestImportModels(conn: Connection) {
  return {
    SuggestImport: ownModel(conn, 'SuggestImport', importSchema),
    SuggestImportRow: ownModel(conn, 'SuggestImportRow', rowSchema),
  };
}
