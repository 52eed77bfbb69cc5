/**
 * The monthly report (GET /api/v1/reports/monthly.xlsx, server/reports): downloaded as each kind
 * of caller on a fixed clock and read back with exceljs, on a small story with known answers.
 *
 * China time, all with the default deadlines (accept 2 h, first contact 24 h, resolve 7 days):
 *   B4  filed 28 Oct 09:00 in 东城社区, accepted, assigned to 城管局, started 12:00, never answered:
 *       督办 resolve on 4 Nov 10:00 (due 4 Nov 09:00). October's appeal, November's flag.
 *   B1  filed 2 Nov 09:00 in 东城社区 with a phone number in its text, accepted 10:00, assigned
 *       10:30, started 12:00, answered 3 Nov 09:00, rated 10:00 resolved 满意
 *   B2  filed 5 Nov 09:00 in 东城社区, never accepted: 督办 accept on 5 Nov 12:00 (due 11:00)
 *   B3  filed 10 Nov 09:00 in 西城社区, accepted 09:30, assigned to 城管局 09:40, never started:
 *       督办 first contact on 11 Nov 10:00 (due 11 Nov 09:00)
 *   B5  filed 1 Dec 10:00 in 东城社区: December's
 * The report is read on 2 December 12:00.
 */
import ExcelJS from 'exceljs';
import { appealDeadlines } from '../../server/appeals/scheduler';
import { RATE_TEXT, RANKING_TEXT } from '../../server/measures';
import { appealDoc, demoIds, fileAppeal, move, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { describeShape, indexesOf, recordQueryShapes, servingIndex } from '../helpers/query-shapes';
import type { TestServer } from '../helpers/server';

const cn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);
/** How the report writes a China wall-clock time: a spreadsheet date whose UTC reading is that time. */
const wall = (s: string) => new Date(`${s.replace(' ', 'T')}:00Z`);
const PLANTED_PHONE = '13912345678';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let dispatcher: string;
let urban: string;
let dongcheng: string;
let resident: string;
let residentName: string;
const ap: Record<string, { id: string; number: string }> = {};

const at = (when: string) => env.clock.set(cn(when));
async function file(name: string, when: string, region: string, description = `测试诉求 ${name}，路灯不亮`) {
  at(when);
  const a = await fileAppeal(s, resident, { regionId: ids.region[region], categoryId: null, description });
  ap[name] = { id: a.id, number: a.number };
}
async function step(name: string, when: string, action: string, body: Record<string, unknown> = {}) {
  at(when);
  const token = ['start', 'reply'].includes(action) ? urban : ['rate', 'reopen'].includes(action) ? resident : dispatcher;
  await move(s, token, ap[name].id, action, body);
}
async function scan(when: string) {
  at(when);
  await appealDeadlines(s.ctx).run();
}

async function download(token: string, month: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${s.url}/api/v1/reports/monthly.xlsx?month=${month}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}
async function workbook(token: string, month = '2026-11'): Promise<ExcelJS.Workbook> {
  const res = await download(token, month);
  if (res.status !== 200) throw new Error(`report ${month}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  return wb;
}
/** A sheet's rows as arrays of values (column A first). */
function rowsOf(wb: ExcelJS.Workbook, sheet: string): unknown[][] {
  const ws = wb.getWorksheet(sheet);
  if (!ws) throw new Error(`no sheet ${sheet}`);
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}
/** The 诉求明细 rows by number, as header → value. */
function appealRows(wb: ExcelJS.Workbook): Map<string, Record<string, unknown>> {
  const [header, ...rows] = rowsOf(wb, '诉求明细');
  return new Map(rows.map((r) => [String(r[0]), Object.fromEntries((header as string[]).map((h, i) => [h, r[i] ?? null]))]));
}
const numbers = (m: Map<string, unknown>) => [...m.keys()].sort();
const expected = (...names: string[]) => names.map((n) => ap[n].number).sort();

beforeAll(async () => {
  env = await startAppealsServer(testClock('2026-10-27T16:00:00Z'));
  s = env.server;
  // The demo history is filed before the clock's start; this report is of the story only.
  await s.models.Appeal.deleteMany({});
  ids = await demoIds(s);
  dispatcher = await s.staffToken('dispatcher');
  urban = await s.staffToken('dept_urban');
  dongcheng = await s.staffToken('dongcheng');
  resident = await s.residentToken('demo-resident-01');
  const assign = { departmentId: ids.department.urban };

  await file('B4', '2026-10-28 09:00', 'DX-01-01');
  await step('B4', '2026-10-28 09:30', 'accept');
  await step('B4', '2026-10-28 09:40', 'assign', assign);
  await step('B4', '2026-10-28 12:00', 'start');

  // The resident's own name and phone written into the text: the report must show neither.
  residentName = (await s.api('GET', '/api/v1/me', { token: resident })).body.name;
  await file('B1', '2026-11-02 09:00', 'DX-01-01', `我是${residentName}，门口路灯坏了，联系电话${PLANTED_PHONE}，请尽快修`);
  await step('B1', '2026-11-02 10:00', 'accept');
  await step('B1', '2026-11-02 10:30', 'assign', assign);
  await step('B1', '2026-11-02 12:00', 'start');
  await step('B1', '2026-11-03 09:00', 'reply', { answer: '路灯已经修复完毕', photoIds: [] });
  await step('B1', '2026-11-03 10:00', 'rate', { resolved: true, satisfaction: 'satisfied' });
  await scan('2026-11-04 10:00');

  await file('B2', '2026-11-05 09:00', 'DX-01-01');
  await scan('2026-11-05 12:00');

  await file('B3', '2026-11-10 09:00', 'DX-01-02');
  await step('B3', '2026-11-10 09:30', 'accept');
  await step('B3', '2026-11-10 09:40', 'assign', assign);
  await scan('2026-11-11 10:00');

  await file('B5', '2026-12-01 10:00', 'DX-01-01');
  at('2026-12-02 12:00');
  expect((await appealDoc(s, ap.B1.id)).reporterName).toBe(residentName);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('GET /api/v1/reports/monthly.xlsx', () => {
  it('sends an .xlsx attachment named for the month, in ASCII and in Chinese (RFC 5987)', async () => {
    // Catches: a JSON content type or an inline answer (browsers would show bytes), or a filename* that is not percent-encoded UTF-8.
    const res = await download(dispatcher, '2026-11');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toContain('attachment; filename="xianrong-2026-11.xlsx"');
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('东溪县诉求月报-2026-11.xlsx')}`);
    // An .xlsx is a zip.
    expect(res.body.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('holds the four sheets in order', async () => {
    // Catches: a sheet missing or renamed (the county's own templates look for these names).
    const wb = await workbook(dispatcher);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['三率', '排名', '超期', '诉求明细']);
  });

  it('三率: the month\'s rates and counts beside the month before, as the measures give them, with each formula', async () => {
    // Catches: the report counting its own way (or the wrong months) instead of the measures' figures.
    const wb = await workbook(dispatcher);
    const rows = rowsOf(wb, '三率');
    expect(String(rows[0][0])).toBe('东溪县诉求办理月报 2026年11月（全县）');
    const nov = (await s.api('GET', '/api/v1/measures?from=2026-11-01&to=2026-11-30', { token: dispatcher })).body;
    const oct = (await s.api('GET', '/api/v1/measures?from=2026-10-01&to=2026-10-31', { token: dispatcher })).body;
    const labels = { response: '响应率', resolution: '解决率', satisfaction: '满意率', onTime: '按期办结率' } as const;
    for (const [name, label] of Object.entries(labels) as [keyof typeof labels, string][]) {
      const row = rows.find((r) => r[0] === label)!;
      const a = nov.rates[name];
      const b = oct.rates[name];
      expect(row.slice(1, 7)).toEqual([a.value ?? '—', a.numerator, a.denominator, b.value ?? '—', b.numerator, b.denominator]);
      expect(row[8]).toBe(RATE_TEXT[name]);
    }
    // The story's own answers: B1 answered and rated resolved 满意 in November.
    expect(rows.find((r) => r[0] === '满意率')!.slice(1, 4)).toEqual([1, 1, 1]);
    const count = (label: string) => rows.find((r) => r[0] === label)!;
    expect([count('收到诉求')[1], count('收到诉求')[4]]).toEqual([3, 1]);
    expect([count('督办：受理超期')[1], count('督办：首次联系超期')[1], count('督办：办结超期')[1]]).toEqual([1, 1, 1]);
  });

  it('排名: the month\'s rankings of townships, communities and departments as published, with the formula', async () => {
    // Catches: the report ranking differently from the public board, or a dimension left out.
    const wb = await workbook(dongcheng);
    const rows = rowsOf(wb, '排名');
    expect(rows[1][0]).toBe(`计算公式：${RANKING_TEXT}`);
    const labels = { township: '乡镇（街道）', community: '社区（村）', department: '职能部门' } as const;
    for (const [by, label] of Object.entries(labels)) {
      const published = (await s.api('GET', `/api/v1/measures/rankings?month=2026-11&by=${by}`, { token: dispatcher })).body;
      const mine = rows.filter((r) => r[0] === label);
      expect(mine.map((r) => [r[1], r[2], r[3], r[6], r[7]])).toEqual(
        published.items.map((u: any) => [u.name, u.rank ?? '—', u.score ?? '—', u.change.score ?? '—', u.change.rank ?? '—']),
      );
      expect(mine.length).toBeGreaterThan(0);
    }
  });

  it('超期: the 督办 flags raised in the month in scope, with the deadline each was for', async () => {
    // Catches: a flag of November on an October appeal left out, the wrong deadline named, or another community's flags shown.
    const flags = (wb: ExcelJS.Workbook) =>
      rowsOf(wb, '超期')
        .slice(1)
        .map((r) => [r[0], r[3], r[6], r[7]])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const county = flags(await workbook(dispatcher));
    expect(county).toEqual(
      [
        [ap.B4.number, '东城社区', '办结', wall('2026-11-04 09:00')],
        [ap.B2.number, '东城社区', '受理', wall('2026-11-05 11:00')],
        [ap.B3.number, '西城社区', '首次联系', wall('2026-11-11 09:00')],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(flags(await workbook(dongcheng)).map((r) => r[0]).sort()).toEqual(expected('B2', 'B4'));
  });

  it('诉求明细: exactly the month\'s appeals in the caller\'s scope, one row each with its timeline', async () => {
    // Catches: appeals of other months (B4 in October, B5 in December) or of other scopes in the
    // list: a community's staff must get their community only, a department its assignments.
    const county = appealRows(await workbook(dispatcher));
    expect(numbers(county)).toEqual(expected('B1', 'B2', 'B3'));
    expect(numbers(appealRows(await workbook(dongcheng)))).toEqual(expected('B1', 'B2'));
    expect(numbers(appealRows(await workbook(urban)))).toEqual(expected('B1', 'B3'));
    const b1 = county.get(ap.B1.number)!;
    expect(b1).toMatchObject({
      渠道: '小程序',
      区域: expect.stringContaining('东城社区'),
      承办部门: '县城市管理局',
      状态: '已办结',
      提交时间: wall('2026-11-02 09:00'),
      受理时间: wall('2026-11-02 10:00'),
      派单时间: wall('2026-11-02 10:30'),
      首次联系时间: wall('2026-11-02 12:00'),
      答复时间: wall('2026-11-03 09:00'),
      办结时间: wall('2026-11-03 10:00'),
      评价时间: wall('2026-11-03 10:00'),
      评价: '满意',
      是否解决: '已解决',
      重新办理次数: 0,
    });
    expect(county.get(ap.B2.number)).toMatchObject({ 状态: '待受理', 督办次数: 1, 受理时间: null });
  });

  it('names nobody: no phone number and no reporter name anywhere in the workbook', async () => {
    // Catches: the description (with the reporter's name and phone in it) or the reporter copied into a file that is passed around an office.
    const wb = await workbook(dispatcher);
    const text: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => text.push(String(c.value instanceof Date ? '' : c.value)))));
    const all = text.join('\n');
    expect(all).toContain('门口路灯坏了');
    expect(all).not.toContain(PLANTED_PHONE);
    expect(all).not.toMatch(/1[3-9]\d{9}/);
    expect(residentName.length).toBeGreaterThan(1);
    expect(all).not.toContain(residentName);
  });

  it('marks a month in progress 截至 today and refuses a month that has not started, naming the field', async () => {
    // Catches: a report of the current month passed off as a whole month, or an empty report of a future one.
    const dec = await workbook(dispatcher, '2026-12');
    expect(String(rowsOf(dec, '三率')[0][0])).toBe('东溪县诉求办理月报 2026年12月（全县），截至2026-12-02');
    expect(numbers(appealRows(dec))).toEqual(expected('B5'));
    const future = await s.api('GET', '/api/v1/reports/monthly.xlsx?month=2027-01', { token: dispatcher });
    expect(future.status).toBe(400);
    expect(future.body.error.message).toContain('month');
    expect(future.body.error.details[0].path).toBe('query.month');
    const bad = await s.api('GET', '/api/v1/reports/monthly.xlsx?month=2026-13', { token: dispatcher });
    expect(bad.status).toBe(400);
  });

  it('is for staff: a resident gets 403, an unknown query key 400', async () => {
    // Catches: the route open to any signed-in user, or a loose query schema.
    expect((await download(resident, '2026-11')).status).toBe(403);
    expect((await s.api('GET', '/api/v1/reports/monthly.xlsx?month=2026-11&scope=all', { token: dispatcher })).status).toBe(400);
  });

  it('is in the OpenAPI document as a spreadsheet with an operationId', async () => {
    // Catches: the download missing from the document, or described as a JSON body or 204.
    const doc = (await s.api('GET', '/api/docs')).body;
    const op = doc.paths['/api/v1/reports/monthly.xlsx'].get;
    expect(op.operationId).toBe('getReportsMonthlyXlsx');
    expect(Object.keys(op.responses['200'].content)).toEqual([XLSX]);
  });

  it('reads the appeals on declared indexes, for every kind of scope', async () => {
    // Catches: a report query a county's MongoDB would answer by reading every appeal.
    const recorder = recordQueryShapes(s.ctx.conn);
    for (const token of [dispatcher, dongcheng, urban, await s.staffToken('dongcheng_grid1')]) await workbook(token);
    recorder.stop();
    const declared = indexesOf(s.models as never).get('appeals')!;
    const mine = recorder.shapes().filter(({ shape }) => shape.collection === 'appeals');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter(({ shape }) => !servingIndex(declared.indexes, shape, declared.flags)).map(({ shape }) => describeShape(shape))).toEqual([]);
  });
});
