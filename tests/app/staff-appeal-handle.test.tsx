// The staff handle page (办理诉求) against the fake API: buttons, forms, and what a 409 does.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import AppealHandlePage from '../../src/packages/staff/pages/appeal-handle/index';
import { setSession } from '../../src/store/session';
import type { AppealDetail, Category, Department } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest } from './helpers/fake-api';

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

const dispatcher = me({ id: 'u-d', name: '赵调度', roles: ['dispatcher'], roleLabels: ['指挥中心调度员'], isStaff: true });

function detail(overrides: Partial<AppealDetail> = {}): AppealDetail {
  return {
    id: 'a1',
    number: 'DX-20261126-0042',
    kind: 'help',
    kindLabel: '求助',
    state: 'submitted',
    stateLabel: '待受理',
    channel: 'miniprogram',
    channelLabel: '小程序',
    categoryId: 'cat-water',
    categoryName: '停水、水质问题',
    regionId: 'm2',
    regionName: '城关镇 / 西城社区',
    departmentId: null,
    departmentName: null,
    excerpt: '小区停水两天了',
    thumbUrl: null,
    reporterName: '李四',
    isPublic: true,
    submittedAt: '2026-11-26T02:00:00.000Z',
    dueAt: '2026-11-26T04:00:00.000Z',
    overdue: false,
    directDispatch: false,
    followersCount: 0,
    description: '小区停水两天了，老人做饭都困难',
    place: '西城社区3号楼',
    location: null,
    photos: [],
    reporter: { name: '李四', phone: '13800138000', masked: false },
    isAnonymous: false,
    deadlines: { acceptBy: '2026-11-26T04:00:00.000Z', firstContactBy: '2026-11-27T02:00:00.000Z', resolveBy: '2026-11-27T02:00:00.000Z' },
    answer: null,
    rating: null,
    duplicateOf: null,
    timeline: [{ at: '2026-11-26T02:00:00.000Z', action: 'submit', actionLabel: '提交', from: null, to: 'submitted', byName: '李四', byRole: 'resident', note: null }],
    dispatchSeconds: null,
    mine: false,
    allowedActions: ['accept', 'reject', 'merge'],
    version: 3,
    boardRemoved: null,
    ...overrides,
  };
}

const departments: Department[] = [
  { id: 'd-water', name: '县水务局', code: 'water', phone: null, sort: 1, active: true },
  { id: 'd-roads', name: '县交通运输局', code: 'roads', phone: null, sort: 2, active: true },
  { id: 'd-old', name: '已撤销的局', code: 'old', phone: null, sort: 3, active: false },
];
const categories: Category[] = [
  { id: 'cat-water', code: 'water', name: '停水、水质问题', group: '水电气暖', defaultDepartmentId: 'd-water', deadlines: { acceptHours: 2, firstContactHours: 2, resolveHours: 24 }, sort: 1, active: true },
];

const ok = (body: unknown) => ({ status: 200, body });
const lists = { 'GET /departments': () => ok({ items: departments }), 'GET /categories': () => ok({ items: categories }) };
// The moves sent; the category suggestion is a read sent as a POST (its text does not belong in a URL).
const posts = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST' && r.path !== '/categories/suggest');
const gets = (log: FakeRequest[], path: string) => log.filter((r) => r.method === 'GET' && r.path === path);

beforeEach(() => {
  resetTaro();
  (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: 'a1' }, path: '' } });
  setSession(session({ user: dispatcher }));
});

async function renderPage() {
  render(<AppealHandlePage />);
  await screen.findByText('DX-20261126-0042');
}

const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};

describe('buttons follow allowedActions', () => {
  // Bug caught: offering moves the server will refuse (or hiding ones it allows) for a role.
  test('a dispatcher on a new appeal: 受理, 不予受理, 合并 and nothing else', async () => {
    fakeApi({ 'GET /appeals/a1': () => ok(detail({ allowedActions: ['accept', 'reject', 'merge', 'follow'] })) });
    await renderPage();
    const labels = Array.from(document.querySelectorAll('.appeal-handle__button')).map((b) => b.textContent);
    expect(labels).toEqual(['受理', '合并', '不予受理']);
  });

  // Bug caught: department staff shown dispatcher buttons (派单) or none at all for an assigned appeal.
  test('department staff on an assigned appeal: 开始办理 and 退回', async () => {
    fakeApi({ 'GET /appeals/a1': () => ok(detail({ state: 'assigned', stateLabel: '已派单', departmentName: '县水务局', allowedActions: ['start', 'return'] })) });
    await renderPage();
    const labels = Array.from(document.querySelectorAll('.appeal-handle__button')).map((b) => b.textContent);
    expect(labels).toEqual(['开始办理', '退回']);
    expect(screen.queryByText('派单')).toBeNull();
  });

  // Bug caught: a viewer with no moves sees an empty card without a word, or stale buttons.
  test('no moves: says so', async () => {
    fakeApi({ 'GET /appeals/a1': () => ok(detail({ allowedActions: [] })) });
    await renderPage();
    expect(screen.getByText('当前没有需要您办理的操作')).toBeTruthy();
    expect(document.querySelectorAll('.appeal-handle__button')).toHaveLength(0);
  });
});

// Bug caught: a handler cannot reach the reporter, or the phone is dialled wrong.
test('the reporter is shown with a call button', async () => {
  fakeApi({ 'GET /appeals/a1': () => ok(detail()) });
  await renderPage();
  expect(screen.getByText('13800138000')).toBeTruthy();
  await click('拨打电话');
  expect(Taro.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13800138000' });
});

// Bug caught: an Open311 reporter's e-mail (their only contact, given by the outside system) not
// shown to the handler, or the page telling them no contact was left.
test('an e-mail the reporter left is shown to the handler, without a call button when there is no phone', async () => {
  fakeApi({ 'GET /appeals/a1': () => ok(detail({ channel: 'open311', channelLabel: 'Open311', reporter: { name: '欧阳小明', phone: null, email: 'ouyang.xm@example.com', masked: false } })) });
  await renderPage();
  expect(screen.getByText('邮箱 ouyang.xm@example.com')).toBeTruthy();
  expect(screen.getByText('联系方式仅供办理使用，请勿外传')).toBeTruthy();
  expect(screen.queryByText('拨打电话')).toBeNull();
});

// Bug caught: 派单 sends the catalogue's default unit (or nothing) instead of the one the dispatcher chose.
test('assign sends the chosen department and shows the new state', async () => {
  const log = fakeApi({
    ...lists,
    'GET /appeals/a1': () => ok(detail({ state: 'accepted', stateLabel: '已受理', allowedActions: ['assign', 'merge'] })),
    'POST /appeals/a1/assign': (req) => ok(detail({ state: 'assigned', stateLabel: '已派单', departmentId: req.data.departmentId, departmentName: '县交通运输局', allowedActions: ['transfer'] })),
  });
  await renderPage();
  await click('派单');
  // The category's default unit is preselected; retired departments are not offered.
  expect(screen.getByText('县水务局 ▾')).toBeTruthy();
  const options = Array.from(document.querySelectorAll('select[aria-label="picker"] option')).map((o) => o.textContent);
  expect(options).toEqual(['县水务局', '县交通运输局']);
  fireEvent.change(screen.getByLabelText('picker'), { target: { value: '1' } });
  expect(screen.getByText('县交通运输局 ▾')).toBeTruthy();
  await click('确认派单');
  expect(posts(log).map((r) => [r.path, r.data])).toEqual([['/appeals/a1/assign', { departmentId: 'd-roads' }]]);
  expect(screen.getByText('已派单，当前状态：已派单')).toBeTruthy();
  expect(document.querySelector('.appeal-state')?.textContent).toBe('已派单');
  expect(Array.from(document.querySelectorAll('.appeal-handle__button')).map((b) => b.textContent)).toEqual(['改派']);
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已派单' }));
});

// Bug caught: two dispatchers press 受理 at once; the loser sees a stale page and presses again.
test('409 on accept shows the server message and reloads the appeal', async () => {
  let reads = 0;
  const log = fakeApi({
    ...lists,
    'GET /appeals/a1': () => {
      reads++;
      return reads === 1 ? ok(detail()) : ok(detail({ state: 'accepted', stateLabel: '已受理', allowedActions: ['assign'] }));
    },
    'POST /appeals/a1/accept': () => apiError(409, 'INVALID_STATE', '诉求当前状态为「已受理」，不能受理'),
  });
  await renderPage();
  await click('受理');
  await click('确认受理');
  expect(posts(log)[0]?.data).toEqual({});
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '诉求当前状态为「已受理」，不能受理' }));
  expect(gets(log, '/appeals/a1')).toHaveLength(2);
  expect(document.querySelector('.appeal-state')?.textContent).toBe('已受理');
  expect(Array.from(document.querySelectorAll('.appeal-handle__button')).map((b) => b.textContent)).toEqual(['派单']);
});

// Bug caught: an empty or too short answer goes to the server (or to the resident).
test('reply requires an answer of at least 5 characters', async () => {
  const log = fakeApi({
    'GET /appeals/a1': () => ok(detail({ state: 'in_progress', stateLabel: '办理中', allowedActions: ['reply', 'transfer'] })),
    'POST /appeals/a1/reply': (req) => ok(detail({ state: 'replied', stateLabel: '已答复', answer: { text: req.data.answer, photos: [], at: '2026-11-26T08:00:00.000Z', departmentName: '县水务局' }, allowedActions: [] })),
  });
  await renderPage();
  await click('答复');
  await click('提交答复');
  expect(screen.getByText('请填写答复内容（至少5个字）')).toBeTruthy();
  const answer = document.querySelector('textarea')!;
  fireEvent.change(answer, { target: { value: '  已修复 ' } });
  await click('提交答复');
  expect(screen.getByText('请填写答复内容（至少5个字）')).toBeTruthy();
  expect(posts(log)).toHaveLength(0);

  fireEvent.change(answer, { target: { value: '管道已抢修完毕，今晚恢复供水' } });
  await click('提交答复');
  expect(posts(log).map((r) => r.data)).toEqual([{ answer: '管道已抢修完毕，今晚恢复供水', photoIds: [] }]);
  expect(screen.getByText('管道已抢修完毕，今晚恢复供水')).toBeTruthy();
});

// Bug caught: 不予受理 without a reason reaches the server; a network failure throws away what was typed.
test('reject needs a reason and keeps it when the network fails', async () => {
  let fail = true;
  const log = fakeApi({
    'GET /appeals/a1': () => ok(detail()),
    'POST /appeals/a1/reject': (req) => (fail ? 'network-error' : ok(detail({ state: 'rejected', stateLabel: '不予受理', allowedActions: [], timeline: [...detail().timeline, { at: '2026-11-26T03:00:00.000Z', action: 'reject', actionLabel: '不予受理', from: 'submitted', to: 'rejected', byName: '赵调度', byRole: 'dispatcher', note: req.data.reason }] }))),
  });
  await renderPage();
  await click('不予受理');
  await click('确认不予受理');
  expect(screen.getByText('请填写不予受理原因（至少2个字）')).toBeTruthy();
  fireEvent.change(document.querySelector('textarea')!, { target: { value: '属于司法程序，请通过法院解决' } });
  await click('确认不予受理');
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后重试' }));
  expect((document.querySelector('textarea') as HTMLTextAreaElement).value).toBe('属于司法程序，请通过法院解决');
  fail = false;
  await click('确认不予受理');
  expect(posts(log).map((r) => r.data)).toEqual([{ reason: '属于司法程序，请通过法院解决' }, { reason: '属于司法程序，请通过法院解决' }]);
  expect(screen.getByText('属于司法程序，请通过法院解决')).toBeTruthy(); // the timeline note
  expect(document.querySelector('textarea')).toBeNull();
});

// Bug caught: similar appeals searched only in the reporter's grid (not the whole community), or merging
// by a pasted number fails when the target is not among the similar appeals.
test('merge finds the target by its number', async () => {
  const other = { ...detail({ id: 'a0', number: 'DX-20261125-0007', excerpt: '西城社区停水', state: 'accepted', stateLabel: '已受理' }) };
  const log = fakeApi({
    'GET /appeals/a1': () => ok(detail({ regionId: 'g1', regionName: '城关镇 / 西城社区 / 第一网格' })),
    'GET /regions/g1': () => ok({ id: 'g1', name: '第一网格', code: 'DX-01-02-01', level: 'grid', parentId: 'm2', path: '/c/t1/m2/g1/', pathNames: ['东溪县', '城关镇', '西城社区', '第一网格'], childCount: 0 }),
    'GET /appeals': (req) => (req.query.categoryId ? ok({ items: [], nextCursor: null }) : ok({ items: [other], nextCursor: null })),
    'POST /appeals/a1/merge': () => ok(detail({ state: 'merged', stateLabel: '已合并', duplicateOf: { id: 'a0', number: 'DX-20261125-0007' }, allowedActions: [] })),
  });
  await renderPage();
  await click('合并');
  expect(await screen.findByText('没有可合并的相似诉求')).toBeTruthy();
  expect(gets(log, '/appeals')[0]?.query).toEqual(expect.objectContaining({ view: 'inbox', categoryId: 'cat-water', regionId: 'm2' }));
  await click('确认合并');
  expect(screen.getByText('请选择要合并到的诉求')).toBeTruthy();
  fireEvent.change(screen.getByPlaceholderText('如 DX-20261126-0042'), { target: { value: ' dx-20261125-0007 ' } });
  await click('查找');
  expect(screen.getByText('已选：DX-20261125-0007')).toBeTruthy();
  await click('确认合并');
  expect(posts(log).map((r) => r.data)).toEqual([{ intoId: 'a0' }]);
  expect(screen.getByText('DX-20261125-0007 ›')).toBeTruthy();
});

// Bug caught: 改派 back to the unit that has it, or without the reason the server requires.
test('transfer offers the other units only and needs a reason', async () => {
  const log = fakeApi({
    ...lists,
    'GET /appeals/a1': () => ok(detail({ state: 'in_progress', stateLabel: '办理中', departmentId: 'd-water', departmentName: '县水务局', allowedActions: ['transfer'] })),
    'POST /appeals/a1/transfer': () => ok(detail({ state: 'assigned', stateLabel: '已派单', departmentId: 'd-roads', departmentName: '县交通运输局', allowedActions: ['transfer'] })),
  });
  await renderPage();
  await click('改派');
  expect(Array.from(document.querySelectorAll('select[aria-label="picker"] option')).map((o) => o.textContent)).toEqual(['县交通运输局']);
  await click('确认改派');
  expect(screen.getByText('请填写改派原因（至少2个字）')).toBeTruthy();
  fireEvent.change(document.querySelector('textarea')!, { target: { value: '路面塌陷属交通部门' } });
  await click('确认改派');
  expect(screen.getByText('请选择承办部门')).toBeTruthy();
  fireEvent.change(screen.getByLabelText('picker'), { target: { value: '0' } });
  await click('确认改派');
  expect(posts(log).map((r) => [r.path, r.data])).toEqual([['/appeals/a1/transfer', { departmentId: 'd-roads', reason: '路面塌陷属交通部门' }]]);
});

// Bug caught: 复核 of a direct dispatch posted as a move (there is no /review move in the table) or with an empty note.
test('review of a direct dispatch posts to /review with the optional note', async () => {
  const log = fakeApi({
    'GET /appeals/a1': () => ok(detail({ state: 'assigned', stateLabel: '已派单', directDispatch: true, departmentName: '县水务局', allowedActions: ['review', 'transfer'] })),
    'POST /appeals/a1/review': () => ok(detail({ state: 'assigned', stateLabel: '已派单', directDispatch: true, allowedActions: ['transfer'] })),
  });
  await renderPage();
  expect(screen.getByText('直派')).toBeTruthy();
  await click('复核');
  await click('确认复核');
  expect(posts(log).map((r) => [r.path, r.data])).toEqual([['/appeals/a1/review', {}]]);
  expect(screen.getByText('已复核，当前状态：已派单')).toBeTruthy();
});

test('查看地图 opens the appeal\'s point in WeChat\'s map; an appeal without one has no button', async () => {
  // Catches handlers left with only the text place (they cannot find the spot), and lat/lng swapped
  // or the name lost on the way to openLocation.
  const location = { lat: 28.901234, lng: 118.871987, name: '幸福路便民超市', address: '东溪县城关镇幸福路12号', approximate: false };
  fakeApi({ 'GET /appeals/a1': () => ok(detail({ location })) });
  await renderPage();
  await click('查看地图');
  expect(Taro.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: location.lat, longitude: location.lng, name: location.name, address: location.address }));
});
