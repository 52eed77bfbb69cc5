// The workbench's appeal entries and the staff inbox against the fake API.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import AppealInboxPage from '../../src/packages/staff/pages/appeal-inbox/index';
import { setSession } from '../../src/store/session';
import type { AppealCounts, AppealSummary, Me } from '../../src/api/types';
import { deferred, fakeApi, me, session, type FakeRequest, type FakeResponse } from './helpers/fake-api';

const dispatcher = me({ id: 'u-d', name: '赵调度', roles: ['dispatcher'], roleLabels: ['指挥中心调度员'], isStaff: true, scopeRegionIds: ['t1'], scopeRegions: [{ id: 't1', name: '城关镇', level: 'township', pathNames: ['东溪县', '城关镇'] }] });
const gridWorker = me({ id: 'u-g', name: '李秀英', roles: ['grid_worker'], roleLabels: ['网格员'], isStaff: true, scopeRegionIds: ['g1'], scopeRegions: [{ id: 'g1', name: '第一网格', level: 'grid', pathNames: ['东溪县', '城关镇', '西城社区', '第一网格'] }] });
const handler = me({ id: 'u-h', name: '钱水务', roles: ['department_staff'], roleLabels: ['职能部门工作人员'], isStaff: true, departmentId: 'd-water', departmentName: '县水务局' });
const editor = me({ id: 'u-e', name: '孙编辑', roles: ['editor'], roleLabels: ['编辑'], isStaff: true });

const counts = (overrides: Partial<AppealCounts> = {}): AppealCounts => ({
  byState: { submitted: 3, accepted: 2, assigned: 4, in_progress: 1, replied: 6, closed: 40, rejected: 2, merged: 1 },
  overdue: 5,
  queue: 5,
  direct: 7,
  ...overrides,
});

function summary(n: number, overrides: Partial<AppealSummary> = {}): AppealSummary {
  const seq = String(n).padStart(4, '0');
  return {
    id: `a${n}`,
    number: `DX-20261126-${seq}`,
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
    excerpt: `第${n}件：小区停水`,
    thumbUrl: null,
    reporterName: '李*',
    isPublic: true,
    submittedAt: '2026-11-26T02:00:00.000Z',
    dueAt: '2026-11-26T04:00:00.000Z',
    overdue: false,
    directDispatch: false,
    followersCount: 0,
    ...overrides,
  };
}

const ok = (body: unknown): FakeResponse => ({ status: 200, body });
const listCalls = (log: FakeRequest[]) => log.filter((r) => r.path === '/appeals');

function signIn(user: Me) {
  setSession(session({ user }));
}

beforeEach(() => resetTaro());

describe('workbench appeal entries', () => {
  // Bug caught: a dispatcher's queues without their numbers, or badges from the wrong counter.
  test('a dispatcher sees the four lists with counts as badges, and 热线代录', async () => {
    signIn(dispatcher);
    fakeApi({ 'GET /me': () => ok(dispatcher), 'GET /appeals/counts': () => ok(counts()) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    const badge = (title: string) => screen.getByText(title).closest('.list-row')?.querySelector('.workbench__badge')?.textContent ?? null;
    expect(badge('诉求办理')).toBe('10'); // open states: 3 + 2 + 4 + 1
    expect(badge('待派单')).toBe('5');
    expect(badge('直派复核')).toBe('7');
    expect(badge('超期督办')).toBe('5');
    expect(badge('热线代录')).toBeNull();
    fireEvent.click(screen.getByText('直派复核'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/appeal-inbox/index?view=direct' });
    fireEvent.click(screen.getByText('热线代录'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/appeal-file/index' });
    expect(screen.queryByText('代报')).toBeNull();
  });

  // Bug caught: a zero shown as a badge (a red "0" reads as work waiting).
  test('no badge for zero; a grid worker gets 代报 and no dispatcher queues', async () => {
    signIn(gridWorker);
    fakeApi({ 'GET /me': () => ok(gridWorker), 'GET /appeals/counts': () => ok(counts({ byState: { submitted: 0, accepted: 0, assigned: 0, in_progress: 0, replied: 1, closed: 0, rejected: 0, merged: 0 } })) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    expect(screen.getByText('诉求办理')).toBeTruthy();
    expect(document.querySelector('.workbench__badge')).toBeNull();
    expect(screen.getByText('代报')).toBeTruthy();
    expect(screen.queryByText('待派单')).toBeNull();
    expect(screen.queryByText('热线代录')).toBeNull();
  });

  // Bug caught: roles without appeal work (editors) get an inbox they cannot use, or a failed count shows a toast.
  test('editors see no appeal entries; a failed count is silent', async () => {
    signIn(editor);
    const log = fakeApi({ 'GET /me': () => ok(editor) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    expect(screen.queryByText('诉求办理')).toBeNull();
    expect(log.some((r) => r.path === '/appeals/counts')).toBe(false);

    signIn(handler);
    fakeApi({ 'GET /me': () => ok(handler), 'GET /appeals/counts': () => 'network-error' });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    expect(screen.getByText('诉求办理')).toBeTruthy();
    expect(screen.getByText('县水务局')).toBeTruthy();
    expect(Taro.showToast).not.toHaveBeenCalled();
  });
});

describe('appeal inbox', () => {
  function openView(view?: string) {
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: view ? { view } : {}, path: '' } });
  }

  // Bug caught: 加载更多 replaces the list, drops the cursor, or repeats an appeal already shown.
  test('paging appends the next cursor\'s page', async () => {
    signIn(dispatcher);
    openView('inbox');
    const first = Array.from({ length: 20 }, (_, i) => summary(i + 1));
    const second = [summary(20), summary(21), summary(22)];
    const log = fakeApi({
      'GET /appeals/counts': () => ok(counts()),
      'GET /appeals': (req) => (req.query.cursor === 'c2' ? ok({ items: second, nextCursor: null }) : ok({ items: first, nextCursor: 'c2' })),
    });
    render(<AppealInboxPage />);
    expect(await screen.findByText('第1件：小区停水')).toBeTruthy();
    expect(listCalls(log)[0]?.query).toEqual({ view: 'inbox', limit: '20' });
    await act(async () => {
      fireEvent.click(screen.getByText('加载更多'));
    });
    expect(listCalls(log)[1]?.query).toEqual({ view: 'inbox', cursor: 'c2', limit: '20' });
    expect(document.querySelectorAll('.appeal-item')).toHaveLength(22);
    expect(screen.getByText('第22件：小区停水')).toBeTruthy();
    expect(screen.queryByText('加载更多')).toBeNull();
    expect(screen.getByText('没有更多了')).toBeTruthy();
  });

  // Bug caught: chips without counts, or a chip that does not filter (or filters the next page differently).
  test('state chips show counts and filter the list', async () => {
    signIn(dispatcher);
    openView('inbox');
    const log = fakeApi({
      'GET /appeals/counts': () => ok(counts()),
      'GET /appeals': (req) => ok(req.query.state === 'assigned' ? { items: [summary(9, { state: 'assigned', stateLabel: '已派单', departmentName: '县水务局' })], nextCursor: null } : { items: [summary(1)], nextCursor: null }),
    });
    render(<AppealInboxPage />);
    await screen.findByText('第1件：小区停水');
    expect(screen.getByText('待受理 3')).toBeTruthy();
    expect(screen.getByText('已办结 40')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('已派单 4'));
    });
    expect(listCalls(log).at(-1)?.query).toEqual({ view: 'inbox', state: 'assigned', limit: '20' });
    expect(screen.getByText('第9件：小区停水')).toBeTruthy();
    expect(screen.getByText('城关镇 / 西城社区 · 县水务局')).toBeTruthy();
    expect(screen.queryByText('第1件：小区停水')).toBeNull();
  });

  // Bug caught: overdue and direct-dispatch marks missing, or tapping an item opens the wrong page.
  test('items show 超期 and 直派; tapping opens the handle page', async () => {
    signIn(dispatcher);
    openView('overdue');
    fakeApi({
      'GET /appeals/counts': () => ok(counts()),
      'GET /appeals': () => ok({ items: [summary(3, { overdue: true, directDispatch: true, state: 'assigned', stateLabel: '已派单' })], nextCursor: null }),
    });
    render(<AppealInboxPage />);
    await screen.findByText('第3件：小区停水');
    expect(screen.getByText('超期督办')).toBeTruthy();
    expect(screen.getByText('共 5 件')).toBeTruthy();
    expect(screen.getByText('超期')).toBeTruthy();
    expect(screen.getByText('直派')).toBeTruthy();
    expect(screen.getByText(/^已超期（时限 /)).toBeTruthy();
    fireEvent.click(screen.getByText('第3件：小区停水'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/appeal-handle/index?id=a3' });
  });

  // Bug caught: a failed load leaves a spinner forever; an answer to an earlier filter overwrites a later one.
  test('loading, error with retry, empty; a late answer for an old filter is dropped', async () => {
    signIn(dispatcher);
    openView('queue');
    let calls = 0;
    const slow = deferred<FakeResponse>();
    fakeApi({
      'GET /appeals/counts': () => ok(counts()),
      'GET /appeals': (req) => {
        calls++;
        if (calls === 1) return 'network-error';
        if (calls === 2) return slow.promise;
        return ok({ items: [], nextCursor: null, state: req.query.state });
      },
    });
    render(<AppealInboxPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    expect(Taro.showToast).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(screen.getByText('加载中…')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('已受理 2'));
    });
    expect(screen.getByText('没有「已受理」的诉求')).toBeTruthy();
    await act(async () => slow.resolve(ok({ items: [summary(1)], nextCursor: null })));
    expect(screen.queryByText('第1件：小区停水')).toBeNull();
    expect(screen.getByText('没有「已受理」的诉求')).toBeTruthy();
  });
});
