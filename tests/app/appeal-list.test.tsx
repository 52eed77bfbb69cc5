// The 诉求 tab: my appeals (view=mine) with cursor paging, the empty and error views, and the way
// into 我要反映 (or the login page when signed out).
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import AppealsPage from '../../src/pages/appeals/index';
import { setSession } from '../../src/store/session';
import type { AppealSummary } from '../../src/api/types';
import { deferred, fakeApi, me, session, type FakeResponse } from './helpers/fake-api';

// The stand-in's usePullDownRefresh does nothing: keep the page's handler to pull by hand.
const mockPull: { fn: null | (() => void) } = { fn: null };
jest.mock('@tarojs/taro', () => {
  const actual = jest.requireActual('@tarojs/taro');
  return { __esModule: true, ...actual, default: actual.default, usePullDownRefresh: (fn: () => void) => (mockPull.fn = fn) };
});
const taro = Taro as unknown as Record<string, jest.Mock>;

beforeEach(() => {
  resetTaro();
  taro.stopPullDownRefresh = jest.fn();
});

function summary(n: number, overrides: Partial<AppealSummary> = {}): AppealSummary {
  return {
    id: `a${n}`,
    number: `DX-20261126-${String(n).padStart(4, '0')}`,
    kind: 'complaint',
    kindLabel: '投诉',
    state: 'in_progress',
    stateLabel: '办理中',
    channel: 'miniprogram',
    channelLabel: '小程序',
    categoryId: 'c1',
    categoryName: '噪声扰民',
    regionId: 'm2',
    regionName: '城关镇 / 西城社区',
    departmentId: 'd1',
    departmentName: '县生态环境局',
    excerpt: `第${n}条：夜里施工噪声太大`,
    thumbUrl: null,
    reporterName: '张三',
    isPublic: true,
    submittedAt: '2026-11-20T02:00:00.000Z',
    dueAt: null,
    overdue: false,
    directDispatch: true,
    followersCount: 0,
    ...overrides,
  };
}

const page = (from: number, count: number, nextCursor: string | null): FakeResponse => ({
  status: 200,
  body: { items: Array.from({ length: count }, (_, i) => summary(from + i)), nextCursor },
});

test('lists my appeals and pages on with the cursor the server gave', async () => {
  // Catches paging by page number or offset (appeals shift while the list is read), a lost cursor,
  // and a 加载更多 that stays after the last page.
  setSession(session());
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /appeals': (req) => (req.query.cursor === 'c-2' ? page(21, 3, null) : page(1, 20, 'c-2')),
  });
  render(<AppealsPage />);
  expect(await screen.findByText('第1条：夜里施工噪声太大')).toBeTruthy();
  expect(log.find((r) => r.path === '/appeals')?.query).toEqual({ view: 'mine', limit: '20' });
  expect(document.querySelectorAll('.appeal-card')).toHaveLength(20);
  expect(screen.getAllByText('办理中')).toHaveLength(20);
  expect(screen.getByText('DX-20261126-0001')).toBeTruthy();

  await act(async () => {
    fireEvent.click(screen.getByText('加载更多'));
  });
  const second = log.filter((r) => r.path === '/appeals')[1];
  expect(second.query).toEqual({ view: 'mine', limit: '20', cursor: 'c-2' });
  expect(document.querySelectorAll('.appeal-card')).toHaveLength(23);
  expect(screen.getByText('第23条：夜里施工噪声太大')).toBeTruthy();
  expect(screen.queryByText('加载更多')).toBeNull();
  expect(screen.getByText('没有更多了')).toBeTruthy();

  fireEvent.click(screen.getByText('第21条：夜里施工噪声太大'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a21' });
});

test('an appeal that moved onto the next page is shown once', async () => {
  // Catches duplicate cards (and duplicate React keys) when an appeal's order changed between pages.
  setSession(session());
  fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /appeals': (req) => (req.query.cursor ? page(2, 3, null) : page(1, 2, 'c-2')),
  });
  render(<AppealsPage />);
  await screen.findByText('第1条：夜里施工噪声太大');
  await act(async () => {
    fireEvent.click(screen.getByText('加载更多'));
  });
  expect(screen.getAllByText('第2条：夜里施工噪声太大')).toHaveLength(1);
  expect(document.querySelectorAll('.appeal-card')).toHaveLength(4);
});

test('the overdue mark, state tag and follower count are on the card', async () => {
  // Catches a list where an overdue appeal looks like any other.
  setSession(session());
  fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /appeals': () => ({ status: 200, body: { items: [summary(1, { overdue: true, state: 'submitted', stateLabel: '待受理', followersCount: 3 })], nextCursor: null } }),
  });
  render(<AppealsPage />);
  expect(await screen.findByText('已超期')).toBeTruthy();
  expect(screen.getByText('待受理').className).toContain('appeal-state--waiting');
  expect(screen.getByText('3人同问')).toBeTruthy();
  expect(screen.getByText('投诉 · 噪声扰民')).toBeTruthy();
});

test('loading, then the empty view; 我要反映 opens the form', async () => {
  // Catches a blank page while loading and a wrong empty text.
  setSession(session());
  const list = deferred<FakeResponse>();
  fakeApi({ 'GET /me': () => ({ status: 200, body: me() }), 'GET /appeals': () => list.promise });
  render(<AppealsPage />);
  expect(screen.getByText('加载中…')).toBeTruthy();
  await act(async () => list.resolve({ status: 200, body: { items: [], nextCursor: null } }));
  expect(screen.getByText('您还没有提交诉求')).toBeTruthy();
  expect(screen.getByText('急事请拨打 12345 政务服务便民热线')).toBeTruthy();
  fireEvent.click(screen.getByText('我要反映'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/appeal-new/index' });
});

test('a failed load shows the message and 重试 loads again', async () => {
  // Catches an error view without a way out on a weak network.
  setSession(session());
  let online = false;
  fakeApi({ 'GET /me': () => ({ status: 200, body: me() }), 'GET /appeals': () => (online ? page(1, 1, null) : 'network-error') });
  render(<AppealsPage />);
  expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
  online = true;
  await act(async () => {
    fireEvent.click(screen.getByText('重试'));
  });
  expect(screen.getByText('第1条：夜里施工噪声太大')).toBeTruthy();
});

test('signed out: only the public board is read, without a token; 我要反映 goes to the login page', async () => {
  // Catches a 401 round trip (and its toast) for someone who never signed in: nothing that needs a
  // sign-in is asked for (the board, the categories and communities of its filters are public).
  const log = fakeApi({ 'GET /board': () => ({ status: 200, body: { items: [], nextCursor: null } }) });
  render(<AppealsPage />);
  await act(async () => undefined);
  // The community filter reads communities only when it is opened (a search, 20 at a time).
  expect(log.map((r) => r.path).sort()).toEqual(['/board', '/categories']);
  for (const r of log) expect(r.headers.Authorization ?? r.headers.authorization).toBeUndefined();
  expect(screen.getByText('暂无公开诉求')).toBeTruthy();
  expect(screen.getByText('去登录')).toBeTruthy();
  fireEvent.click(screen.getByText('我要反映'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/login/index' });
});

test('pull-down refresh reloads; when it fails the list stays with 重试', async () => {
  // Catches a list that blanks into an error page on a weak network, and a pull-down that never
  // stops its spinner.
  setSession(session());
  let online = true;
  const log = fakeApi({ 'GET /me': () => ({ status: 200, body: me() }), 'GET /appeals': () => (online ? page(1, 2, null) : 'network-error') });
  render(<AppealsPage />);
  expect(await screen.findByText('第1条：夜里施工噪声太大')).toBeTruthy();
  online = false;
  await act(async () => mockPull.fn!());
  expect(log.filter((r) => r.path === '/appeals')).toHaveLength(2);
  expect(taro.stopPullDownRefresh).toHaveBeenCalledTimes(1);
  expect(screen.getByText('第1条：夜里施工噪声太大')).toBeTruthy();
  expect(screen.getByText('刷新失败：网络不给力，请稍后重试')).toBeTruthy();
  online = true;
  await act(async () => {
    fireEvent.click(screen.getByText('重试'));
  });
  expect(screen.queryByText(/^刷新失败/)).toBeNull();
  expect(log.filter((r) => r.path === '/appeals')).toHaveLength(3);
});
