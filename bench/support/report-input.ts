/**
 * A monthly report's input with generated appeals and no database (server/reports/workbook.ts's
 * MonthlyReportInput): rows that differ in number, text and dates so the zip cannot squeeze a month
 * into nothing, handed over as a cursor does, a batch at a time. For the writer's bench
 * (bench/report.ts --writer) and its streaming test (tests/server/report-stream.test.ts).
 */
import type { Measures } from '../../server/measures';
import type { OverdueFlag, ReportRow } from '../../server/appeals';
import type { MonthlyReportInput } from '../../server/reports/workbook';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 1);
/** Rows handed over between two yields to the event loop (a cursor's batch). */
const BATCH = 100;

/** The `i`-th generated appeal of November 2026. */
export function generatedRow(i: number): ReportRow {
  const at = new Date(START + ((i * 613) % (30 * DAY)));
  const later = (step: number, mod: number) => new Date(at.getTime() + (i % mod) * step);
  return {
    number: `DX-202611${String(1 + (i % 30)).padStart(2, '0')}-${String(i).padStart(4, '0')}`,
    kind: 'help',
    channel: 'miniprogram',
    state: 'closed',
    categoryName: `类别${i % 17}`,
    regionName: `城关镇 / 社区${i % 7} / 第${i % 11}网格`,
    departmentName: `部门${i % 5}`,
    summary: `第${i}件：${'路灯不亮水压低垃圾未清运噪音扰民'.slice(i % 9)}，编号${(i * 7919) % 100000}`,
    submittedAt: at,
    acceptedAt: later(60_000, 97),
    assignedAt: later(61_000, 89),
    firstContactAt: later(3_600_000, 83),
    repliedAt: later(3_700_000, 79),
    closedAt: later(3_800_000, 73),
    resolveBy: new Date(at.getTime() + 7 * DAY),
    rating: { resolved: i % 3 !== 0, satisfaction: 'satisfied', at: later(3_900_000, 71) },
    reopened: i % 4,
    overdueCount: i % 3,
  };
}

/** November 2026's report of `rows` generated appeals; `pulled()` says how many the writer has read. */
export function generatedReport(rows: number): { input: MonthlyReportInput; pulled: () => number } {
  let pulled = 0;
  const rate = { value: 0.5, numerator: 1, denominator: 2 };
  const measures: Measures = {
    from: '2026-11-01',
    to: '2026-11-30',
    counts: { received: rows, accepted: 0, rejected: 0, merged: 0, overdue: { accept: 0, firstContact: 0, resolve: 0 }, replied: 0, closed: 0, rated: { total: 0, satisfied: 0, basic: 0, unsatisfied: 0, resolved: 0 }, reopened: 0 },
    medians: { firstContactHours: null, replyHours: null, assignmentSeconds: null },
    rates: { response: rate, resolution: rate, satisfaction: rate, onTime: rate },
    days: { rolledUp: 30, live: 0 },
  };
  async function* appeals(): AsyncGenerator<ReportRow> {
    for (let i = 0; i < rows; i++) {
      if (i % BATCH === 0) await new Promise<void>((r) => setImmediate(r));
      pulled++;
      yield generatedRow(i);
    }
  }
  async function* overdue(): AsyncGenerator<OverdueFlag> {}
  const input: MonthlyReportInput = {
    countyName: '东溪县', scopeLabel: '全县', month: '2026-11', previousMonth: '2026-10', asOf: null, generatedAt: new Date(START + 31 * DAY),
    figures: { month: measures, previous: measures }, rateText: { response: '', resolution: '', satisfaction: '', onTime: '' }, rankingText: '',
    rankings: { township: [], community: [], department: [] }, overdue: overdue(), appeals: appeals(),
  };
  return { input, pulled: () => pulled };
}
