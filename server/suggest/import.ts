/**
 * Imports of past appeals as training history (import-model.ts: the records; import-parse.ts:
 * reading the file; import-job.ts: counting the rows). This file: the upload's preview (columns,
 * each category name with its rows and the catalogue category it maps to, refused rows), the
 * mapping's edits (with the import's version), start, the views and deletion.
 *
 * The preview of a large file takes a while (100k rows: tens of seconds), so the import exists from
 * the start of the parse in state `reading`, its `read` counter moved every PROGRESS_ROWS rows, and
 * the page polls it by the id it chose for the upload. The id makes the upload idempotent: a retry
 * (same admin, same file) gets that import, never a second one; a reader that died mid-file leaves
 * its lease to run out, and the next retry parses again from the start.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context';
import { categoryService, type CategoryDoc } from '../categories';
import { AppError, badRequest, conflict, invalidState, isDuplicateKeyError, notFound } from '../core/errors';
import { staleVersion } from '../core/versions';
import { idOf, newId, Types } from '../db/schema-helpers';
import { suggestImportModels, type ImportName, type MatchKind, type SuggestImportDoc, type SuggestImportRowDoc } from './import-model';
import { checkRow, columnsOf, rowsOf, type Cell } from './import-parse';
import { normalize } from './text';

export const MAX_NAMES = 500;
export const MAX_ROWS = 200_000;
const INSERT_BATCH = 500;
/** The reading import's `read` moves (and its lease is renewed) every this many rows: about a second apart at the preview's speed. */
export const PROGRESS_ROWS = 2000;
/** A reader that renews nothing for this long has died (a crash, a restart): a retry of the upload may take the import over. */
export const READ_LEASE_MS = 2 * 60 * 1000;

export const ImportView = z.object({
  id: z.string(),
  fileName: z.string(),
  format: z.enum(['csv', 'xlsx']),
  /** `reading`: the upload is being parsed (`read` rows so far); then `preview`. */
  state: z.enum(['reading', 'preview', 'running', 'done', 'deleting']),
  version: z.number().int(),
  columns: z.object({ text: z.string(), category: z.string(), date: z.string(), title: z.string().nullable() }),
  names: z.array(z.object({ name: z.string(), rows: z.number().int(), categoryId: z.string().nullable(), categoryName: z.string().nullable(), match: z.enum(['exact', 'keyword', 'similar', 'manual', 'none']) })),
  rows: z.number().int(),
  refused: z.number().int(),
  total: z.number().int(),
  done: z.number().int(),
  /** Rows read so far while `reading` (then all of them). */
  read: z.number().int(),
  /** Reading stopped without finishing (its reader died): upload the file again with the same id, or delete it. */
  stalled: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ImportView = z.input<typeof ImportView>;
export const RefusedRows = z.object({ items: z.array(z.object({ row: z.number().int(), reason: z.string(), name: z.string().nullable() })), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/** The catalogue category a file's category name maps to: its exact name, a code or keyword, or the one name containing it (or contained in it). */
export function matchName(name: string, categories: CategoryDoc[]): { categoryId: Types.ObjectId | null; match: MatchKind } {
  const active = categories.filter((c) => c.active);
  const key = normalize(name);
  const exact = active.find((c) => c.name === name) ?? active.find((c) => normalize(c.name) === key);
  if (exact) return { categoryId: exact._id, match: 'exact' };
  const keyword = active.filter((c) => c.code === name || (c.keywords ?? []).some((k) => normalize(k) === key));
  if (keyword.length === 1) return { categoryId: keyword[0]._id, match: 'keyword' };
  if (key.length >= 2) {
    const similar = active.filter((c) => {
      const n = normalize(c.name);
      return n.length >= 2 && (n.includes(key) || key.includes(n));
    });
    if (similar.length === 1) return { categoryId: similar[0]._id, match: 'similar' };
  }
  return { categoryId: null, match: 'none' };
}

export function suggestImports(ctx: AppContext) {
  const { SuggestImport, SuggestImportRow } = suggestImportModels(ctx.conn);
  const categories = categoryService(ctx);

  async function view(doc: SuggestImportDoc): Promise<ImportView> {
    const names = new Map((await categories.all()).map((c) => [String(c._id), c.name]));
    return {
      id: String(doc._id),
      fileName: doc.fileName,
      format: doc.format,
      state: doc.state,
      version: doc.version,
      columns: doc.columns,
      names: doc.names.map((n) => ({ name: n.name, rows: n.rows, categoryId: idOf(n.categoryId), categoryName: n.categoryId ? (names.get(String(n.categoryId)) ?? null) : null, match: n.match })),
      rows: doc.rows,
      refused: doc.refused,
      total: doc.total,
      done: doc.done,
      read: doc.read ?? doc.rows,
      stalled: stalled(doc),
      createdAt: doc.createdAt.toISOString(),
      startedAt: doc.startedAt?.toISOString() ?? null,
      finishedAt: doc.finishedAt?.toISOString() ?? null,
    };
  }

  /** This reader's import was deleted, or taken over by a retry after this reader stalled. */
  const lostImport = () => conflict('该导入已被删除或由另一次上传读取');

  const stalled = (doc: SuggestImportDoc) => doc.state === 'reading' && doc.leaseUntil.getTime() <= ctx.now().getTime();

  /**
   * The import an upload reads into: a new one in state `reading` under the id given, or (a retry
   * of that upload) the first: `reader` null when another request is reading it or it is read.
   * A different file or admin under an existing id is a 409, never that import passed off as this one.
   */
  async function claim(id: Types.ObjectId, fileName: string, format: 'csv' | 'xlsx', fileHash: string, userId: string): Promise<{ doc: SuggestImportDoc; reader: string | null }> {
    const reader = new Types.ObjectId().toHexString();
    const leaseUntil = new Date(ctx.now().getTime() + READ_LEASE_MS);
    try {
      const doc = await SuggestImport.create({
        _id: id,
        fileName,
        format,
        state: 'reading',
        columns: { text: '', category: '', date: '', title: null },
        names: [],
        read: 0,
        fileHash,
        createdBy: new Types.ObjectId(userId),
        leaseUntil,
        owner: reader,
      } as Partial<SuggestImportDoc>);
      return { doc: doc.toObject() as SuggestImportDoc, reader };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const first = await found(String(id));
    if (String(first.createdBy) !== userId || first.fileHash !== fileHash) throw conflict('这个导入编号已用于另一个文件，请重新选择文件上传');
    if (!stalled(first)) return { doc: first, reader: null };
    // Its reader died: this retry reads the file again, from the start, under a lease of its own.
    const taken = await SuggestImport.findOneAndUpdate(
      { _id: id, state: 'reading', leaseUntil: { $lte: ctx.now() } },
      { $set: { leaseUntil, owner: reader, read: 0 } },
      { returnDocument: 'after' },
    ).lean<SuggestImportDoc>();
    if (!taken) return { doc: await found(String(id)), reader: null };
    await SuggestImportRow.deleteMany({ i: id });
    return { doc: taken, reader };
  }

  async function found(id: string): Promise<SuggestImportDoc> {
    const doc = await SuggestImport.findById(id).lean<SuggestImportDoc>();
    if (!doc) throw notFound('导入');
    return doc;
  }

  /** A conditional write on the version the admin saw, in the state the edit needs; 404, 409 state or 409 stale otherwise. */
  async function edit(id: string, version: number, state: SuggestImportDoc['state'] | null, update: Record<string, unknown>): Promise<SuggestImportDoc> {
    const filter: Record<string, unknown> = { _id: id, version, ...(state ? { state } : { state: { $ne: 'deleting' } }) };
    const doc = await SuggestImport.findOneAndUpdate(filter, { ...update, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<SuggestImportDoc>();
    if (doc) return doc;
    const now = await found(id);
    if (now.version !== version) throw staleVersion(now.version);
    if (now.state === 'reading') throw invalidState('该导入正在读取文件，请等读取完成');
    throw invalidState(now.state === 'deleting' ? '该导入正在删除' : `该导入已${now.state === 'preview' ? '在预览中' : '开始学习'}，不能这样修改`);
  }

  return {
    /**
     * Reads the upload into rows and answers its preview (state `preview`); nothing is learned yet.
     * `opts.id`: the import's id, chosen by the page so it can poll the rows read while this runs,
     * and so a retried upload is this import. `created` false: a retry, answered with the import as
     * it is (still `reading` when another request reads it). `afterProgress`: tests look at the
     * import between two progress writes.
     */
    async create(
      buf: Buffer,
      format: 'csv' | 'xlsx',
      fileName: string,
      userId: string,
      opts: { id?: string; afterProgress?: (read: number) => Promise<void> } = {},
    ): Promise<{ view: ImportView; created: boolean }> {
      const id = opts.id ? new Types.ObjectId(opts.id) : newId();
      const fileHash = createHash('sha256').update(buf).digest('hex');
      const { doc: claimed, reader } = await claim(id, fileName, format, fileHash, userId);
      if (!reader) return { view: await view(claimed), created: false };
      /** The reader's own writes: none once another reader took the import over (ours had stalled). */
      const mine = { _id: id, state: 'reading' as const, owner: reader };
      const catalogue = await categories.all();
      const names = new Map<string, ImportName>();
      let header: { columns: ReturnType<typeof columnsOf>['columns']; labels: string[] } | null = null;
      let batch: SuggestImportRowDoc[] = [];
      let rows = 0;
      let refused = 0;
      const flush = async () => {
        if (batch.length) await SuggestImportRow.insertMany(batch, { ordered: false });
        batch = [];
      };
      try {
        for await (const { cells, row } of rowsOf(buf, format)) {
          if (!header) {
            if (cells.every((c: Cell) => c === null || String(c).trim() === '')) continue;
            const h = columnsOf(cells);
            if (h.missing.length) throw badRequest(`第${row}行应是表头，未找到必需的列：${h.missing.join('、')}（需要 内容、分类、日期 三列，标题可选）`, [{ path: 'body', message: '缺少列' }]);
            header = h;
            continue;
          }
          const checked = checkRow(cells, row, header.columns, ctx.now());
          if (!checked) continue;
          if (++rows > MAX_ROWS) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过${MAX_ROWS}行，请分成几个文件导入`);
          const _id = `${id}|${row}`;
          if ('why' in checked) {
            refused++;
            batch.push({ _id, i: id, r: row, k: 'refused', why: checked.why, ...(checked.name ? { n: checked.name } : {}), l: null });
          } else {
            let entry = names.get(checked.name);
            if (!entry && names.size >= MAX_NAMES) {
              refused++;
              batch.push({ _id, i: id, r: row, k: 'refused', why: `文件中的分类名称超过${MAX_NAMES}种`, n: checked.name, l: null });
            } else {
              if (!entry) names.set(checked.name, (entry = { name: checked.name, rows: 0, ...matchName(checked.name, catalogue) }));
              entry.rows++;
              batch.push({ _id, i: id, r: row, k: 'ok', t: checked.text, n: checked.name, l: null });
            }
          }
          if (batch.length >= INSERT_BATCH) await flush();
          if (rows % PROGRESS_ROWS === 0) {
            const moved = await SuggestImport.updateOne(mine, { $set: { read: rows, leaseUntil: new Date(ctx.now().getTime() + READ_LEASE_MS) } });
            if (moved.matchedCount === 0) throw lostImport();
            await opts.afterProgress?.(rows);
          }
        }
        await flush();
        if (!header) throw badRequest('文件是空的：没有表头和数据行', [{ path: 'body', message: '空文件' }]);
        const label = (i: number | null) => (i === null ? null : header!.labels[i]);
        const previewed = await SuggestImport.findOneAndUpdate(
          mine,
          {
            $set: {
              state: 'preview',
              columns: { text: label(header.columns.text), category: label(header.columns.category), date: label(header.columns.date), title: label(header.columns.title) },
              names: [...names.values()].sort((a, b) => b.rows - a.rows),
              rows,
              read: rows,
              refused,
              total: rows - refused,
              leaseUntil: new Date(0),
              owner: null,
            },
          },
          { returnDocument: 'after' },
        ).lean<SuggestImportDoc>();
        if (!previewed) throw lostImport();
        return { view: await view(previewed), created: true };
      } catch (err) {
        // A refused file leaves nothing: its rows and its import (so the same id may be sent again).
        // Nothing of another reader's, who took over a stalled import: both deletes name this reader.
        const ours = await SuggestImport.deleteOne(mine).catch(() => ({ deletedCount: 0 }));
        if (ours.deletedCount) await SuggestImportRow.deleteMany({ i: id }).catch(() => {});
        else if ((await SuggestImport.countDocuments({ _id: id, state: { $ne: 'deleting' } }).catch(() => 1)) === 0) {
          // Deleted while this (stalled) reader was still writing: rows it wrote after the deletion's
          // sweep would be left to no import. Never learned (l null), so they go now.
          await SuggestImportRow.deleteMany({ i: id, l: null }).catch(() => {});
        }
        if (err instanceof AppError) throw err;
        throw badRequest(`文件无法读取：${format === 'xlsx' ? '不是有效的 .xlsx 文件' : '不是有效的 CSV 文件'}`, [{ path: 'body', message: String((err as Error).message).slice(0, 200) }]);
      }
    },

    async list(page: number, pageSize: number) {
      const [docs, total] = await Promise.all([
        SuggestImport.find().sort({ createdAt: -1 }).skip((page - 1) * pageSize).limit(pageSize).lean<SuggestImportDoc[]>(),
        // Imports are few (an admin's uploads): the estimate is the count.
        SuggestImport.estimatedDocumentCount(),
      ]);
      return { items: await Promise.all(docs.map(view)), total, page, pageSize };
    },

    async get(id: string): Promise<ImportView> {
      return view(await found(id));
    },

    /** The refused rows, in row order, a page at a time. */
    async refusedRows(id: string, page: number, pageSize: number) {
      await found(id);
      const filter = { i: new Types.ObjectId(id), k: 'refused' as const };
      const [rows, total] = await Promise.all([
        SuggestImportRow.find(filter).sort({ r: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean<SuggestImportRowDoc[]>(),
        SuggestImportRow.countDocuments(filter),
      ]);
      return { items: rows.map((r) => ({ row: r.r, reason: r.why!, name: r.n ?? null })), total, page, pageSize };
    },

    /** The mapping edited in preview: each named file category to a catalogue category, or null (its rows skipped). */
    async map(id: string, version: number, mapping: Record<string, string | null>): Promise<ImportView> {
      const doc = await found(id);
      const known = new Set(doc.names.map((n) => n.name));
      const unknown = Object.keys(mapping).filter((k) => !known.has(k));
      if (unknown.length) throw badRequest(`文件中没有这些分类名称：${unknown.slice(0, 5).join('、')}`, unknown.map((k) => ({ path: 'body.mapping', message: k })));
      for (const c of new Set(Object.values(mapping).filter((v): v is string => v !== null))) {
        if (!(await categories.activeById(c))) throw badRequest('分类不存在或已停用', [{ path: 'body.mapping', message: c }]);
      }
      const names = doc.names.map((n) =>
        n.name in mapping ? { ...n, categoryId: mapping[n.name] ? new Types.ObjectId(mapping[n.name]!) : null, match: (mapping[n.name] ? 'manual' : 'none') as MatchKind } : n,
      );
      return view(await edit(id, version, 'preview', { $set: { names } }));
    },

    /** Starts learning (the job picks it up within seconds): the rows whose category name maps to a category. */
    async start(id: string, version: number): Promise<ImportView> {
      const doc = await found(id);
      if (doc.state === 'reading') throw invalidState('该导入正在读取文件，请等读取完成');
      const total = doc.names.filter((n) => n.categoryId).reduce((s, n) => s + n.rows, 0);
      if (total === 0) throw badRequest('没有可学习的行：请先为分类名称选择对应的分类', [{ path: 'body.mapping', message: '没有对应分类' }]);
      return view(await edit(id, version, 'preview', { $set: { state: 'running', total, done: 0, startedAt: ctx.now(), leaseUntil: new Date(0) } }));
    },

    /** Deletes the import: the job takes its counted rows back, then removes it. */
    async remove(id: string): Promise<ImportView> {
      const doc = await found(id);
      if (doc.state === 'deleting') return view(doc);
      // A file still being read is its reader's; one whose reader died is deleted like any other.
      if (doc.state === 'reading' && !stalled(doc)) throw invalidState('该导入正在读取文件，请等读取完成后再删除');
      // The job's lease is left as it is: a batch in progress ends, and the next one unlearns.
      return view(await edit(id, doc.version, null, { $set: { state: 'deleting' } }));
    },
  };
}
