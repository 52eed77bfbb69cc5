/**
 * The import of past appeals as training history (server/suggest/import*.ts): a .csv and an .xlsx
 * with good and bad rows previewed (columns, category names mapped to the catalogue, refused rows
 * with reasons), the mapping edited with the import's version, learning by the import job (run by
 * hand: the server's background jobs are off), a retried or resumed run counting nothing twice,
 * deletion unlearning, and who may do it; a large file's preview reporting the rows read while it
 * parses, and its upload idempotent and crash-safe under the id the page chose.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Types } from 'mongoose';
import { demoIds, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';
import { suggestImportJob } from '../../server/suggest';
import { PROGRESS_ROWS, READ_LEASE_MS, suggestImports } from '../../server/suggest/import';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let admin: string;
let dispatcher: string;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = async (body: Buffer | string, type: string, token = admin, name = 'history.csv', id?: string) => {
  const res = await fetch(`${s.url}/api/v1/categories/imports?name=${encodeURIComponent(name)}${id ? `&id=${id}` : ''}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const ranked = async (text: string) => {
  const res = await s.api('POST', '/api/v1/categories/suggest', { token: dispatcher, body: { text } });
  if (res.status !== 200) throw new Error(`suggest: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items as { code: string }[];
};
const job = () => suggestImportJob(s.ctx).runOnce();
const get = (id: string) => s.api('GET', `/api/v1/categories/imports/${id}`, { token: admin });

const LONG = '长'.repeat(2001);
const CSV = [
  '诉求内容,诉求分类,受理日期,标题',
  '石牌坊旁边青苔很滑,价格与消费纠纷,2024-03-05,青苔',
  '"桂花巷石牌坊青苔没人清理，""急""",价格与消费纠纷,2024/3/6,',
  '石牌坊青苔又长出来了,价格与消费纠纷,2024年3月7日,',
  '晚上路灯一直不亮,路灯,2023-12-01 08:30,',
  '城管来了又走,城管,2023-12-02,',
  ',价格与消费纠纷,2024-01-01,',
  '日期写错的一行,价格与消费纠纷,去年,',
  '未来的一行,价格与消费纠纷,2099-01-01,',
  `${LONG},价格与消费纠纷,2024-01-01,`,
  '没有分类的一行,,2024-01-01,',
  ',,,',
].join('\r\n');

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  admin = await s.staffToken('admin');
  dispatcher = await s.staffToken('dispatcher');
}, 60_000);
afterAll(() => env?.stop());

describe('import of past appeals', () => {
  let csvId: string;

  it('previews a csv: columns, names mapped (exact, similar, none), refused rows with reasons, nothing learned', async () => {
    // Catches: a header not recognised, quoted fields with doubled quotes misread, a bad row counted
    // instead of refused (or refused without its row number and reason), rows learned at upload.
    const before = await s.models.SuggestCategory.findById(ids.category.prices).lean();
    const res = await upload(CSV, 'text/csv; charset=utf-8');
    expect(res.status).toBe(201);
    const imp = res.body;
    csvId = imp.id;
    expect(imp).toMatchObject({ state: 'preview', format: 'csv', fileName: 'history.csv', rows: 10, refused: 5, total: 5, done: 0 });
    expect(imp.columns).toEqual({ text: '诉求内容', category: '诉求分类', date: '受理日期', title: '标题' });
    const byName = Object.fromEntries(imp.names.map((n: any) => [n.name, n]));
    expect(byName['价格与消费纠纷']).toMatchObject({ rows: 3, categoryId: ids.category.prices, match: 'exact' });
    expect(byName['路灯']).toMatchObject({ rows: 1, categoryId: ids.category['street-lights'], match: 'similar' });
    expect(byName['城管']).toMatchObject({ rows: 1, categoryId: null, match: 'none' });
    const refused = await s.api('GET', `/api/v1/categories/imports/${csvId}/refused?pageSize=3`, { token: admin });
    expect(refused.status).toBe(200);
    expect(refused.body.total).toBe(5);
    expect(refused.body.items).toEqual([
      { row: 7, reason: '内容为空', name: null },
      { row: 8, reason: '日期无法识别：去年', name: '价格与消费纠纷' },
      { row: 9, reason: '日期晚于今天', name: '价格与消费纠纷' },
    ]);
    const page2 = await s.api('GET', `/api/v1/categories/imports/${csvId}/refused?page=2&pageSize=3`, { token: admin });
    expect(page2.body.items.map((r: any) => [r.row, r.reason])).toEqual([
      [10, '内容超过2000字'],
      [11, '分类名称为空'],
    ]);
    expect(await s.models.SuggestCategory.findById(ids.category.prices).lean()).toEqual(before);
  });

  it('previews an xlsx with spreadsheet dates and serial days, and refuses its bad rows', async () => {
    // Catches: the xlsx path not reading date cells (Date objects) or Excel serial days, rich text, or row numbers off by the header.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('历史');
    ws.addRow(['标题', '内容', '分类', '日期']);
    ws.addRow(['', '琉璃瓦风铃叮当响', '噪声扰民', new Date(Date.UTC(2022, 5, 1))]);
    ws.addRow(['风铃', { richText: [{ text: '楼上' }, { text: '琉璃瓦风铃半夜响' }] }, '噪声扰民', 45000]);
    ws.addRow(['', '风铃没日期', '噪声扰民', 'abc']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(buf, XLSX, admin, '噪声.xlsx');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'xlsx', fileName: '噪声.xlsx', rows: 3, refused: 1, total: 2 });
    expect(res.body.names).toEqual([{ name: '噪声扰民', rows: 2, categoryId: ids.category.noise, categoryName: '噪声扰民', match: 'exact' }]);
    const refused = await s.api('GET', `/api/v1/categories/imports/${res.body.id}/refused`, { token: admin });
    expect(refused.body.items).toEqual([{ row: 4, reason: '日期无法识别：abc', name: '噪声扰民' }]);
  });

  it('refuses a file without the required columns, and a type that is not csv or xlsx', async () => {
    // Catches: a file with unknown headers imported as garbage, or any body type accepted.
    const bad = await upload('a,b,c\n1,2,3', 'text/csv');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('未找到必需的列');
    expect((await upload('{}', 'application/json')).status).toBe(415);
  });

  it('reads a csv saved by Excel in Chinese (GB18030), and refuses a file over 20 MB with 413', async () => {
    // Catches: a GBK file read as UTF-8 (every name garbled, nothing maps), or an upload without a size limit.
    // iconv-lite comes with express's body parser: only to write the test's GB18030 bytes.
    const res = await upload(iconv.encode('内容,分类,日期\r\n楼下烧烤油烟大,噪声扰民,2024-05-01\r\n', 'gb18030'), 'text/csv');
    expect(res.status).toBe(201);
    expect(res.body.names).toEqual([expect.objectContaining({ name: '噪声扰民', rows: 1, categoryId: ids.category.noise })]);
    const big = await upload('内容,分类,日期\n' + 'a'.repeat(21 * 1024 * 1024), 'text/csv');
    expect(big.status).toBe(413);
  });

  it('edits the mapping on the version the admin saw; a stale version is a 409', async () => {
    // Catches: a silent overwrite of another admin's mapping, or a name not in the file accepted.
    const cur = (await get(csvId)).body;
    const res = await s.api('PATCH', `/api/v1/categories/imports/${csvId}`, { token: admin, body: { version: cur.version, mapping: { 城管: ids.category['street-vending'], 路灯: null } } });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.names.map((n: any) => [n.name, n]));
    expect(byName['城管']).toMatchObject({ categoryId: ids.category['street-vending'], match: 'manual' });
    expect(byName['路灯']).toMatchObject({ categoryId: null, match: 'none' });
    const stale = await s.api('PATCH', `/api/v1/categories/imports/${csvId}`, { token: admin, body: { version: cur.version, mapping: { 路灯: ids.category['street-lights'] } } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STALE_VERSION');
    const unknown = await s.api('PATCH', `/api/v1/categories/imports/${csvId}`, { token: admin, body: { version: res.body.version, mapping: { 不存在: null } } });
    expect(unknown.status).toBe(400);
    const staleStart = await s.api('POST', `/api/v1/categories/imports/${csvId}/start`, { token: admin, body: { version: cur.version } });
    expect(staleStart.status).toBe(409);
  });

  it('learns the mapped rows when started: a text like the imported ones now ranks their category first', async () => {
    // Catches: imported rows stored but not counted, counted without the stamp (the suggestion keeps
    // its old table), or skipped names (mapped to null) learned anyway.
    const text = '石牌坊底下长满了青苔';
    expect((await ranked(text))[0].code).not.toBe('prices');
    const lightsBefore = await s.models.SuggestCategory.findById(ids.category['street-lights']).lean();
    const cur = (await get(csvId)).body;
    const started = await s.api('POST', `/api/v1/categories/imports/${csvId}/start`, { token: admin, body: { version: cur.version } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'running', total: 4, done: 0 });
    const run = await job();
    expect(run).toMatchObject({ importId: csvId, learned: 4, finished: true });
    expect((await job()).importId).toBeNull();
    expect((await get(csvId)).body).toMatchObject({ state: 'done', total: 4, done: 4 });
    expect((await ranked(text))[0].code).toBe('prices');
    expect(await s.models.SuggestCategory.findById(ids.category['street-lights']).lean()).toEqual(lightsBefore);
    // A started import's mapping is fixed.
    const late = await s.api('PATCH', `/api/v1/categories/imports/${csvId}`, { token: admin, body: { version: (await get(csvId)).body.version, mapping: { 路灯: null } } });
    expect(late.status).toBe(409);
  });

  it('a retried or resumed run counts no row twice', async () => {
    // Catches: a resume after a crash (the import back to running, its lease expired) counting the
    // rows again: the per-row record must make the second run a no-op.
    const before = await s.models.SuggestCategory.findById(ids.category.prices).lean();
    const counts = await s.models.SuggestCount.find({ c: ids.category.prices }).sort({ _id: 1 }).lean();
    await s.models.SuggestImport.updateOne({ _id: csvId }, { $set: { state: 'running', leaseUntil: new Date(0) } });
    expect(await job()).toMatchObject({ importId: csvId, learned: 0, finished: true });
    expect(await job()).toMatchObject({ importId: null, learned: 0 });
    expect(await s.models.SuggestCategory.findById(ids.category.prices).lean()).toMatchObject({ docs: before!.docs, grams: before!.grams });
    expect((await s.models.SuggestCount.find({ c: ids.category.prices }).sort({ _id: 1 }).lean()).map((t) => t.n)).toEqual(counts.map((t) => t.n));
  });

  it('deleting an import unlearns its rows, then removes it', async () => {
    // Catches: a delete that drops the record but leaves its counts in the model (suggestions keep the history).
    const list = await s.api('GET', '/api/v1/categories/imports', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.id)).toContain(csvId);
    const learned = await s.models.SuggestCategory.findById(ids.category.prices).lean();
    const res = await s.api('DELETE', `/api/v1/categories/imports/${csvId}`, { token: admin });
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('deleting');
    expect(await job()).toMatchObject({ importId: csvId, unlearned: 4, finished: true });
    expect((await get(csvId)).status).toBe(404);
    expect(await s.models.SuggestImportRow.countDocuments({ i: csvId })).toBe(0);
    const after = await s.models.SuggestCategory.findById(ids.category.prices).lean();
    expect(after!.docs).toBe(learned!.docs - 3);
    expect((await ranked('石牌坊底下长满了青苔'))[0].code).not.toBe('prices');
  });

  it('only admins import: the upload and every import route are 403 for others', async () => {
    // Catches: a route of the import left open to staff who are not admins (the model is the county's).
    expect((await upload(CSV, 'text/csv', dispatcher)).status).toBe(403);
    const resident = await s.residentToken('demo-resident-02');
    expect((await upload(CSV, 'text/csv', resident)).status).toBe(403);
    expect((await s.api('GET', '/api/v1/categories/imports', { token: dispatcher })).status).toBe(403);
    expect((await s.api('GET', `/api/v1/categories/imports/${csvId}`, { token: dispatcher })).status).toBe(403);
    expect((await s.api('DELETE', `/api/v1/categories/imports/${csvId}`, { token: dispatcher })).status).toBe(403);
    const noToken = await fetch(`${s.url}/api/v1/categories/imports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: CSV });
    expect(noToken.status).toBe(401);
  });
});

describe("a large file's preview", () => {
  const ROWS = 2 * PROGRESS_ROWS + 10;
  const big = ['诉求内容,诉求分类,受理日期', ...Array.from({ length: ROWS }, (_, i) => `第${i}件：小区路灯不亮,路灯不亮,2024-01-${String((i % 28) + 1).padStart(2, '0')}`)].join('\r\n');
  const newImportId = () => new Types.ObjectId().toHexString();
  let adminId: string;
  beforeAll(async () => {
    adminId = await ids.user('admin');
  });

  it('reports the rows read while it parses (state reading), then the preview; nothing can be started or deleted meanwhile', async () => {
    // Catches: a 100k-row upload whose import appears only when the whole file is read (the page
    // shows nothing for tens of seconds), a counter that never moves, or a half-read import started.
    const id = newImportId();
    const seen: unknown[] = [];
    const { view, created } = await suggestImports(s.ctx).create(Buffer.from(big), 'csv', 'big.csv', adminId, {
      id,
      afterProgress: async (read) => {
        const g = await get(id);
        seen.push([read, g.status, g.body.state, g.body.read, g.body.stalled]);
        if (read === PROGRESS_ROWS) {
          expect((await s.api('POST', `/api/v1/categories/imports/${id}/start`, { token: admin, body: { version: g.body.version } })).status).toBe(409);
          expect((await s.api('DELETE', `/api/v1/categories/imports/${id}`, { token: admin })).status).toBe(409);
          const list = await s.api('GET', '/api/v1/categories/imports', { token: admin });
          expect(list.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ state: 'reading', read: PROGRESS_ROWS });
        }
      },
    });
    expect(seen).toEqual([
      [PROGRESS_ROWS, 200, 'reading', PROGRESS_ROWS, false],
      [2 * PROGRESS_ROWS, 200, 'reading', 2 * PROGRESS_ROWS, false],
    ]);
    expect(created).toBe(true);
    expect(view).toMatchObject({ id, state: 'preview', rows: ROWS, read: ROWS, refused: 0, stalled: false, version: 1 });
    expect(await s.models.SuggestImportRow.countDocuments({ i: new Types.ObjectId(id) })).toBe(ROWS);
  });

  it('a retried upload under the same id is the same import: 202 while it is read, 200 once read; another file under it is a 409', async () => {
    // Catches: a retry (the answer lost on a slow network) making a second import whose rows would be learned twice.
    const id = newImportId();
    let during: { status: number; body: any } | null = null;
    const first = await suggestImports(s.ctx).create(Buffer.from(big), 'csv', 'big.csv', adminId, {
      id,
      afterProgress: async (read) => {
        if (read === PROGRESS_ROWS) during = await upload(big, 'text/csv', admin, 'big.csv', id);
      },
    });
    expect(during).toMatchObject({ status: 202, body: { id, state: 'reading', read: PROGRESS_ROWS } });
    expect(first.view.state).toBe('preview');
    const again = await upload(big, 'text/csv', admin, 'big.csv', id);
    expect(again).toMatchObject({ status: 200, body: { id, state: 'preview', rows: ROWS } });
    expect(await s.models.SuggestImport.countDocuments({ _id: id })).toBe(1);
    expect(await s.models.SuggestImportRow.countDocuments({ i: new Types.ObjectId(id) })).toBe(ROWS);
    expect((await upload(CSV, 'text/csv', admin, 'other.csv', id)).status).toBe(409);
    expect((await upload(big, 'text/csv', admin, 'big.csv', 'not-an-id')).status).toBe(400);
    // A new upload of the same file under a new id is the admin's choice: a second import.
    expect((await upload(big.slice(0, 200), 'text/csv', admin, 'small.csv', newImportId())).status).toBe(201);
  });

  it("a reader that died mid-file is shown stalled, and the upload's retry reads the file again, once", async () => {
    // Catches: an import stuck in 读取中 forever after a restart, a retry refused because of it, or
    // the dead reader's rows left beside the new ones (counted twice when learned).
    const id = newImportId();
    let retried: { status: number; body: any } | null = null;
    const dead = suggestImports(s.ctx).create(Buffer.from(big), 'csv', 'big.csv', adminId, {
      id,
      afterProgress: async (read) => {
        if (read !== PROGRESS_ROWS) return;
        // This reader stops renewing its lease (as if its process had died here).
        env.clock.advance(READ_LEASE_MS + 1000);
        expect((await get(id)).body).toMatchObject({ state: 'reading', stalled: true });
        retried = await upload(big, 'text/csv', admin, 'big.csv', id);
      },
    });
    await expect(dead).rejects.toMatchObject({ status: expect.any(Number) });
    expect(retried).toMatchObject({ status: 201, body: { id, state: 'preview', rows: ROWS, read: ROWS, stalled: false } });
    expect((await get(id)).body).toMatchObject({ state: 'preview', rows: ROWS });
    expect(await s.models.SuggestImportRow.countDocuments({ i: new Types.ObjectId(id) })).toBe(ROWS);
  });

  it('a stalled import can be deleted; nothing of it is left, even rows its reader wrote after the delete', async () => {
    // Catches: an import stuck in 读取中 that cannot be removed, or rows of a deleted import left to no import.
    const id = newImportId();
    const reader = suggestImports(s.ctx).create(Buffer.from(big), 'csv', 'big.csv', adminId, {
      id,
      afterProgress: async (read) => {
        if (read !== PROGRESS_ROWS) return;
        env.clock.advance(READ_LEASE_MS + 1000);
        expect((await s.api('DELETE', `/api/v1/categories/imports/${id}`, { token: admin })).status).toBe(202);
        // The job sweeps it while its reader is still at work.
        await job();
      },
    });
    await expect(reader).rejects.toMatchObject({ status: 409 });
    await job();
    expect((await get(id)).status).toBe(404);
    expect(await s.models.SuggestImportRow.countDocuments({ i: new Types.ObjectId(id) })).toBe(0);
  });
});
