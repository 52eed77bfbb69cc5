// The admins' 导入历史诉求 page: an import's preview (each category name, its rows and the
// catalogue category it maps to, editable), start, progress, refused rows, delete; the upload
// sending the file itself with its type; a large file's preview showing the rows read while the
// server parses it; other staff kept out.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import SuggestImportPage from '../../src/packages/staff/pages/suggest-import/index';
import { uploadImport, XLSX_TYPE, type SuggestImport } from '../../src/api/suggest-import';
import { setSession } from '../../src/store/session';
import type { Me } from '../../src/api/types';
import { deferred, fakeApi, me, session, type FakeResponse } from './helpers/fake-api';

import { pickFile } from '../../src/packages/staff/pages/suggest-import/pick-file';

// The device's file chooser: the test hands the page a file.
jest.mock('../../src/packages/staff/pages/suggest-import/pick-file', () => ({ pickFile: jest.fn() }));

beforeEach(() => resetTaro());

const admin = me({ name: '系统管理员', roles: ['admin'], roleLabels: ['管理员'], isStaff: true });
const dispatcher = me({ name: '赵调度', roles: ['dispatcher'], roleLabels: ['调度员'], isStaff: true });
const signIn = (user: Me) => setSession(session({ user }));

const imp = (o: Partial<SuggestImport> = {}): SuggestImport => ({
  id: 'i1',
  fileName: '2023年诉求.xlsx',
  format: 'xlsx',
  state: 'preview',
  version: 1,
  columns: { text: '诉求内容', category: '诉求分类', date: '受理日期', title: null },
  names: [
    { name: '路灯', rows: 120, categoryId: 'c-lights', categoryName: '路灯不亮', match: 'similar' },
    { name: '城管', rows: 30, categoryId: null, categoryName: null, match: 'none' },
  ],
  rows: 152,
  refused: 2,
  total: 150,
  done: 0,
  read: 152,
  stalled: false,
  createdAt: '2026-12-01T01:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  ...o,
});
const categories = { items: [{ id: 'c-lights', name: '路灯不亮', active: true }, { id: 'c-vending', name: '占道经营', active: true }] };
const refused = { items: [{ row: 7, reason: '内容为空', name: null }, { row: 9, reason: '日期无法识别：去年', name: '路灯' }], total: 2, page: 1, pageSize: 20 };

test('an import opened from the list shows its mapping and refused rows; a name remapped and the import started send the version', async () => {
  // Catches: the mapping edit sent without the version it was made on (a silent overwrite), a
  // refused row shown without its row number or reason, or start sent on a stale version.
  signIn(admin);
  let current = imp();
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /categories': () => ({ status: 200, body: categories }),
    'GET /categories/imports': () => ({ status: 200, body: { items: [current], total: 1, page: 1, pageSize: 50 } }),
    'GET /categories/imports/i1': () => ({ status: 200, body: current }),
    'GET /categories/imports/i1/refused': () => ({ status: 200, body: refused }),
    'PATCH /categories/imports/i1': () => {
      current = imp({ version: 2, names: [current.names[0], { name: '城管', rows: 30, categoryId: 'c-vending', categoryName: '占道经营', match: 'manual' }] });
      return { status: 200, body: current };
    },
    'POST /categories/imports/i1/start': () => {
      current = imp({ version: 3, state: 'running', done: 40 });
      return { status: 200, body: current };
    },
  });
  render(<SuggestImportPage />);
  fireEvent.click(await screen.findByText('2023年诉求.xlsx'));
  expect(await screen.findByText('路灯（120 行）')).toBeTruthy();
  expect(screen.getByText('→ 路灯不亮（名称相近）　点此修改', { normalizer: (t) => t })).toBeTruthy();
  expect(screen.getByText('第 7 行：内容为空')).toBeTruthy();
  expect(screen.getByText('第 9 行：日期无法识别：去年（路灯）')).toBeTruthy();
  const pickers = screen.getAllByLabelText('picker');
  await act(async () => {
    fireEvent.change(pickers[1], { target: { value: '2' } });
  });
  expect(log.find((r) => r.method === 'PATCH')?.data).toEqual({ version: 1, mapping: { 城管: 'c-vending' } });
  expect(await screen.findByText('→ 占道经营（手动选择）　点此修改', { normalizer: (t) => t })).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByText('开始学习'));
  });
  expect(log.find((r) => r.path === '/categories/imports/i1/start')?.data).toEqual({ version: 2 });
  expect(await screen.findByText('已学习 40 / 150 行（27%）')).toBeTruthy();
});

test('a finished import points the admin to 智能直派 (off until they turn it on), where the measured precision is', async () => {
  // Catches: an admin who imported years of history never learning that confident appeals can now
  // go straight to their unit, since direct dispatch by suggestion ships switched off.
  signIn(admin);
  const done = imp({ version: 3, state: 'done', done: 150 });
  fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /categories': () => ({ status: 200, body: categories }),
    'GET /categories/imports': () => ({ status: 200, body: { items: [done], total: 1, page: 1, pageSize: 50 } }),
    'GET /categories/imports/i1': () => ({ status: 200, body: done }),
    'GET /categories/imports/i1/refused': () => ({ status: 200, body: { items: [], total: 0, page: 1, pageSize: 50 } }),
  });
  render(<SuggestImportPage />);
  fireEvent.click(await screen.findByText('2023年诉求.xlsx'));
  expect(await screen.findByText('查看准确率，设置智能直派')).toBeTruthy();
  fireEvent.click(screen.getByText('查看准确率，设置智能直派'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/direct-dispatch/index' });
});

test('the upload sends the file itself with its type and name', async () => {
  // Catches: the file sent as JSON or multipart (the server takes the raw body), or an xlsx sent as csv.
  signIn(admin);
  const log = fakeApi({ 'POST /categories/imports': () => ({ status: 201, body: imp() }) });
  const body = new ArrayBuffer(4);
  const res = await uploadImport(body, '2023年诉求.xlsx');
  expect(res.id).toBe('i1');
  // With the import's id chosen here: the page polls it while the server reads, and a retry is that import.
  expect(log[0].query).toEqual({ name: '2023年诉求.xlsx', id: expect.stringMatching(/^[0-9a-f]{24}$/) });
  expect(log[0].headers['Content-Type']).toBe(XLSX_TYPE);
  expect(log[0].data).toBe(body);
});

test("a large file's upload shows the rows the server has read, then opens the preview", async () => {
  // Catches: a 100k-row upload showing nothing for the tens of seconds its preview takes (the
  // page waiting on the upload's answer alone), or the upload and the poll naming different imports.
  signIn(admin);
  (pickFile as jest.Mock).mockResolvedValue({ name: '十万行.csv', body: new ArrayBuffer(8) });
  const answer = deferred<FakeResponse>();
  let uploadedId = '';
  const handlers: Parameters<typeof fakeApi>[0] = {
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /categories': () => ({ status: 200, body: categories }),
    'GET /categories/imports': () => ({ status: 200, body: { items: [], total: 0, page: 1, pageSize: 50 } }),
    'POST /categories/imports': (req) => {
      uploadedId = req.query.id;
      // The server has the file and is reading it: what the poll of this id answers meanwhile.
      handlers[`GET /categories/imports/${uploadedId}`] = () => ({ status: 200, body: imp({ id: uploadedId, fileName: '十万行.csv', state: 'reading', read: 42000, names: [], rows: 0 }) });
      return answer.promise;
    },
  };
  fakeApi(handlers);
  render(<SuggestImportPage />);
  await act(async () => {
    fireEvent.click(await screen.findByText('从聊天中选择文件'));
  });
  expect(await screen.findByText('正在解析「十万行.csv」，已读取 42000 行…')).toBeTruthy();
  expect(uploadedId).toMatch(/^[0-9a-f]{24}$/);
  // The preview made: the page opens it and the progress goes.
  handlers[`GET /categories/imports/${uploadedId}`] = () => ({ status: 200, body: imp({ id: uploadedId, fileName: '十万行.csv' }) });
  handlers[`GET /categories/imports/${uploadedId}/refused`] = () => ({ status: 200, body: refused });
  await act(async () => {
    answer.resolve({ status: 201, body: imp({ id: uploadedId, fileName: '十万行.csv' }) });
  });
  expect(await screen.findByText('路灯（120 行）')).toBeTruthy();
  expect(screen.queryByText(/已读取 42000 行/)).toBeNull();
});

test('staff who are not admins are kept out', async () => {
  // Catches: the page offering an import to a dispatcher (the server would refuse it with 403).
  signIn(dispatcher);
  fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }) });
  render(<SuggestImportPage />);
  expect(await screen.findByText('只有管理员可以导入历史诉求')).toBeTruthy();
});
