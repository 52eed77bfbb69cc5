// 代报 / 热线代录 against the fake API: what the filing body carries, checks, and the draft.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import AppealFilePage from '../../src/packages/staff/pages/appeal-file/index';
import { setSession } from '../../src/store/session';
import type { AppealDetail, Category, Me } from '../../src/api/types';
import { fakeApi, me, region, session, type FakeRequest, type FakeResponse } from './helpers/fake-api';

// The shared component stand-ins have no Textarea yet: a <textarea> with Taro's onInput shape.
jest.mock('@tarojs/components', () => {
  const actual = jest.requireActual('@tarojs/components');
  const React = require('react');
  return {
    ...actual,
    Textarea: ({ className, value, placeholder, onInput }: { className?: string; value?: string; placeholder?: string; onInput?: (e: { detail: { value: string } }) => void }) =>
      React.createElement('textarea', { className, value: value ?? '', placeholder, onChange: (e: { target: { value: string } }) => onInput?.({ detail: { value: e.target.value } }) }),
  };
});

const gridWorker = me({ id: 'u-g', name: '李秀英', roles: ['grid_worker'], roleLabels: ['网格员'], isStaff: true, scopeRegionIds: ['g1'], scopeRegions: [{ id: 'g1', name: '第一网格', level: 'grid', pathNames: ['东溪县', '城关镇', '西城社区', '第一网格'] }] });
const dispatcher = me({ id: 'u-d', name: '赵调度', roles: ['dispatcher'], roleLabels: ['指挥中心调度员'], isStaff: true, scopeRegionIds: ['t1'], scopeRegions: [{ id: 't1', name: '城关镇', level: 'township', pathNames: ['东溪县', '城关镇'] }] });
const resident = me();

const categories: Category[] = [
  { id: 'cat-water', code: 'water', name: '停水、水质问题', group: '公用事业', defaultDepartmentId: 'd-water', deadlines: { acceptHours: 2, firstContactHours: 2, resolveHours: 24 }, sort: 1, active: true },
  { id: 'cat-road', code: 'road', name: '道路破损', group: '交通出行', defaultDepartmentId: 'd-roads', deadlines: { acceptHours: 2, firstContactHours: 24, resolveHours: 168 }, sort: 2, active: true },
];

const ok = (body: unknown): FakeResponse => ({ status: 200, body });
const created = (overrides: Partial<AppealDetail> = {}): FakeResponse => ({ status: 201, body: { id: 'a77', number: 'DX-20261126-0077', state: 'submitted', stateLabel: '待受理', ...overrides } });
const creates = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST' && r.path === '/appeals');

function signIn(user: Me) {
  setSession(session({ user }));
}

beforeEach(() => resetTaro());

const type = (placeholder: string, value: string) => fireEvent.change(screen.getByPlaceholderText(placeholder), { target: { value } });
const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};

async function fillCommon() {
  type('反映人姓名', ' 王大爷 ');
  await click('求助');
  await click('停水、水质问题');
  type('发生了什么、从什么时候开始、影响了谁', '3号楼停水两天，家里有老人');
  type('具体位置（选填），如：东关街12号门口', '3号楼2单元');
}

// Bug caught: a 代报 filed as the grid worker's own appeal (no channel, no reporter), or in no region.
test('a grid worker\'s 代报 carries the channel, the reporter and their grid', async () => {
  signIn(gridWorker);
  const log = fakeApi({ 'GET /me': () => ok(gridWorker), 'GET /categories': () => ok({ items: categories }), 'POST /appeals': () => created() });
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  expect(screen.getByText('已选：城关镇 · 西城社区 · 第一网格')).toBeTruthy();
  expect(screen.getByText(/电话只给办理人员看/)).toBeTruthy();
  await fillCommon();
  type('手机号或座机号', '13900001111');
  await click('提交');
  const [req] = creates(log);
  expect(req?.data).toEqual({
    idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_:.-]{8,80}$/),
    channel: 'grid_worker',
    reporter: { name: '王大爷', phone: '13900001111' },
    kind: 'help',
    categoryId: 'cat-water',
    description: '3号楼停水两天，家里有老人',
    photoIds: [],
    regionId: 'g1',
    place: '3号楼2单元',
    isPublic: true,
  });
  expect(screen.getByText('DX-20261126-0077')).toBeTruthy();
  await click('查看办理');
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/appeal-handle/index?id=a77' });
});

// Bug caught: the grid worker standing at the place cannot pin it (only residents could), or the
// pinned point is dropped from the filing body.
test('a 代报 can carry the point chosen on the map', async () => {
  signIn(gridWorker);
  const log = fakeApi({ 'GET /me': () => ok(gridWorker), 'GET /categories': () => ok({ items: categories }), 'POST /appeals': () => created() });
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  await fillCommon();
  await click('选择位置');
  expect(screen.getByText('幸福路便民超市')).toBeTruthy();
  await click('提交');
  expect(creates(log)[0]?.data.location).toEqual({ lat: 28.901234, lng: 118.871987, name: '幸福路便民超市', address: '东溪县城关镇幸福路12号' });
});

// Bug caught: a hotline entry filed at township level (the server wants a community or grid), or an empty phone sent as ''.
test('a dispatcher\'s 热线代录 drills down to a community; no phone is sent as null', async () => {
  signIn(dispatcher);
  const log = fakeApi({
    'GET /me': () => ok(dispatcher),
    'GET /categories': () => ok({ items: categories }),
    'GET /regions': (req) =>
      ok({
        items: req.query.parentId === 't1' ? [region('m1', '东关社区', 'community', 2, 't1'), region('m2', '西城社区', 'community', 3, 't1')] : [region('g7', '第七网格', 'grid', 0, 'm2')],
        total: 2,
        page: 1,
        pageSize: 100,
      }),
    'POST /appeals': () => created(),
  });
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  expect(screen.getByText('来电人')).toBeTruthy();
  await click('城关镇');
  expect(await screen.findByText('西城社区')).toBeTruthy();
  await fillCommon();
  await click('提交');
  expect(screen.getByText('请选择问题所在的社区/村或网格')).toBeTruthy();
  expect(creates(log)).toHaveLength(0);

  await click('西城社区');
  expect(await screen.findByText('第七网格')).toBeTruthy();
  expect(screen.getByText('已选：西城社区')).toBeTruthy();
  await click('提交');
  expect(creates(log)[0]?.data).toEqual(expect.objectContaining({ channel: 'hotline', reporter: { name: '王大爷', phone: null }, regionId: 'm2' }));
  expect(log.filter((r) => r.path === '/regions').map((r) => r.query.parentId)).toEqual(['t1', 'm2']);
});

// Bug caught: a missing reporter or a malformed phone reaches the server instead of being shown at the field.
test('reporter name is required and a phone must be a phone', async () => {
  signIn(gridWorker);
  const log = fakeApi({ 'GET /me': () => ok(gridWorker), 'GET /categories': () => ok({ items: categories }) });
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  type('手机号或座机号', '12345');
  await click('提交');
  expect(screen.getByText('请填写反映人姓名')).toBeTruthy();
  expect(screen.getByText('请输入11位手机号，或带区号的座机号')).toBeTruthy();
  expect(screen.getByText('请选择诉求类型')).toBeTruthy();
  expect(creates(log)).toHaveLength(0);
});

// Bug caught: a dropped network loses what the grid worker typed, or a resend files a second appeal (new key).
test('a network failure keeps the form and its key; the draft survives leaving the page', async () => {
  signIn(gridWorker);
  let fail = true;
  const log = fakeApi({ 'GET /me': () => ok(gridWorker), 'GET /categories': () => ok({ items: categories }), 'POST /appeals': () => (fail ? 'network-error' : created()) });
  const first = render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  await fillCommon();
  await click('提交');
  expect(screen.getByText('网络不给力，请稍后重试')).toBeTruthy();
  expect((screen.getByPlaceholderText('反映人姓名') as HTMLInputElement).value).toBe(' 王大爷 ');

  // The app is closed and opened again: the draft is back, with the same key.
  first.unmount();
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  expect(screen.getByText('已恢复上次没有提交的内容。')).toBeTruthy();
  expect((screen.getByPlaceholderText('发生了什么、从什么时候开始、影响了谁') as HTMLTextAreaElement).value).toBe('3号楼停水两天，家里有老人');
  fail = false;
  await click('提交');
  const sent = creates(log);
  expect(sent).toHaveLength(2);
  expect(sent[1]?.data.idempotencyKey).toBe(sent[0]?.data.idempotencyKey);
  expect(screen.getByText('DX-20261126-0077')).toBeTruthy();

  // Filed: the next form starts empty with a new key.
  await click('再报一件');
  expect((screen.getByPlaceholderText('反映人姓名') as HTMLInputElement).value).toBe('');
  await fillCommon();
  await click('提交');
  expect(creates(log)[2]?.data.idempotencyKey).not.toBe(sent[0]?.data.idempotencyKey);
});

// Bug caught: a resident who opens the page by a link can file "for someone else".
test('residents cannot file for others', async () => {
  signIn(resident);
  fakeApi({ 'GET /me': () => ok(resident), 'GET /categories': () => ok({ items: categories }) });
  render(<AppealFilePage />);
  await act(async () => undefined);
  expect(screen.getByText('无法代报')).toBeTruthy();
  expect(screen.queryByText('提交')).toBeNull();
});

// Bug caught: a hotline operator made to pick a category for a call they cannot place (the form
// refusing free text the server's suggestion would dispatch), or the outcome hidden: the
// suggestion waiting for a dispatcher, or the unit a sure one went to, not shown after 提交.
test('a 热线代录 may leave the category to the suggestion, and the result says what became of it', async () => {
  signIn(dispatcher);
  let answer = created({ state: 'submitted', stateLabel: '待受理', categoryId: null, categoryName: null, suggestion: { categoryId: 'cat-road', categoryName: '道路破损', score: 0.62 } });
  const log = fakeApi({
    'GET /me': () => ok(dispatcher),
    'GET /categories': () => ok({ items: categories }),
    'GET /regions': () => ok({ items: [region('m2', '西城社区', 'community', 0, 't1')], total: 1, page: 1, pageSize: 100 }),
    'POST /appeals': () => answer,
  });
  render(<AppealFilePage />);
  await screen.findByText('停水、水质问题');
  await click('城关镇');
  await screen.findByText('西城社区');
  await click('西城社区');
  type('反映人姓名', '王大爷');
  await click('求助');
  await click('停水、水质问题');
  // Chosen, then taken back: the category is left to the suggestion.
  await click('不确定，交给智能分类');
  type('发生了什么、从什么时候开始、影响了谁', '东关街路面塌了一个大坑');
  await click('提交');
  expect(creates(log)[0]?.data).toEqual(expect.objectContaining({ channel: 'hotline', categoryId: null, description: '东关街路面塌了一个大坑' }));
  expect(screen.getByText('系统建议分类：道路破损（置信度 62%），等待调度员派单')).toBeTruthy();

  // A sure suggestion: filed with its category and dispatched at once.
  answer = created({ id: 'a78', number: 'DX-20261126-0078', state: 'assigned', stateLabel: '已派单', categoryId: 'cat-road', categoryName: '道路破损', departmentName: '县交通运输局' });
  await click('再录一件');
  await click('城关镇');
  await screen.findByText('西城社区');
  await click('西城社区');
  type('反映人姓名', '李女士');
  await click('求助');
  type('发生了什么、从什么时候开始、影响了谁', '东关街路面塌了一个大坑');
  await click('提交');
  expect(creates(log)[1]?.data).toEqual(expect.objectContaining({ categoryId: null }));
  expect(screen.getByText('问题分类：道路破损，已直派至县交通运输局')).toBeTruthy();
});
