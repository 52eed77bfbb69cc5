// 首页: column tabs, the feed for the reader's community, the pinned notice banner, tab switching,
// endless paging and the loading / empty / error views.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { firePullDownRefresh, fireReachBottom, resetTaro } from './stubs/taro';
import HomePage from '../../src/pages/home/index';
import NewsSearchPage from '../../src/pages/news-search/index';
import { setSession } from '../../src/store/session';
import { deferred, fakeApi, me, session, type FakeResponse } from './helpers/fake-api';
import { article, column, notice, pageOf } from './helpers/reader-news';

beforeEach(() => resetTaro());

const resident = me({
  regionId: 'r-east',
  region: { id: 'r-east', name: '东关社区', level: 'community', pathNames: ['演示县', '城关镇', '东关社区'] },
});
const columns = () => pageOf([column('local', '本地新闻'), column('livelihood', '民生'), column('old', '停用栏目', { active: false })]);

function signedIn() {
  setSession(session({ user: resident }));
}

test('shows the columns, the feed of the reader community and the pinned notice', async () => {
  // Catches a feed read without the reader's community (county-wide only), a missing pinned
  // notice, inactive columns shown as tabs, and cover thumbnails without the API origin.
  signedIn();
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: resident }),
    'GET /columns': columns,
    'GET /notices': () => pageOf([notice(1, { level: 'emergency', levelLabel: '紧急', pinned: true, title: '寒潮预警：请做好防寒' }), notice(2)]),
    'GET /news/feed': () =>
      pageOf([
        article(1, { pinned: true, cover: { id: 'p1', url: '/api/v1/photos/p1', thumbUrl: '/api/v1/photos/p1/thumb' } }),
        article(2, { emergency: true }),
      ]),
  });
  render(<HomePage />);
  expect(await screen.findByText('第1篇：县城新修的步行街开街')).toBeTruthy();
  expect(screen.getByText('所在社区：城关镇 · 东关社区')).toBeTruthy();
  expect(log.find((r) => r.path === '/news/feed')?.query).toEqual({ regionId: 'r-east', limit: '20' });
  expect(log.find((r) => r.path === '/notices')?.query).toEqual({ regionId: 'r-east', limit: '5' });

  const tabs = Array.from(document.querySelectorAll('.home__tab')).map((t) => t.textContent);
  expect(tabs).toEqual(['全部', '本地新闻', '民生']);
  expect(document.querySelector('.home__tab--active')?.textContent).toBe('全部');

  // Only the pinned notice is in the banner while one is pinned.
  expect(screen.getByText('寒潮预警：请做好防寒')).toBeTruthy();
  expect(screen.queryByText('第2条通知：明天上午停水')).toBeNull();
  expect(document.querySelector('.home__notices .news-tag--emergency')?.textContent).toBe('紧急');

  expect(document.querySelector('.article-card .news-tag--pinned')?.textContent).toBe('置顶');
  expect(document.querySelector('.article-card .news-tag--emergency')?.textContent).toBe('紧急');
  expect(document.querySelector('.article-card__thumb')?.getAttribute('src')).toBe('http://127.0.0.1:3000/api/v1/photos/p1/thumb');
  const metas = Array.from(document.querySelectorAll('.article-card__meta')).map((m) => m.textContent);
  expect(metas).toHaveLength(2);
  expect(metas.every((m) => m?.startsWith('本地新闻 · 县融媒体中心 · ') && m.endsWith('10:00'))).toBe(true);

  fireEvent.click(screen.getByText('第2篇：县城新修的步行街开街'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/article/index?id=art2' });
  fireEvent.click(screen.getByText('寒潮预警：请做好防寒'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=n1' });
  fireEvent.click(screen.getByText('更多通知 ›'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notices/index' });
  fireEvent.click(screen.getByText('搜索新闻'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/news-search/index' });
});

test('switching tab reads the column and drops a late answer of the previous tab', async () => {
  // Catches a tab that keeps the old list, a request without the column, and the previous
  // tab's slow answer overwriting the new tab's list.
  const slowAll = deferred<FakeResponse>();
  let calls = 0;
  const log = fakeApi({
    'GET /columns': columns,
    'GET /notices': () => pageOf([]),
    'GET /news/feed': (req) => {
      calls++;
      if (req.query.column === 'livelihood') return pageOf([article(7, { title: '民生：新的公交线路开通', columnCode: 'livelihood', columnName: '民生' })]);
      return calls === 1 ? slowAll.promise : pageOf([article(1)]);
    },
  });
  render(<HomePage />);
  fireEvent.click(await screen.findByText('民生'));
  expect(await screen.findByText('民生：新的公交线路开通')).toBeTruthy();
  expect(log.filter((r) => r.path === '/news/feed').map((r) => r.query.column)).toEqual([undefined, 'livelihood']);
  expect(document.querySelector('.home__tab--active')?.textContent).toBe('民生');

  await act(async () => slowAll.resolve(pageOf([article(1)])));
  expect(screen.queryByText('第1篇：县城新修的步行街开街')).toBeNull();
  expect(screen.getByText('民生：新的公交线路开通')).toBeTruthy();
  // Signed out: no community, the county-wide feed only.
  expect(log.filter((r) => r.path === '/news/feed').every((r) => r.query.regionId === undefined)).toBe(true);
});

test('reaching the bottom reads the next page with the cursor, once', async () => {
  // Catches paging by offset, a lost cursor, two requests for one page when the bottom is
  // reached twice quickly, and paging on after the last page.
  const second = deferred<FakeResponse>();
  const log = fakeApi({
    'GET /columns': columns,
    'GET /notices': () => pageOf([]),
    'GET /news/feed': (req) => (req.query.cursor === 'k-20' ? second.promise : pageOf(Array.from({ length: 20 }, (_, i) => article(i + 1)), 'k-20')),
  });
  render(<HomePage />);
  await screen.findByText('第1篇：县城新修的步行街开街');
  act(() => {
    fireReachBottom();
    fireReachBottom();
  });
  await act(async () => second.resolve(pageOf([article(20), article(21)])));
  const feedReads = log.filter((r) => r.path === '/news/feed');
  expect(feedReads.map((r) => r.query.cursor)).toEqual([undefined, 'k-20']);
  expect(document.querySelectorAll('.article-card')).toHaveLength(21);
  expect(screen.getByText('没有更多了')).toBeTruthy();
  await act(async () => fireReachBottom());
  expect(log.filter((r) => r.path === '/news/feed')).toHaveLength(2);
});

test('pulling down reads the feed again and stops the spinner', async () => {
  // Catches a pull-down that never ends (the spinner stays) or does not read again.
  let round = 0;
  fakeApi({
    'GET /columns': columns,
    'GET /notices': () => pageOf([]),
    'GET /news/feed': () => pageOf([article(++round === 1 ? 1 : 9)]),
  });
  render(<HomePage />);
  await screen.findByText('第1篇：县城新修的步行街开街');
  await act(async () => firePullDownRefresh());
  expect(screen.getByText('第9篇：县城新修的步行街开街')).toBeTruthy();
  expect(Taro.stopPullDownRefresh).toHaveBeenCalled();
});

test('empty feed says 暂无内容; a failed feed offers 重试', async () => {
  // Catches a blank page on an empty column and an error view without a way out.
  let online = false;
  fakeApi({
    'GET /columns': columns,
    'GET /notices': () => pageOf([]),
    'GET /news/feed': (req) => (req.query.column === 'livelihood' ? pageOf([]) : online ? pageOf([article(3)]) : 'network-error'),
  });
  render(<HomePage />);
  expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
  online = true;
  await act(async () => {
    fireEvent.click(screen.getByText('重试'));
  });
  expect(screen.getByText('第3篇：县城新修的步行街开街')).toBeTruthy();

  await act(async () => {
    fireEvent.click(screen.getByText('民生'));
  });
  expect(screen.getByText('暂无内容')).toBeTruthy();
  expect(screen.queryByText('第3篇：县城新修的步行街开街')).toBeNull();
});

test('search (from the home entry): results page on; no match says 没有找到相关内容', async () => {
  // Catches a search sent with untrimmed words, results stuck at the first page, and a blank
  // page when nothing matches.
  const log = fakeApi({
    'GET /news/search': (req) =>
      req.query.q === '停水' ? pageOf([]) : req.query.cursor === 's2' ? pageOf([article(5)]) : pageOf([article(4)], 's2'),
  });
  render(<NewsSearchPage />);
  await act(async () => undefined);
  expect(log).toHaveLength(0);
  fireEvent.change(document.querySelector('input')!, { target: { value: ' 步行街 ' } });
  await act(async () => {
    fireEvent.click(screen.getByText('搜索'));
  });
  expect(screen.getByText('第4篇：县城新修的步行街开街')).toBeTruthy();
  await act(async () => fireReachBottom());
  expect(screen.getByText('第5篇：县城新修的步行街开街')).toBeTruthy();
  expect(log.map((r) => r.query)).toEqual([
    { q: '步行街', limit: '20' },
    { q: '步行街', limit: '20', cursor: 's2' },
  ]);

  fireEvent.change(document.querySelector('input')!, { target: { value: '停水' } });
  await act(async () => {
    fireEvent.keyDown(document.querySelector('input')!, { key: 'Enter' });
  });
  expect(screen.getByText('没有找到相关内容')).toBeTruthy();
  expect(screen.queryByText('第4篇：县城新修的步行街开街')).toBeNull();
});
