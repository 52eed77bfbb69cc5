// 我的爆料 and a tip's detail (src/pages/tip-list, src/pages/tip-detail): the list's loading, empty,
// failed and paged states, and the detail's state, replies and history, against the fake API.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { fireReachBottom, resetTaro } from './stubs/taro';
import TipListPage from '../../src/pages/tip-list/index';
import TipDetailPage from '../../src/pages/tip-detail/index';
import { setSession } from '../../src/store/session';
import type { TipDetail, TipSummary } from '../../src/api/types';
import { deferred, fakeApi, me, session, type FakeResponse } from './helpers/fake-api';
import { pageOf } from './helpers/reader-news';

const resident = me({ id: 'u7' });

function tip(n: number, overrides: Partial<TipSummary> = {}): TipSummary {
  return { id: `665f0000000000000000${String(n).padStart(4, '0')}`, text: `第${n}条爆料：幸福路的老槐树开花了`, state: 'new', stateLabel: '待处理', photoCount: 0, channel: 'miniprogram', createdAt: '2026-12-06T02:00:00.000Z', ...overrides };
}

beforeEach(() => {
  resetTaro();
  setSession(session({ user: resident }));
});

describe('我的爆料', () => {
  test('loading, then the empty state with a way to send one', async () => {
    // Bug caught: a blank page while the list loads, or no word when there is nothing (the resident cannot tell which).
    const answer = deferred<FakeResponse>();
    const log = fakeApi({ 'GET /tips': () => answer.promise });
    render(<TipListPage />);
    expect(screen.getByText('加载中…')).toBeTruthy();
    await act(async () => answer.resolve(pageOf([])));
    expect(screen.getByText('您还没有爆料')).toBeTruthy();
    expect(log[0].query).toMatchObject({ view: 'mine', limit: '20' });
    fireEvent.click(screen.getByText('我要爆料'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/tip-new/index' });
  });

  test('a failed load says why and 重试 reads again', async () => {
    // Bug caught: an error swallowed into an empty list ("您还没有爆料" when the network is down).
    let calls = 0;
    fakeApi({ 'GET /tips': () => (++calls === 1 ? 'network-error' : pageOf([tip(1)])) });
    render(<TipListPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    expect(screen.queryByText('您还没有爆料')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(screen.getByText('第1条爆料：幸福路的老槐树开花了')).toBeTruthy();
  });

  test('pages by cursor at the bottom, each tip once, and opens a tip', async () => {
    // Bug caught: the second page never read, read from the start again, or a tip on both pages shown twice.
    const log = fakeApi({ 'GET /tips': (req) => (req.query.cursor === 'c2' ? pageOf([tip(2), tip(3, { state: 'used', stateLabel: '已采用' })]) : pageOf([tip(1), tip(2)], 'c2')) });
    render(<TipListPage />);
    await screen.findByText('第1条爆料：幸福路的老槐树开花了');
    expect(screen.getByText('加载更多')).toBeTruthy();
    await act(async () => fireReachBottom());
    expect(log.map((r) => r.query.cursor)).toEqual([undefined, 'c2']);
    expect(screen.getAllByText(/条爆料：/)).toHaveLength(3);
    expect(screen.getByText('已采用')).toBeTruthy();
    expect(screen.getByText('没有更多了')).toBeTruthy();
    fireEvent.click(screen.getByText('第3条爆料：幸福路的老槐树开花了'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/tip-detail/index?id=${tip(3).id}` });
  });
});

describe('爆料详情', () => {
  const detail = (overrides: Partial<TipDetail> = {}): TipDetail => ({
    ...tip(1),
    photoIds: ['a'.repeat(64)],
    photoCount: 1,
    place: '幸福路菜市场',
    happenedAt: null,
    mayContact: true,
    mayCredit: false,
    tipsterName: '张三',
    tipsterPhone: null,
    takenBy: '编辑',
    declineReason: null,
    articleId: null,
    draftArticleId: null,
    appealId: null,
    appealNumber: null,
    fromAppeal: false,
    history: [
      { at: '2026-12-06T02:00:00.000Z', action: 'submit', by: '张三', from: null, to: 'new', note: null },
      { at: '2026-12-06T03:00:00.000Z', action: 'take', by: '编辑', from: 'new', to: 'taken', note: null },
      { at: '2026-12-06T04:00:00.000Z', action: 'reply', by: '编辑', from: 'taken', to: 'taken', note: '感谢您的爆料，记者下午去现场。' },
    ],
    version: 2,
    ...overrides,
    state: overrides.state ?? 'taken',
    stateLabel: overrides.stateLabel ?? '已认领',
  });

  test('shows where it stands, the newsroom\'s reply, the photos and every step', async () => {
    // Bug caught: the reply (the one thing the tipster waits for) buried or missing, or photos sent but not shown.
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: tip(1).id }, path: '' } });
    fakeApi({ [`GET /tips/${tip(1).id}`]: () => ({ status: 200, body: detail() }) });
    render(<TipDetailPage />);
    expect(await screen.findByText('编辑部已认领，正在核实。')).toBeTruthy();
    expect(document.querySelector('.tip-replies .card__title')?.textContent).toBe('编辑部回复');
    expect(screen.getAllByText('感谢您的爆料，记者下午去现场。').length).toBeGreaterThan(0);
    expect(screen.getByText('地点：幸福路菜市场')).toBeTruthy();
    expect(document.querySelector('.photo-grid__thumb')?.getAttribute('src')).toMatch(new RegExp(`/api/v1/photos/${'a'.repeat(64)}/thumb$`));
    expect(screen.getByText('编辑部认领')).toBeTruthy();
    expect(screen.getByText('提交爆料')).toBeTruthy();
  });

  test('a declined tip says why', async () => {
    // Bug caught: a tipster told only "未采用" while the newsroom wrote a reason for them.
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: tip(1).id }, path: '' } });
    fakeApi({ [`GET /tips/${tip(1).id}`]: () => ({ status: 200, body: detail({ state: 'declined', stateLabel: '未采用', declineReason: '内容已有报道', history: [] }) }) });
    render(<TipDetailPage />);
    expect(await screen.findByText('说明：内容已有报道')).toBeTruthy();
  });
});

test('我的 leads to 我要爆料 and 我的爆料; 首页 to 我要爆料 (to sign in first when signed out)', async () => {
  // Bug caught: the tips pages registered but unreachable from the places residents look.
  const MePage = (await import('../../src/pages/me/index')).default;
  const HomePage = (await import('../../src/pages/home/index')).default;
  fakeApi({ 'GET /me': () => ({ status: 200, body: resident }), 'GET /auth/methods': () => ({ status: 200, body: { wechat: false, dev: false, password: true, demo: false } }) });
  const page = render(<MePage />);
  fireEvent.click(await screen.findByText('我要爆料'));
  expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/tip-new/index' });
  fireEvent.click(screen.getByText('我的爆料'));
  expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/tip-list/index' });
  page.unmount();

  fakeApi({ 'GET /me': () => ({ status: 200, body: resident }), 'GET /columns': () => ({ status: 200, body: { items: [] } }), 'GET /notices': () => pageOf([]), 'GET /news/feed': () => pageOf([]) });
  const home = render(<HomePage />);
  await act(async () => undefined);
  fireEvent.click(screen.getByText('我要爆料'));
  expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/tip-new/index' });
  home.unmount();
  resetTaro();
  fakeApi({ 'GET /columns': () => ({ status: 200, body: { items: [] } }), 'GET /notices': () => pageOf([]), 'GET /news/feed': () => pageOf([]) });
  render(<HomePage />);
  await act(async () => undefined);
  fireEvent.click(screen.getByText('我要爆料'));
  expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/login/index' });
});
