// 数据统计 and 数据大屏 (issue 17): the staff measures page and the county dashboard against a fake
// API. The charts' drawing (uCharts on a canvas) is mocked here: what is drawn is checked through
// the spec handed to it; the real drawing is checked in the browser (tests/e2e/measures-h5.test.ts).
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import MeasuresPage from '../../src/packages/staff/pages/measures/index';
import DashboardPage, { REFRESH_MS } from '../../src/packages/staff/pages/dashboard/index';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import { paintCanvas } from '../../src/packages/staff/components/Chart/paint';
import { periodOf, rateChange, receivedBars } from '../../src/packages/staff/components/measures';
import { clearSession, setSession } from '../../src/store/session';
import type { Dashboard, Measures, RankedUnit, Rankings, Series, Groups } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest } from './helpers/fake-api';

jest.mock('../../src/packages/staff/components/Chart/paint', () => ({ paintCanvas: jest.fn(() => Promise.resolve(true)) }));
const paint = paintCanvas as jest.MockedFunction<typeof paintCanvas>;

/** Monday 7 December 2026, 10:30 in China. */
const NOW = Date.parse('2026-12-07T02:30:00Z');

const dispatcher = me({ name: '赵调度', roles: ['dispatcher'], roleLabels: ['调度员'], isStaff: true, scopeRegionIds: ['c1'], scopeRegions: [{ id: 'c1', name: '东溪县', level: 'county', pathNames: ['东溪县'] }] });

type Rates = Measures['rates'];
const rate = (numerator: number, denominator: number) => ({ value: denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000, numerator, denominator });
const rates = (r: [number, number][]): Rates => ({ response: rate(...r[0]), resolution: rate(...r[1]), satisfaction: rate(...r[2]), onTime: rate(...r[3]) });
const head = (received: number) => ({ received, accepted: received, replied: Math.floor(received / 2), closed: Math.floor(received / 3), rated: 1, overdue: 2, reopened: 0 });

function figures(from: string, to: string, received: number, r: Rates): Measures {
  return {
    from,
    to,
    counts: {
      received,
      accepted: received,
      rejected: 0,
      merged: 0,
      overdue: { accept: 1, firstContact: 1, resolve: 1 },
      replied: 5,
      closed: 4,
      rated: { total: 3, satisfied: 2, basic: 1, unsatisfied: 0, resolved: 2 },
      reopened: 0,
    },
    medians: { firstContactHours: null, replyHours: null, assignmentSeconds: null },
    rates: r,
    days: { rolledUp: 6, live: 1 },
  };
}
// This month: 6/7 responded (85.7%), 2/3 resolved, 3/3 satisfied, nothing due on time (—).
const THIS_MONTH = rates([[6, 7], [2, 3], [3, 3], [0, 0]]);
// Last month: 4/5 (80%), 3/4 (75%), 3/3 (100%), 1/2.
const LAST_MONTH = rates([[4, 5], [3, 4], [3, 3], [1, 2]]);

const unit = (id: string, name: string, rank: number | null, score: number | null, previousRank: number | null, changeRank: number | null, changeScore: number | null): RankedUnit => ({
  id,
  name,
  rank,
  score,
  rates: THIS_MONTH,
  received: 3,
  previous: { rank: previousRank, score: null },
  change: { rank: changeRank, score: changeScore },
});
const ranking = (by: Rankings['by'], items: RankedUnit[]): Rankings => ({ month: '2026-12', previousMonth: '2026-11', by, final: false, formula: 'x', items });
const TOWNSHIPS = [unit('t1', '城关镇', 1, 91.5, 2, 1, 3.2), unit('t2', '溪口镇', 2, 80, 1, -1, -5)];

function weeks(): Series {
  const items = Array.from({ length: 12 }, (_, i) => {
    const from = new Date(Date.parse('2026-09-21T00:00:00Z') + i * 7 * 86_400_000).toISOString().slice(0, 10);
    return { from, to: from, counts: head(i + 1), rates: THIS_MONTH };
  });
  return { from: '2026-09-21', to: '2026-12-07', step: 'week', items };
}
const groups = (by: Groups['by'], names: string[]): Groups => ({ from: '2026-12-01', to: '2026-12-07', by, items: names.map((name, i) => ({ id: `g${i}`, name, counts: head(10 - i), rates: THIS_MONTH })) });

function measuresApi(overrides: Record<string, (req: FakeRequest) => { status: number; body?: unknown }> = {}) {
  return fakeApi({
    'GET /me': () => ({ status: 200, body: dispatcher }),
    'GET /measures': (req) => ({ status: 200, body: req.query.from === '2026-12-01' ? figures(req.query.from, req.query.to, 9, THIS_MONTH) : figures(req.query.from, req.query.to, 12, LAST_MONTH) }),
    'GET /measures/series': () => ({ status: 200, body: weeks() }),
    'GET /measures/groups': (req) => ({ status: 200, body: groups(req.query.by as Groups['by'], ['市政设施', '环境卫生']) }),
    'GET /measures/rankings': (req) => ({ status: 200, body: ranking(req.query.by as Rankings['by'], req.query.by === 'township' ? TOWNSHIPS : [unit('d1', '住建局', 1, 88, null, null, null)]) }),
    ...overrides,
  });
}

const text = () => document.body.textContent ?? '';
/** The rate tiles are up (85.7%: this month's 响应率). */
const ratesShown = () => waitFor(() => expect(document.querySelector('.measures__rate-value')?.textContent).toBe('85.7%'));

beforeEach(() => {
  resetTaro();
  paint.mockClear();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  setSession(session({ user: dispatcher }));
});
afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('periods and changes', () => {
  test('本月, 上月 and 近12周 in China time, each beside the period before', () => {
    // Catches: periods in the machine's zone or UTC (7 Dec 02:30 UTC is still 7 Dec in China, but
    // 30 Nov 20:00 UTC is 1 Dec there), a 近12周 that does not start on a Monday (7 Dec 2026 is one:
    // its week and the 11 before), a 上月 off by one.
    expect(periodOf('thisMonth', NOW)).toMatchObject({ current: { from: '2026-12-01', to: '2026-12-07' }, previous: { from: '2026-11-01', to: '2026-11-30' }, month: '2026-12' });
    expect(periodOf('lastMonth', NOW)).toMatchObject({ current: { from: '2026-11-01', to: '2026-11-30' }, previous: { from: '2026-10-01', to: '2026-10-31' }, month: '2026-11' });
    expect(periodOf('weeks12', NOW)).toMatchObject({ current: { from: '2026-09-21', to: '2026-12-07' }, previous: { from: '2026-06-29', to: '2026-09-20' } });
    expect(periodOf('thisMonth', Date.parse('2026-11-30T20:00:00Z')).current).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(periodOf('lastMonth', Date.parse('2026-01-15T04:00:00Z')).current).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });

  test('a rate change reads in percentage points, and says when a period has nothing', () => {
    // Catches: a change computed on 0..1 values (0.057 points), or an arrow shown against a missing rate.
    expect(rateChange({ value: 0.8571 }, { value: 0.8 })).toEqual({ dir: 'up', text: '↑ 5.7个百分点' });
    expect(rateChange({ value: 0.6667 }, { value: 0.75 })).toEqual({ dir: 'down', text: '↓ 8.3个百分点' });
    expect(rateChange({ value: 1 }, { value: 1 })).toEqual({ dir: 'same', text: '持平' });
    expect(rateChange({ value: null }, { value: 0.5 })).toEqual({ dir: 'none', text: '本期无数据' });
  });
});

describe('数据统计', () => {
  test('shows the four rates beside last month with arrows, the counts and the ranking', async () => {
    // Catches: rates shown as 0.8571, the previous period not asked for, arrows pointing the wrong way,
    // ranking rows without their change.
    const log = measuresApi();
    render(<MeasuresPage />);
    await ratesShown();
    const figureQueries = log.filter((r) => r.path === '/measures').map((r) => `${r.query.from}..${r.query.to}`);
    expect(figureQueries.sort()).toEqual(['2026-11-01..2026-11-30', '2026-12-01..2026-12-07']);
    expect(screen.getByText('上期 80%')).toBeTruthy();
    expect(screen.getByText('↑ 5.7个百分点')).toBeTruthy(); // 响应率 85.7 vs 80
    expect(screen.getByText('↓ 8.3个百分点')).toBeTruthy(); // 解决率 66.7 vs 75
    expect(screen.getByText('持平')).toBeTruthy(); // 满意率 100 vs 100
    expect(screen.getByText('本期无数据')).toBeTruthy(); // 按期办结率: nothing due
    expect(screen.getByText('收到 9 件')).toBeTruthy();
    expect(text()).toContain('统计周期：2026年12月1日—12月7日');
    await screen.findByText('城关镇');
    const rows = [...document.querySelectorAll('.ranking__row')].map((r) => r.textContent);
    expect(rows).toEqual(['1城关镇91.5↑1（+3.2）', '2溪口镇80↓1（-5）']);
    expect(log.find((r) => r.path === '/measures/rankings')?.query).toEqual({ month: '2026-12', by: 'township' });
  });

  test('a rate shows its formula and its numerator and denominator on tap', async () => {
    // Catches: a figure staff cannot check (how 响应率 is computed and from how many appeals).
    measuresApi();
    render(<MeasuresPage />);
    await ratesShown();
    const tile = () => document.querySelector('.measures__rate')!;
    expect(tile().textContent).toContain('响应率');
    fireEvent.click(tile());
    expect(text()).toContain('响应率 = 在受理时限内处理');
    expect(screen.getByText('本期：6 ÷ 7；上期：4 ÷ 5')).toBeTruthy();
    fireEvent.click(tile());
    expect(text()).not.toContain('响应率 = 在受理时限内处理');
  });

  test('draws the 12-week trend (four rates and received) and the period per category', async () => {
    // Catches: a trend of the wrong step or length, rates drawn as 0..1 on a 0..100 axis, charts not drawn.
    const log = measuresApi();
    render(<MeasuresPage />);
    await ratesShown();
    expect(log.find((r) => r.path === '/measures/series')?.query).toEqual({ from: '2026-09-21', to: '2026-12-07', step: 'week' });
    const trend = paint.mock.calls.find(([id]) => id === 'measures-trend')![1];
    expect(trend.kind).toBe('line');
    expect(trend.categories).toHaveLength(12);
    expect(trend.categories[0]).toBe('9月21日');
    expect(trend.series.map((s) => s.name)).toEqual(['响应率', '解决率', '满意率', '按期办结率', '收到诉求']);
    expect(trend.series[0].data[0]).toBe(85.7);
    expect(trend.series[3].data[0]).toBeNull();
    expect(trend.series[4]).toMatchObject({ unit: '件', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] });
    const bars = paint.mock.calls.find(([id]) => id === 'measures-category')![1];
    expect(bars).toMatchObject({ kind: 'bar', categories: ['市政设施', '环境卫生'], series: [{ name: '收到诉求', data: [10, 9] }] });
    // The same figures as a table for screen readers (and 查看数据).
    expect(screen.getAllByText('市政设施').length).toBeGreaterThan(0);
    expect(screen.getAllByText('10件').length).toBeGreaterThan(0);
  });

  test('上月 and 近12周 ask for their own periods; ranking tabs ask for their unit', async () => {
    // Catches: a period picker that changes the label but not the request.
    const log = measuresApi();
    render(<MeasuresPage />);
    await ratesShown();
    log.length = 0;
    fireEvent.click(screen.getByText('上月'));
    await screen.findByText('统计周期：2026年11月1日—11月30日');
    await act(async () => undefined);
    expect(log.filter((r) => r.path === '/measures').map((r) => r.query.from).sort()).toEqual(['2026-10-01', '2026-11-01']);
    expect(log.find((r) => r.path === '/measures/rankings')?.query.month).toBe('2026-11');
    log.length = 0;
    fireEvent.click(screen.getByText('近12周'));
    await act(async () => undefined);
    expect(log.filter((r) => r.path === '/measures').map((r) => r.query.from).sort()).toEqual(['2026-06-29', '2026-09-21']);
    log.length = 0;
    fireEvent.click(screen.getByText('部门'));
    await screen.findByText('住建局');
    expect(log.find((r) => r.path === '/measures/rankings')?.query).toEqual({ month: '2026-12', by: 'department' });
    expect(screen.getByText('新（—）')).toBeTruthy();
  });

  test('the overdue list and the dashboard are one tap away', async () => {
    // Catches: a 超期督办 entry that opens the inbox without its overdue view.
    measuresApi();
    render(<MeasuresPage />);
    fireEvent.click(await screen.findByText('超期督办'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/appeal-inbox/index?view=overdue' });
    fireEvent.click(screen.getByText('全县数据大屏'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/dashboard/index' });
    expect(screen.getByText('下载2026年12月月报')).toBeTruthy();
  });

  test('an error offers 重试, which loads again', async () => {
    // Catches: a failed load that leaves a spinner forever or a blank page.
    let fail = true;
    measuresApi({ 'GET /measures/series': () => (fail ? apiError(500, 'INTERNAL', '服务器开小差了') : { status: 200, body: weeks() }) });
    render(<MeasuresPage />);
    await screen.findByText('加载失败：服务器开小差了');
    fail = false;
    fireEvent.click(screen.getByText('重试'));
    await ratesShown();
  });

  test('a period with nothing in it says so', async () => {
    // Catches: a row of dashes and 0 件 with no word that there is simply nothing yet.
    measuresApi({ 'GET /measures': (req) => ({ status: 200, body: figures(req.query.from, req.query.to, 0, rates([[0, 0], [0, 0], [0, 0], [0, 0]])) }) });
    render(<MeasuresPage />);
    await screen.findByText('本期暂无诉求数据');
  });

  test('the workbench links to it', async () => {
    // Catches: a page nobody can reach.
    fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }), 'GET /appeals/counts': () => ({ status: 200, body: { byState: {}, queue: 0, direct: 0, overdue: 0 } }) });
    render(<WorkbenchPage />);
    fireEvent.click(await screen.findByText('数据统计'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/measures/index' });
  });
});

describe('数据大屏', () => {
  const board = (received: number, at: string): Dashboard => ({
    at,
    today: head(received),
    month: { month: '2026-12', counts: head(30), rates: THIS_MONTH },
    previousMonth: { month: '2026-11', rates: LAST_MONTH },
    ranking: TOWNSHIPS,
    byCategory: groups('category', ['市政设施', '环境卫生']).items,
    byTownship: groups('township', ['城关镇', '溪口镇']).items,
  });

  test('refreshes every minute, keeping the figures on screen, and stops while hidden', async () => {
    // Catches: a screen that never refreshes, one that blanks to 加载中 each minute (flicker), one
    // that keeps polling from a background tab.
    jest.useFakeTimers({ now: NOW });
    let n = 0;
    const answers = [board(3, '2026-12-07T02:30:00Z'), board(5, '2026-12-07T02:31:00Z'), board(8, '2026-12-07T02:33:00Z')];
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }), 'GET /measures/dashboard': () => ({ status: 200, body: answers[Math.min(n++, 2)] }) });
    const calls = () => log.filter((r) => r.path === '/measures/dashboard').length;
    render(<DashboardPage />);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0);
    });
    expect(screen.getByText('更新于 10:30')).toBeTruthy();
    expect(document.querySelector('.dashboard__tile .dashboard__big')?.textContent).toBe('3');
    expect(text()).toContain('今日新增诉求');
    expect(text()).toContain('85.7%');
    expect(text()).toContain('↑ 5.7个百分点');
    expect([...document.querySelectorAll('.ranking__row')].map((r) => r.textContent)).toEqual(['1城关镇91.5↑1（+3.2）', '2溪口镇80↓1（-5）']);
    expect(paint.mock.calls.map(([id]) => id).sort()).toEqual(['dashboard-category', 'dashboard-township']);

    await act(async () => {
      await jest.advanceTimersByTimeAsync(REFRESH_MS - 1000);
    });
    expect(calls()).toBe(1);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(1000);
    });
    expect(calls()).toBe(2);
    expect(screen.getByText('更新于 10:31')).toBeTruthy();
    expect(document.querySelector('.dashboard__tile .dashboard__big')?.textContent).toBe('5');
    expect(screen.queryByText('加载中…')).toBeNull();

    // The tab goes to the background: no more requests until it is back.
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    await act(async () => {
      await jest.advanceTimersByTimeAsync(5 * REFRESH_MS);
    });
    expect(calls()).toBe(2);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0);
    });
    expect(calls()).toBe(3);
    expect(screen.getByText('更新于 10:33')).toBeTruthy();
  });

  test('a failed refresh keeps the last figures and says so', async () => {
    // Catches: a big screen that goes blank (or to an error page) when one request fails.
    jest.useFakeTimers({ now: NOW });
    let fail = false;
    fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }), 'GET /measures/dashboard': () => (fail ? apiError(503, 'UNAVAILABLE', '服务暂不可用') : { status: 200, body: board(3, '2026-12-07T02:30:00Z') }) });
    render(<DashboardPage />);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0);
    });
    fail = true;
    await act(async () => {
      await jest.advanceTimersByTimeAsync(REFRESH_MS);
    });
    expect(screen.getByText('更新于 10:30')).toBeTruthy();
    expect(text()).toContain('更新失败（服务暂不可用），一分钟后重试');
    expect(document.querySelector('.dashboard__tile .dashboard__big')?.textContent).toBe('3');
  });

  test('a display opened with its screen key reads the county with the key, signed in as no one', async () => {
    // Catches: a big screen that needs a staff member's sign-in (it expires on the wall), or one
    // that sends someone's token beside the key, or the key not sent at all.
    jest.useFakeTimers({ now: NOW });
    clearSession();
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { key: 'scr_display-key' }, path: '/packages/staff/pages/dashboard/index' } });
    const log = fakeApi({ 'GET /measures/screen': () => ({ status: 200, body: board(4, '2026-12-07T02:30:00Z') }) });
    render(<DashboardPage />);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0);
    });
    const call = log.find((r) => r.path === '/measures/screen')!;
    expect(call.headers['X-Screen-Key']).toBe('scr_display-key');
    expect(call.headers.Authorization).toBeUndefined();
    expect(log.some((r) => r.path === '/measures/dashboard')).toBe(false);
    expect(document.querySelector('.dashboard__tile .dashboard__big')?.textContent).toBe('4');
  });
});

describe('receivedBars', () => {
  it('shows the units that received most, the rest summed into one bar, and none that received nothing', () => {
    // Catches: a bar per category of a county's score (labels overlapping on the big screen), or
    // units with nothing received drawn as empty bars.
    const unit = (name: string, received: number) => ({ id: name, name, counts: { received, accepted: 0, replied: 0, closed: 0, rated: 0, overdue: 0, reopened: 0 }, rates: {} }) as unknown as Groups['items'][number];
    const bars = receivedBars([unit('甲', 1), unit('乙', 5), unit('丙', 0), unit('丁', 3), unit('戊', 2), unit('己', 1)], 3);
    expect(bars.categories).toEqual(['乙', '丁', '其余3项']);
    expect(bars.series[0].data).toEqual([5, 3, 4]);
    expect(receivedBars([unit('甲', 1), unit('乙', 0)], 3).categories).toEqual(['甲']);
  });
});
