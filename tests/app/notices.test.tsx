// 通知公告: the list for the reader's community in the server's order with level tags, paging,
// and the detail page.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { fireReachBottom, firePullDownRefresh, fireShareAppMessage, fireShareTimeline, resetTaro } from './stubs/taro';
import NoticesPage from '../../src/pages/notices/index';
import NoticePage from '../../src/pages/notice/index';
import { setSession } from '../../src/store/session';
import { apiError, fakeApi, me, session } from './helpers/fake-api';
import { notice, noticeDetail, pageOf } from './helpers/reader-news';

const taro = Taro as unknown as Record<string, jest.Mock>;
beforeEach(() => resetTaro());

const resident = me({ regionId: 'r-east', region: { id: 'r-east', name: '东关社区', level: 'community', pathNames: ['演示县', '城关镇', '东关社区'] } });

test('lists the notices in the server order with 紧急 and 重要 tags, for the reader community', async () => {
  // Catches a client that re-sorts (emergency would no longer be first), tags without their
  // colour class, and a list read without the community.
  setSession(session({ user: resident }));
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: resident }),
    'GET /notices': () =>
      pageOf([
        notice(3, { level: 'emergency', levelLabel: '紧急', pinned: true, title: '寒潮预警', publishedAt: '2026-11-20T01:00:00.000Z' }),
        notice(2, { level: 'important', levelLabel: '重要', title: '医保缴费截止提醒' }),
        notice(1, { title: '社区文艺演出' }),
      ]),
  });
  render(<NoticesPage />);
  await screen.findByText('寒潮预警');
  expect(log.find((r) => r.path === '/notices')?.query).toEqual({ regionId: 'r-east', limit: '20' });
  expect(Array.from(document.querySelectorAll('.notice-card__title')).map((t) => t.textContent)).toEqual(['寒潮预警', '医保缴费截止提醒', '社区文艺演出']);
  expect(screen.getByText('紧急').className).toContain('news-tag--emergency');
  expect(screen.getByText('重要').className).toContain('news-tag--important');
  expect(screen.getByText('通知').className).toContain('news-tag--normal');
  expect(screen.getByText('置顶')).toBeTruthy();
  expect(screen.getAllByText('范围：城关镇')).toHaveLength(3);
  fireEvent.click(screen.getByText('医保缴费截止提醒'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=n2' });
});

test('pages on with the cursor; pull-down reads again; empty says 暂无通知', async () => {
  // Catches a list stuck at its first page, a pull-down that never stops, and a blank empty list.
  let empty = false;
  const log = fakeApi({
    'GET /notices': (req) => (empty ? pageOf([]) : req.query.cursor === 'nk' ? pageOf([notice(5)]) : pageOf([notice(1)], 'nk')),
  });
  render(<NoticesPage />);
  await screen.findByText('第1条通知：明天上午停水');
  await act(async () => fireReachBottom());
  expect(screen.getByText('第5条通知：明天上午停水')).toBeTruthy();
  expect(log.map((r) => r.query.cursor)).toEqual([undefined, 'nk']);
  empty = true;
  await act(async () => firePullDownRefresh());
  expect(screen.getByText('暂无通知')).toBeTruthy();
  expect(taro.stopPullDownRefresh).toHaveBeenCalled();
});

test('the detail shows level, scope, publisher, time and the body with its line breaks', async () => {
  // Catches a body whose line breaks are lost and a missing publisher or scope.
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: 'n7' }, path: '/pages/notice/index' } });
  const log = fakeApi({
    'GET /notices/n7': () => ({ status: 200, body: noticeDetail({ id: 'n7', level: 'important', levelLabel: '重要', regionNames: ['城关镇', '东关社区'] }) }),
  });
  render(<NoticePage />);
  expect(await screen.findByText('第1条通知：明天上午停水')).toBeTruthy();
  expect(log[0].path).toBe('/notices/n7');
  expect(screen.getByText('重要').className).toContain('news-tag--important');
  expect(screen.getByText('范围：城关镇、东关社区')).toBeTruthy();
  expect(screen.getByText('发布：城关镇人民政府')).toBeTruthy();
  expect(document.querySelector('.notice__body')?.textContent).toBe('因管网维修，明天上午8点到12点停水。\n请提前储水。');
});

test('a notice shares as a card naming its level, to a chat and to the 朋友圈, opening the same notice', async () => {
  // Catches a share card that opens 首页 (or another notice), or one that hides that it is 紧急.
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: 'n9' }, path: '/pages/notice/index' } });
  fakeApi({ 'GET /notices/n9': () => ({ status: 200, body: noticeDetail({ id: 'n9', level: 'emergency', levelLabel: '紧急' }) }) });
  render(<NoticePage />);
  await screen.findByText('第1条通知：明天上午停水');
  expect(fireShareAppMessage()).toEqual({ title: '【紧急】第1条通知：明天上午停水', path: '/pages/notice/index?id=n9' });
  expect(fireShareTimeline()).toEqual({ title: '【紧急】第1条通知：明天上午停水', query: 'id=n9' });
});

test('a withdrawn notice shows the server message with 重试', async () => {
  // Catches a blank detail page for a notice that is gone.
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: 'n8' }, path: '/pages/notice/index' } });
  fakeApi({ 'GET /notices/n8': () => apiError(404, 'NOT_FOUND', '通知不存在') });
  render(<NoticePage />);
  expect(await screen.findByText('加载失败：通知不存在')).toBeTruthy();
  expect(screen.getByText('重试')).toBeTruthy();
});
