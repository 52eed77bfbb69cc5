/**
 * The monthly report as an .xlsx written as a stream (exceljs' WorkbookWriter): four sheets, each
 * committed before the next starts, every row committed as it is written, and the next row read
 * only when the zip has taken the last ones (sheetPace), so memory stays flat whatever the month's
 * number of appeals and however slowly the client reads. Times are China wall-clock times (a
 * spreadsheet has no time zones); rates are fractions shown as percentages; a rate with nothing
 * due is「—」.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Measures, RankedUnit } from '../measures';
import type { OverdueFlag, OverdueStep, ReportRow } from '../appeals';
import { CHANNEL_LABELS, KIND_LABELS, SATISFACTION_LABELS, STATE_LABELS } from '../../common/appeal-labels';

export const SHEET_NAMES = { rates: '三率', rankings: '排名', overdue: '超期', appeals: '诉求明细' } as const;

const RATE_LABELS = { response: '响应率', resolution: '解决率', satisfaction: '满意率', onTime: '按期办结率' } as const;
type RateName = keyof typeof RATE_LABELS;
export const STEP_LABELS: Record<OverdueStep, string> = { accept: '受理', firstContact: '首次联系', resolve: '办结' };
const RANKED_LABELS = { township: '乡镇（街道）', community: '社区（村）', department: '职能部门' } as const;
export type RankedBy = keyof typeof RANKED_LABELS;

const NONE = '—';
const PERCENT = '0.00%';
const DATE_TIME = 'yyyy-mm-dd hh:mm';
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** A China wall-clock time as a spreadsheet date (exceljs writes a Date as its UTC reading). */
export const chinaWall = (d: Date | null | undefined): Date | null => (d ? new Date(d.getTime() + CHINA_OFFSET_MS) : null);

export interface MonthlyReportInput {
  countyName: string;
  /** Whose appeals: 全县, a township, communities, a department. */
  scopeLabel: string;
  month: string;
  previousMonth: string;
  /** The last day counted (China date) when the month is still in progress; null when it has ended. */
  asOf: string | null;
  generatedAt: Date;
  figures: { month: Measures; previous: Measures };
  rateText: Record<RateName, string>;
  rankingText: string;
  rankings: Record<RankedBy, RankedUnit[]>;
  overdue: AsyncIterable<OverdueFlag>;
  appeals: AsyncIterable<ReportRow>;
}

export interface StreamControl {
  /** The client went away: stop reading. */
  stopped(): boolean;
  /** Resolves when the client goes away: a wait for the zip to take more then ends. */
  gone: Promise<void>;
}

/** The writable side of the zip entry a sheet's XML goes into (readable-stream 2's PassThrough). */
interface EntryInput {
  _writableState: { needDrain: boolean };
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Backpressure for a sheet's rows. exceljs 4.4's WorksheetWriter writes its XML into a StreamBuf
 * that never says "full": it hands each 64 kB to the PassThrough archiver reads the entry from
 * (archiver-utils' normalizeInputSource) and ignores that write's answer, so rows written faster
 * than the client reads pile up there, a whole month's file if need be. The zip reads that
 * PassThrough only as fast as the response takes the compressed file (pipes all the way down), so
 * waiting for it to drain paces the database cursor to the client, with at most a few buffers of
 * 16-64 kB in flight. Throws if exceljs' insides have changed (its version is pinned), so an
 * upgrade fails the tests instead of silently holding a file in memory.
 */
function sheetPace(ws: ExcelJS.Worksheet, c: StreamControl): () => Promise<void> {
  const input = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as EntryInput | undefined;
  if (typeof input?._writableState?.needDrain !== 'boolean' || typeof input.once !== 'function') {
    throw new Error('exceljs: no zip entry stream behind the worksheet writer (has its stream writer changed?)');
  }
  return async () => {
    if (input._writableState.needDrain && !c.stopped()) await Promise.race([once(input as unknown as NodeJS.EventEmitter, 'drain'), c.gone]);
  };
}

/** `2026-11` → `2026年11月`. */
export const monthLabel = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;

export function reportTitle(i: Pick<MonthlyReportInput, 'countyName' | 'scopeLabel' | 'month' | 'asOf'>): string {
  return `${i.countyName}诉求办理月报 ${monthLabel(i.month)}（${i.scopeLabel}）${i.asOf ? `，截至${i.asOf}` : ''}`;
}

const rateValue = (r: { value: number | null }) => (r.value === null ? NONE : r.value);
const bold = (row: ExcelJS.Row) => {
  row.font = { bold: true };
};

function regionParts(regionName: string): { township: string; community: string } {
  const parts = regionName.split(' / ');
  return { township: parts[0] ?? '', community: parts[1] ?? parts[0] ?? '' };
}

function ratesSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, i: MonthlyReportInput): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_NAMES.rates);
  ws.columns = [{ width: 26 }, { width: 14 }, { width: 8 }, { width: 8 }, { width: 14 }, { width: 8 }, { width: 8 }, { width: 16 }, { width: 100 }];
  bold(ws.addRow([reportTitle(i)]));
  ws.addRow([`生成时间：${chinaText(i.generatedAt)}；各项数据按事件发生的日期（北京时间）计入，已结束月份的数据不再变化`]);
  ws.addRow([]);
  const m = i.figures.month;
  const p = i.figures.previous;
  bold(ws.addRow(['指标', `本月 ${i.month}`, '分子', '分母', `上月 ${i.previousMonth}`, '分子', '分母', '变化（百分点）', '计算公式']));
  for (const name of Object.keys(RATE_LABELS) as RateName[]) {
    const a = m.rates[name];
    const b = p.rates[name];
    const change = a.value !== null && b.value !== null ? Math.round((a.value - b.value) * 10000) / 100 : NONE;
    const row = ws.addRow([RATE_LABELS[name], rateValue(a), a.numerator, a.denominator, rateValue(b), b.numerator, b.denominator, change, i.rateText[name]]);
    row.getCell(2).numFmt = PERCENT;
    row.getCell(5).numFmt = PERCENT;
  }
  ws.addRow([]);
  bold(ws.addRow(['数量', `本月 ${i.month}`, '', '', `上月 ${i.previousMonth}`, '', '', '变化']));
  const counts: [string, (x: Measures) => number | null][] = [
    ['收到诉求', (x) => x.counts.received],
    ['受理', (x) => x.counts.accepted],
    ['不予受理', (x) => x.counts.rejected],
    ['合并', (x) => x.counts.merged],
    ['督办：受理超期', (x) => x.counts.overdue.accept],
    ['督办：首次联系超期', (x) => x.counts.overdue.firstContact],
    ['督办：办结超期', (x) => x.counts.overdue.resolve],
    ['答复', (x) => x.counts.replied],
    ['办结', (x) => x.counts.closed],
    ['评价', (x) => x.counts.rated.total],
    ['评价：满意', (x) => x.counts.rated.satisfied],
    ['评价：基本满意', (x) => x.counts.rated.basic],
    ['评价：不满意', (x) => x.counts.rated.unsatisfied],
    ['评价：已解决', (x) => x.counts.rated.resolved],
    ['重新办理', (x) => x.counts.reopened],
    ['首次联系用时中位数（小时）', (x) => x.medians.firstContactHours],
    ['答复用时中位数（小时）', (x) => x.medians.replyHours],
    ['派单用时中位数（分钟）', (x) => (x.medians.assignmentSeconds === null ? null : Math.round(x.medians.assignmentSeconds / 6) / 10)],
  ];
  for (const [label, read] of counts) {
    const a = read(m);
    const b = read(p);
    ws.addRow([label, a ?? NONE, '', '', b ?? NONE, '', '', a !== null && b !== null ? Math.round((a - b) * 100) / 100 : NONE]);
  }
  return ws;
}

function rankingsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, i: MonthlyReportInput): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_NAMES.rankings);
  ws.columns = [{ width: 22 }, { width: 22 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 10 }, { width: 12 }, { width: 10 }];
  bold(ws.addRow([`${reportTitle(i)} · 月度排名（全县公开）`]));
  ws.addRow([`计算公式：${i.rankingText}`]);
  for (const by of Object.keys(RANKED_LABELS) as RankedBy[]) {
    ws.addRow([]);
    bold(ws.addRow([`${RANKED_LABELS[by]}排名`]));
    bold(ws.addRow(['类别', '单位', '排名', '综合得分', '上月排名', '上月得分', '得分变化', '名次变化', '响应率', '解决率', '满意率', '按期办结率', '收到诉求']));
    for (const u of i.rankings[by]) {
      const row = ws.addRow([
        RANKED_LABELS[by], u.name, u.rank ?? NONE, u.score ?? NONE, u.previous.rank ?? NONE, u.previous.score ?? NONE, u.change.score ?? NONE, u.change.rank ?? NONE,
        rateValue(u.rates.response), rateValue(u.rates.resolution), rateValue(u.rates.satisfaction), rateValue(u.rates.onTime), u.received,
      ]);
      for (const c of [9, 10, 11, 12]) row.getCell(c).numFmt = PERCENT;
    }
  }
  return ws;
}

const chinaText = (d: Date) => chinaWall(d)!.toISOString().slice(0, 16).replace('T', ' ');

async function overdueSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, i: MonthlyReportInput, c: StreamControl): Promise<number> {
  const ws = wb.addWorksheet(SHEET_NAMES.overdue);
  ws.columns = [{ width: 22 }, { width: 20 }, { width: 14 }, { width: 14 }, { width: 20 }, { width: 10 }, { width: 10 }, { width: 18 }, { width: 18 }];
  const header = ws.addRow(['编号', '类别', '乡镇（街道）', '社区（村）', '承办部门', '当前状态', '超期环节', '应完成时间', '督办时间']);
  bold(header);
  header.commit();
  const paced = sheetPace(ws, c);
  let n = 0;
  for await (const f of i.overdue) {
    if (c.stopped()) return n;
    const where = regionParts(f.regionName);
    const row = ws.addRow([f.number, f.categoryName ?? '', where.township, where.community, f.departmentName ?? '', STATE_LABELS[f.state], STEP_LABELS[f.step], chinaWall(f.dueAt), chinaWall(f.flaggedAt)]);
    row.getCell(8).numFmt = DATE_TIME;
    row.getCell(9).numFmt = DATE_TIME;
    row.commit();
    n++;
    await paced();
  }
  await ws.commit();
  return n;
}

export const APPEAL_COLUMNS = [
  '编号', '渠道', '类型', '类别', '区域', '承办部门', '状态', '提交时间', '受理时间', '派单时间', '首次联系时间', '答复时间', '办结时间', '评价时间', '评价', '是否解决', '重新办理次数', '督办次数', '办结时限', '内容摘要',
] as const;

async function appealsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, i: MonthlyReportInput, c: StreamControl): Promise<number> {
  const ws = wb.addWorksheet(SHEET_NAMES.appeals);
  ws.columns = APPEAL_COLUMNS.map((h) => ({ width: h === '内容摘要' ? 60 : h === '区域' ? 28 : h.endsWith('时间') || h === '办结时限' ? 17 : h === '编号' ? 22 : 12 }));
  const header = ws.addRow([...APPEAL_COLUMNS]);
  bold(header);
  header.commit();
  const paced = sheetPace(ws, c);
  let n = 0;
  for await (const a of i.appeals) {
    if (c.stopped()) return n;
    const row = ws.addRow([
      a.number, CHANNEL_LABELS[a.channel], KIND_LABELS[a.kind], a.categoryName ?? '', a.regionName, a.departmentName ?? '', STATE_LABELS[a.state],
      chinaWall(a.submittedAt), chinaWall(a.acceptedAt), chinaWall(a.assignedAt), chinaWall(a.firstContactAt), chinaWall(a.repliedAt), chinaWall(a.closedAt), chinaWall(a.rating?.at),
      a.rating ? SATISFACTION_LABELS[a.rating.satisfaction] : '', a.rating ? (a.rating.resolved ? '已解决' : '未解决') : '', a.reopened, a.overdueCount, chinaWall(a.resolveBy), a.summary,
    ]);
    for (let col = 8; col <= 14; col++) row.getCell(col).numFmt = DATE_TIME;
    row.getCell(19).numFmt = DATE_TIME;
    row.commit();
    n++;
    await paced();
  }
  await ws.commit();
  return n;
}

/** Writes the whole report into `stream`; resolves when the file is complete (or the client left). */
export async function writeMonthlyReport(stream: Writable, i: MonthlyReportInput, c: StreamControl): Promise<{ overdue: number; appeals: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'Xianrong';
  wb.created = i.generatedAt;
  // One sheet at a time: the zip takes a sheet's rows while it is the one being written.
  await ratesSheet(wb, i).commit();
  await rankingsSheet(wb, i).commit();
  const overdue = await overdueSheet(wb, i, c);
  const appeals = await appealsSheet(wb, i, c);
  if (c.stopped()) return { overdue, appeals };
  await wb.commit();
  return { overdue, appeals };
}
