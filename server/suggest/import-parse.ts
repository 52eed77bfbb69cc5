/**
 * Reading an uploaded history file (.csv or .xlsx) row by row: the header row names the columns
 * (text, category name, date; an optional title), every data row is either good (its text and
 * category name) or refused with a reason in Chinese that the admin reads beside its row number.
 *
 * CSV: our own small RFC 4180 reader (quoted fields, doubled quotes, newlines inside quotes,
 * CRLF, a BOM; comma, tab or semicolon as the header line shows), UTF-8 or, when the bytes are
 * not UTF-8, GB18030 (what Excel in Chinese saves). XLSX: exceljs's streaming reader, first sheet.
 * Both yield one row at a time, so memory holds the upload and a row, never all rows as objects.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

export type Cell = string | number | Date | null;
export const MAX_TEXT = 2000;
export const MAX_NAME = 50;

const HEADERS = {
  category: /分类|类别|类型|事项|category/i,
  date: /日期|时间|date|time/i,
  title: /标题|主题|title|subject/i,
  text: /内容|正文|描述|诉求|问题|text|content|description/i,
} as const;
export type Role = keyof typeof HEADERS;
export type Columns = Record<Role, number | null>;

/** The columns the header row names, or the missing required ones. */
export function columnsOf(header: Cell[]): { columns: Columns; labels: string[]; missing: string[] } {
  const columns: Columns = { category: null, date: null, title: null, text: null };
  const labels = header.map((c) => cellText(c));
  labels.forEach((label, i) => {
    for (const role of Object.keys(HEADERS) as Role[]) {
      if (columns[role] === null && HEADERS[role].test(label)) {
        columns[role] = i;
        return;
      }
    }
  });
  const names: Record<Role, string> = { text: '内容', category: '分类', date: '日期', title: '标题' };
  const missing = (['text', 'category', 'date'] as Role[]).filter((r) => columns[r] === null).map((r) => names[r]);
  return { columns, labels, missing };
}

export function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c).trim();
}

/** A date the file may hold: a spreadsheet date, an Excel serial day, 2021-03-04, 2021/3/4, 2021年3月4日, 20210304 (time after it ignored). */
export function dateOf(c: Cell): Date | null {
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? null : c;
  if (typeof c === 'number') {
    // Excel's serial day (1900 system): 25569 is 1970-01-01.
    return c > 20000 && c < 80000 ? new Date(Math.round((c - 25569) * 86400000)) : null;
  }
  const s = cellText(c);
  const m = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))(?:$|[\sT])/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2] ?? m[4]), Number(m[3] ?? m[5])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : null;
}

export interface GoodRow {
  row: number;
  text: string;
  name: string;
}
export interface RefusedRow {
  row: number;
  why: string;
  name?: string;
}

/** Checks one data row: what it teaches, or why it is refused. Null for a row with nothing in it. */
export function checkRow(cells: Cell[], row: number, columns: Columns, now: Date): GoodRow | RefusedRow | null {
  if (cells.every((c) => cellText(c) === '')) return null;
  const at = (i: number | null) => (i === null ? '' : cellText(cells[i] ?? null));
  const body = at(columns.text);
  const title = at(columns.title);
  const name = at(columns.category);
  const rawDate = columns.date === null ? null : (cells[columns.date] ?? null);
  if (!body) return { row, why: '内容为空' };
  const text = title ? `${title}\n${body}` : body;
  if (Array.from(text).length > MAX_TEXT) return { row, why: `内容超过${MAX_TEXT}字` };
  if (!name) return { row, why: '分类名称为空' };
  if (Array.from(name).length > MAX_NAME) return { row, why: `分类名称超过${MAX_NAME}字` };
  if (cellText(rawDate) === '') return { row, why: '日期为空', name };
  const date = dateOf(rawDate);
  if (!date) return { row, why: `日期无法识别：${cellText(rawDate).slice(0, 20)}`, name };
  if (date.getTime() > now.getTime() + 86400000) return { row, why: '日期晚于今天', name };
  return { row, text, name };
}

/** The upload's text: UTF-8 when it is, else GB18030. */
export function decodeCsv(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** The rows of a CSV text, one array of fields at a time. */
export function* csvRows(text: string): Generator<string[]> {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = [',', '\t', ';'].reduce((best, c) => (firstLine.split(c).length > firstLine.split(best).length ? c : best), ',');
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      yield row;
      row = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    yield row;
  }
}

/** A spreadsheet cell as a plain value (rich text, formulas' results and hyperlinks' text). */
function plain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || v instanceof Date) return v;
  if (typeof v === 'boolean') return String(v);
  const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown };
  if (o.richText) return o.richText.map((r) => r.text).join('');
  if ('result' in o) return plain(o.result);
  if ('text' in o) return plain(o.text);
  return null;
}

/** The rows of the first sheet of an .xlsx, streamed, with their sheet row numbers. */
export async function* xlsxRows(buf: Buffer): AsyncGenerator<{ cells: Cell[]; row: number }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const r of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = r.values as unknown[];
      yield { cells: values.slice(1).map(plain), row: r.number };
    }
    // The first sheet only: the rest of the workbook is not read.
    return;
  }
}

/** Every row of the upload with its row number as the admin sees it (the header is row 1). */
export async function* rowsOf(buf: Buffer, format: 'csv' | 'xlsx'): AsyncGenerator<{ cells: Cell[]; row: number }> {
  if (format === 'xlsx') {
    yield* xlsxRows(buf);
    return;
  }
  let n = 0;
  for (const cells of csvRows(decodeCsv(buf))) yield { cells, row: ++n };
}
