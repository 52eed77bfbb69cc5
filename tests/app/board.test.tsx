// The public board (公开诉求) in the 诉求 tab (visitor and signed-in), its item page, and the
// dispatcher's 撤下 on the staff handle page, against the Taro stand-ins and a fake API.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { fireReachBottom, fireShareAppMessage, resetTaro } from './stubs/taro';
import AppealsPage from '../../src/pages/appeals/index';
import BoardItemPage from '../../src/pages/board-item/index';
import AppealHandlePage from '../../src/packages/staff/pages/appeal-handle/index';
import { setSession } from '../../src/store/session';
import type { AppealDetail, BoardDetail, BoardItem, Category, Region } from '../../src/api/types';
import { apiError, fakeApi, me, region, session, type FakeRequest } from './helpers/fake-api';

const taro = Taro as unknown as Record<string, jest.Mock>;

beforeEach(() => {
  resetTaro();
});

function boardItem(n: number, overrides: Partial<BoardItem> = {}): BoardItem {
  return {
    id: `b${n}`,
    number: `DX-20261120-${String(n).padStart(4, '0')}`,
    kind: 'help',
    kindLabel: '求助',
    state: 'closed',
    stateLabel: '已办结',
    categoryId: 'cat-water',
    categoryName: '停水、水质问题',
    regionId: 'm1',
    regionName: '城关镇 / 东城社区',
    departmentName: '县水务局',
    reporterName: '王*',
    excerpt: `第${n}条：小区停水了`,
    answerExcerpt: `第${n}条答复：已恢复供水`,
    thumbUrl: null,
    submittedAt: '2026-11-20T02:00:00.000Z',
    answeredAt: '2026-11-20T08:00:00.000Z',
    closedAt: '2026-11-21T08:00:00.000Z',
    rating: { resolved: true, satisfaction: 'satisfied', satisfactionLabel: '满意' },
    followersCount: 0,
    ...overrides,
  };
}
const page = (from: number, count: number, nextCursor: string | null) => ({ status: 200, body: { items: Array.from({ length: count }, (_, i) => boardItem(from + i)), nextCursor } });
const categories: Category[] = [
  { id: 'cat-water', code: 'water', name: '停水、水质问题', group: '公用事业', defaultDepartmentId: 'd-water', deadlines: { acceptHours: 2, firstContactHours: 2, resolveHours: 24 }, sort: 1, active: true },
];
const communities: Region[] = [{ ...region('m1', '东城社区', 'community', 3, 't1'), pathNames: ['东县', '城关镇', '东城社区'] }];
const filterLists = {
  'GET /categories': () => ({ status: 200, body: { items: categories } }),
  'GET /regions': () => ({ status: 200, body: { items: communities, total: 1, page: 1, pageSize: 100 } }),
};
const boardReads = (log: FakeRequest[]) => log.filter((r) => r.path === '/board');

describe('the 诉求 tab for a visitor', () => {
  it('shows the board without signing in, pages on, and filters by category and community', async () => {
    // Catches: a visitor who sees only 去登录 (the issue), a board read with a token, a lost cursor,
    // and filters that do not reach the server.
    const log = fakeApi({ ...filterLists, 'GET /board': (r) => (r.query.cursor ? page(3, 1, null) : r.query.categoryId ? page(7, 1, null) : page(1, 2, 'c2')) });
    render(<AppealsPage />);
    expect(await screen.findByText('问：第1条：小区停水了')).toBeTruthy();
    expect(screen.getByText('答：第1条答复：已恢复供水')).toBeTruthy();
    expect(screen.getAllByText('县水务局答复 · 11月20日 16:00').length).toBeGreaterThan(0);
    expect(screen.getAllByText('评价：满意').length).toBe(2);
    expect(screen.getByText('去登录')).toBeTruthy();
    expect(screen.getByText('公开诉求')).toBeTruthy();
    for (const r of log) expect(r.headers.Authorization ?? r.headers.authorization).toBeUndefined();

    await act(async () => fireReachBottom());
    expect(await screen.findByText('问：第3条：小区停水了')).toBeTruthy();
    expect(boardReads(log).at(-1)!.query.cursor).toBe('c2');
    expect(screen.getByText('没有更多了')).toBeTruthy();

    const [categoryPicker] = screen.getAllByLabelText('picker');
    await act(async () => {
      fireEvent.change(categoryPicker, { target: { value: '1' } });
    });
    expect(await screen.findByText('问：第7条：小区停水了')).toBeTruthy();
    expect(boardReads(log).at(-1)!.query).toMatchObject({ categoryId: 'cat-water' });
    expect(screen.queryByText('问：第1条：小区停水了')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByText('全部社区/村'));
    });
    await act(async () => {
      fireEvent.click(await screen.findByText('城关镇 · 东城社区'));
    });
    expect(boardReads(log).at(-1)!.query).toMatchObject({ categoryId: 'cat-water', regionId: 'm1' });
    // The community's button shows the choice, and the search closed.
    expect(screen.getAllByText('城关镇 · 东城社区')).toHaveLength(1);
    expect(screen.queryByText('搜索')).toBeNull();

    fireEvent.click(screen.getByText('问：第7条：小区停水了'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/board-item/index?id=b7' });
  });

  it('finds any community by name, pages through them, and clears the filter with 全部社区/村', async () => {
    // Catches: the picker that listed only the first 100 communities (a county's village 130 could
    // never be chosen), a search that does not reach the server, a lost page, and no way back to all.
    const village = (n: number): Region => ({ ...region(`v${n}`, `第${n}村`, 'community', 1, 't2'), pathNames: ['东县', '青石乡', `第${n}村`] });
    const log = fakeApi({
      ...filterLists,
      'GET /regions': (r) => {
        const all = r.query.q ? Array.from({ length: 130 }, (_, i) => village(i + 1)).filter((v) => v.name.includes(r.query.q)) : Array.from({ length: 130 }, (_, i) => village(i + 1));
        const size = Number(r.query.pageSize);
        const p = Number(r.query.page);
        return { status: 200, body: { items: all.slice((p - 1) * size, p * size), total: all.length, page: p, pageSize: size } };
      },
      'GET /board': () => page(1, 1, null),
    });
    render(<AppealsPage />);
    await screen.findByText('问：第1条：小区停水了');
    expect(log.filter((r) => r.path === '/regions')).toHaveLength(0);
    await act(async () => {
      fireEvent.click(screen.getByText('全部社区/村'));
    });
    expect(await screen.findByText('青石乡 · 第20村')).toBeTruthy();
    expect(screen.queryByText('青石乡 · 第21村')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByText('加载更多（共130个）'));
    });
    expect(await screen.findByText('青石乡 · 第40村')).toBeTruthy();
    expect(log.filter((r) => r.path === '/regions').at(-1)!.query).toMatchObject({ level: 'community', page: '2', pageSize: '20' });

    fireEvent.change(screen.getByPlaceholderText('输入社区或村的名称'), { target: { value: '第130' } });
    await act(async () => {
      fireEvent.click(screen.getByText('搜索'));
    });
    expect(log.filter((r) => r.path === '/regions').at(-1)!.query).toMatchObject({ level: 'community', q: '第130', page: '1' });
    expect(screen.queryByText('青石乡 · 第20村')).toBeNull();
    await act(async () => {
      fireEvent.click(await screen.findByText('青石乡 · 第130村'));
    });
    expect(boardReads(log).at(-1)!.query).toMatchObject({ regionId: 'v130' });
    expect(screen.getByText('青石乡 · 第130村')).toBeTruthy();

    // 全部社区/村 in the panel clears the filter.
    await act(async () => {
      fireEvent.click(screen.getByText('青石乡 · 第130村'));
    });
    const all = screen.getAllByText('全部社区/村');
    await act(async () => {
      fireEvent.click(all[all.length - 1]);
    });
    expect(boardReads(log).at(-1)!.query.regionId).toBeUndefined();

    // A search that finds nothing says so.
    await act(async () => {
      fireEvent.click(screen.getByText('全部社区/村'));
    });
    fireEvent.change(screen.getByPlaceholderText('输入社区或村的名称'), { target: { value: '不存在' } });
    await act(async () => {
      fireEvent.click(screen.getByText('搜索'));
    });
    expect(await screen.findByText('没有名称含「不存在」的社区/村')).toBeTruthy();
  });

  it('says so when the board is empty, and offers 重试 when it fails', async () => {
    // Catches: a blank page on a failed read with no way to try again.
    let online = false;
    fakeApi({ ...filterLists, 'GET /board': () => (online ? page(1, 0, null) : 'network-error') });
    render(<AppealsPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    online = true;
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(await screen.findByText('暂无公开诉求')).toBeTruthy();
  });
});

describe('各单位本月办理情况 on the board', () => {
  const unit = (id: string, name: string, rank: number | null, satisfaction: number | null) => ({
    id,
    name,
    rank,
    score: null,
    received: 4,
    rates: Object.fromEntries(['response', 'resolution', 'satisfaction', 'onTime'].map((k) => [k, { value: k === 'satisfaction' ? satisfaction : null, numerator: 3, denominator: 4 }])),
    previous: { rank: null, score: null },
    change: { score: null, rank: null },
  });
  const rankings = (by: string, items: unknown[]) => ({ month: '2026-11', previousMonth: '2026-10', by, final: false, formula: '', items });

  it('reads the rates only when unfolded, and shows townships and units with their rates', async () => {
    // Catches: a public rates read on every visit to the tab, and a table that shows raw fractions.
    const log = fakeApi({
      ...filterLists,
      'GET /board': () => page(1, 1, null),
      'GET /board/rates': () => ({ status: 200, body: { townships: rankings('township', [unit('t1', '城关镇', 1, 0.75)]), departments: rankings('department', [unit('d1', '县水务局', null, null)]) } }),
    });
    render(<AppealsPage />);
    await screen.findByText('问：第1条：小区停水了');
    expect(log.filter((r) => r.path === '/board/rates')).toHaveLength(0);
    await act(async () => {
      fireEvent.click(screen.getByText('查看各单位本月办理情况'));
    });
    expect(await screen.findByText('第1名 · 城关镇（受理4件）')).toBeTruthy();
    expect(screen.getByText('满意率 75.0%')).toBeTruthy();
    expect(screen.getByText('2026年11月（本月进行中）')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('承办单位'));
    });
    expect(screen.getByText('— · 县水务局（受理4件）')).toBeTruthy();
    expect(screen.getByText('满意率 —')).toBeTruthy();
    expect(log.filter((r) => r.path === '/board/rates')).toHaveLength(1);
  });

  it('offers this month and the twelve closed months before it, and reads the month chosen', async () => {
    // Catches: rates stuck on this month (the issue: the month was not selectable), a month list
    // that offers months the server refuses (the future, a thirteenth closed month), and a choice
    // that does not reach the server.
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-30T17:00:00Z')); // 1 Dec 01:00 in China
    try {
      const log = fakeApi({
        ...filterLists,
        'GET /board': () => page(1, 1, null),
        'GET /board/rates': (r) => {
          const month = r.query.month ?? '2026-12';
          return { status: 200, body: { townships: { ...rankings('township', [unit('t1', '城关镇', 1, 0.75)]), month, final: month !== '2026-12' }, departments: rankings('department', []) } };
        },
      });
      render(<AppealsPage />);
      await screen.findByText('问：第1条：小区停水了');
      await act(async () => {
        fireEvent.click(screen.getByText('查看各单位本月办理情况'));
      });
      expect(await screen.findByText('2026年12月（本月进行中）')).toBeTruthy();
      expect(screen.getByText('月份：2026年12月')).toBeTruthy();
      expect(log.filter((r) => r.path === '/board/rates')[0].query.month).toBeUndefined();

      // The rates card stands above the filters: its picker comes first.
      const [monthPicker] = screen.getAllByLabelText('picker');
      const options = [...monthPicker.querySelectorAll('option')].map((o) => o.textContent);
      expect(options).toHaveLength(13);
      expect(options[0]).toBe('2026年12月（本月）');
      expect(options[1]).toBe('2026年11月');
      expect(options[12]).toBe('2025年12月');
      await act(async () => {
        fireEvent.change(monthPicker, { target: { value: '3' } });
      });
      expect(await screen.findByText('2026年9月', { selector: '.board-rates__month' })).toBeTruthy();
      expect(screen.getByText('月份：2026年9月')).toBeTruthy();
      expect(log.filter((r) => r.path === '/board/rates').at(-1)!.query).toEqual({ month: '2026-09' });
    } finally {
      now.mockRestore();
    }
  });
});

describe('the 诉求 tab signed in', () => {
  it('shows my appeals first and the board under 公开诉求', async () => {
    // Catches: a signed-in resident who can no longer read the board, or whose own list is replaced by it.
    setSession(session());
    const log = fakeApi({ ...filterLists, 'GET /me': () => ({ status: 200, body: me() }), 'GET /appeals': () => ({ status: 200, body: { items: [], nextCursor: null } }), 'GET /board': () => page(1, 1, null) });
    render(<AppealsPage />);
    expect(await screen.findByText('您还没有提交诉求')).toBeTruthy();
    expect(boardReads(log)).toHaveLength(0);
    await act(async () => {
      fireEvent.click(screen.getByText('公开诉求'));
    });
    expect(await screen.findByText('问：第1条：小区停水了')).toBeTruthy();
    expect(screen.queryByText('去登录')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByText('我的诉求'));
    });
    expect(await screen.findByText('您还没有提交诉求')).toBeTruthy();
    expect(log.filter((r) => r.path === '/appeals')).toHaveLength(2);
  });
});

describe('the board item page', () => {
  const detail = (overrides: Partial<BoardDetail> = {}): BoardDetail => ({
    ...boardItem(1),
    description: '东城社区*号楼停水了，电话138****5678',
    photos: [],
    answer: { text: '经排查为进户阀门损坏，已更换，恢复供水。', photos: [], at: '2026-11-20T08:00:00.000Z', departmentName: '县水务局' },
    rating: { resolved: true, satisfaction: 'satisfied', satisfactionLabel: '满意', comment: '很快就修好了', at: '2026-11-21T08:00:00.000Z' },
    ...overrides,
  });

  it('shows the question, the answer, the unit and the rating to a visitor, and shares as a card', async () => {
    // Catches: an item page that needs a sign-in, or one that leaves out the answer or its unit.
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: 'b1' }, path: '' } });
    const log = fakeApi({ 'GET /board/b1': () => ({ status: 200, body: detail() }) });
    render(<BoardItemPage />);
    expect(await screen.findByText('经排查为进户阀门损坏，已更换，恢复供水。')).toBeTruthy();
    expect(screen.getByText('东城社区*号楼停水了，电话138****5678')).toBeTruthy();
    expect(screen.getByText('承办单位：县水务局')).toBeTruthy();
    expect(screen.getByText('已解决 · 满意')).toBeTruthy();
    expect(screen.getByText('很快就修好了')).toBeTruthy();
    expect(log[0].headers.Authorization ?? log[0].headers.authorization).toBeUndefined();
    expect(fireShareAppMessage()).toEqual({ title: '【公开诉求】城关镇 / 东城社区 · 求助 · 停水、水质问题 · 已办结', path: '/pages/board-item/index?id=b1' });
  });

  it('says the item is gone when it was taken off the board', async () => {
    // Catches: a shared link to a removed item that spins forever.
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: 'b1' }, path: '' } });
    fakeApi({ 'GET /board/b1': () => apiError(404, 'NOT_FOUND', '公开诉求不存在') });
    render(<BoardItemPage />);
    expect(await screen.findByText('加载失败：公开诉求不存在')).toBeTruthy();
  });
});

describe('撤下 on the staff handle page', () => {
  const dispatcher = me({ id: 'u-d', name: '赵调度', roles: ['dispatcher'], roleLabels: ['指挥中心调度员'], isStaff: true });
  function appeal(overrides: Partial<AppealDetail> = {}): AppealDetail {
    return {
      ...boardItem(1),
      channel: 'miniprogram',
      channelLabel: '小程序',
      departmentId: 'd-water',
      isPublic: true,
      dueAt: null,
      overdue: false,
      directDispatch: true,
      description: '小区停水了',
      place: null,
      location: null,
      photos: [],
      reporter: { name: '王建国', phone: '13800000001', masked: false },
      isAnonymous: false,
      deadlines: { acceptBy: '2026-11-20T04:00:00.000Z', firstContactBy: '2026-11-20T04:00:00.000Z', resolveBy: '2026-11-21T02:00:00.000Z' },
      answer: { text: '已恢复供水', photos: [], at: '2026-11-20T08:00:00.000Z', departmentName: '县水务局' },
      rating: null,
      duplicateOf: null,
      timeline: [],
      dispatchSeconds: 0,
      mine: false,
      allowedActions: ['unpublish'],
      version: 7,
      boardRemoved: null,
      ...overrides,
    } as AppealDetail;
  }

  beforeEach(() => {
    (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params: { id: 'b1' }, path: '' } });
    setSession(session({ user: dispatcher }));
  });

  it('asks for a reason, sends the version the page shows, then shows who took it off and why', async () => {
    // Catches: a 撤下 without a reason, or one sent without the version (a stale page overwriting a newer decision).
    const log = fakeApi({
      'GET /appeals/b1': () => ({ status: 200, body: appeal() }),
      'POST /appeals/b1/unpublish': () => ({ status: 200, body: appeal({ isPublic: false, allowedActions: [], boardRemoved: { at: '2026-11-22T02:00:00.000Z', byName: '赵调度', reason: '涉及他人隐私' } }) }),
    });
    render(<AppealHandlePage />);
    await screen.findByText('撤下公开');
    await act(async () => {
      fireEvent.click(screen.getByText('撤下公开'));
    });
    await act(async () => {
      fireEvent.click(screen.getByText('确认撤下'));
    });
    expect(screen.getByText('请填写撤下原因（至少2个字）')).toBeTruthy();
    expect(log.filter((r) => r.method === 'POST')).toHaveLength(0);
    fireEvent.change(screen.getByPlaceholderText('如：内容涉及他人隐私'), { target: { value: '涉及他人隐私' } });
    await act(async () => {
      fireEvent.click(screen.getByText('确认撤下'));
    });
    expect(log.filter((r) => r.method === 'POST').map((r) => r.data)).toEqual([{ reason: '涉及他人隐私', version: 7 }]);
    expect(await screen.findByText('已撤下公开')).toBeTruthy();
    expect(screen.getByText('原因：涉及他人隐私')).toBeTruthy();
  });

  it('reloads the appeal when the server says the page was stale (409)', async () => {
    // Catches: a page that keeps offering 撤下 on an appeal someone else already changed.
    let reads = 0;
    fakeApi({
      'GET /appeals/b1': () => ({ status: 200, body: ++reads === 1 ? appeal() : appeal({ allowedActions: [], version: 8 }) }),
      'POST /appeals/b1/unpublish': () => apiError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改'),
    });
    render(<AppealHandlePage />);
    await screen.findByText('撤下公开');
    await act(async () => {
      fireEvent.click(screen.getByText('撤下公开'));
    });
    fireEvent.change(screen.getByPlaceholderText('如：内容涉及他人隐私'), { target: { value: '涉及他人隐私' } });
    await act(async () => {
      fireEvent.click(screen.getByText('确认撤下'));
    });
    expect(reads).toBe(2);
    expect(screen.queryByText('撤下公开')).toBeNull();
    expect(taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '内容已被他人修改，请重新加载后再修改' }));
  });
});
