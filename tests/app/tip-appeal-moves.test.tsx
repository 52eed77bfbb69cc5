// Moves between the newsroom and the appeal loop in the staff workbench, against the fake API:
// 转为诉求 on the newsroom's tip page (tips-handle: community through the region picker, kind,
// category, the version shown) and 转为新闻线索 on a dispatcher's submitted appeal (appeal-handle).
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import TipsHandlePage, { TIP_STALE_MESSAGE } from '../../src/packages/staff/pages/tips-handle/index';
import AppealHandlePage from '../../src/packages/staff/pages/appeal-handle/index';
import TipDetailPage from '../../src/pages/tip-detail/index';
import { setSession } from '../../src/store/session';
import type { AppealDetail, Category, Me, RegionSummary, TipDetail } from '../../src/api/types';
import { apiError, fakeApi, me, region, session, type FakeRequest, type Handler } from './helpers/fake-api';

const ok = (body: unknown) => ({ status: 200, body });
const posts = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST').map((r) => [r.path, r.data]);
const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};
const buttons = () => Array.from(document.querySelectorAll('.news-buttons button')).map((b) => b.textContent);
const route = (params: Record<string, string>) => (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '' } });

const TIP = '665f00000000000000000abc';
const APPEAL = '665f00000000000000000def';
const township: RegionSummary = { id: 'r-cg', name: '城关镇', level: 'township', pathNames: ['东县', '城关镇'] };
const editor = me({ id: 'u-editor', name: '周编辑', roles: ['editor'], roleLabels: ['编辑'], isStaff: true, scopeRegions: [township] });
const dispatcher = me({ id: 'u-d', name: '赵调度', roles: ['dispatcher'], roleLabels: ['指挥中心调度员'], isStaff: true });
const categories: Category[] = [
  { id: 'cat-road', code: 'road', name: '道路破损', group: '市政设施', defaultDepartmentId: null, deadlines: { acceptHours: 2, firstContactHours: 24, resolveHours: 168 }, sort: 1, active: true },
];

function tip(overrides: Partial<TipDetail> = {}): TipDetail {
  return {
    id: TIP,
    text: '幸福路的护栏断了一大段，晚上很危险',
    state: 'new',
    stateLabel: '待处理',
    photoCount: 0,
    channel: 'miniprogram',
    createdAt: '2026-12-06T02:00:00.000Z',
    photoIds: [],
    place: '幸福路',
    happenedAt: null,
    mayContact: true,
    mayCredit: false,
    tipsterName: '张三',
    tipsterPhone: '13800000000',
    takenBy: null,
    declineReason: null,
    articleId: null,
    draftArticleId: null,
    appealId: null,
    appealNumber: null,
    fromAppeal: false,
    history: [{ at: '2026-12-06T02:00:00.000Z', action: 'submit', by: '张三', from: null, to: 'new', note: null }],
    version: 0,
    ...overrides,
  };
}
const moved = tip({ state: 'moved', stateLabel: '已转诉求', appealId: APPEAL, appealNumber: 'DX-20261206-0007', version: 2 });

beforeEach(() => {
  resetTaro();
});

describe('转为诉求 on the newsroom\'s tip page', () => {
  function open(handlers: Record<string, Handler>) {
    setSession(session({ user: editor }));
    route({ id: TIP });
    return fakeApi({
      'GET /categories': () => ok({ items: categories }),
      // The editor's township, then its community; the community has no grids.
      'GET /regions': (req) => ok({ items: req.query.parentId === 'r-cg' ? [region('r-xc', '西城社区', 'community', 0, 'r-cg')] : [], page: 1, pageSize: 100, total: 0 }),
      ...handlers,
    });
  }

  test('asks for the community and kind, sends them with the category and the version shown, then links the appeal', async () => {
    // Bug caught: a move sent without a community (the server refuses), without the version (a silent
    // overwrite of a colleague's move), or a moved tip still offering moves it can no longer take.
    const log = open({ [`GET /tips/${TIP}`]: () => ok(tip()), [`POST /tips/${TIP}/to-appeal`]: () => ok(moved) });
    render(<TipsHandlePage />);
    await screen.findByText('转为诉求');
    await click('转为诉求');
    await click('确定转为诉求');
    expect(screen.getByText('请选择诉求所在的社区/村或网格')).toBeTruthy();
    await click('城关镇');
    await click('西城社区');
    await click('确定转为诉求');
    expect(screen.getByText('请选择诉求类型')).toBeTruthy();
    await click('求助');
    await click('道路破损');
    await click('确定转为诉求');
    expect(posts(log)).toEqual([[`/tips/${TIP}/to-appeal`, { regionId: 'r-xc', kind: 'help', categoryId: 'cat-road', version: 0 }]]);
    expect(screen.getByText('已转为诉求，当前状态：已转诉求')).toBeTruthy();
    expect(buttons()).toEqual([]);
    await click('已转为诉求 DX-20261206-0007，查看诉求 ›');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/packages/staff/pages/appeal-handle/index?id=${APPEAL}` });
  });

  test('a stale version (409) says so in Chinese and reloads the tip', async () => {
    // Bug caught: an editor filing a tip a colleague already declined, with no sign of why it failed.
    let reads = 0;
    const log = open({
      [`GET /tips/${TIP}`]: () => ok(++reads === 1 ? tip() : tip({ state: 'declined', stateLabel: '未采用', declineReason: '已有同类报道', version: 1 })),
      [`POST /tips/${TIP}/to-appeal`]: () => apiError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改'),
    });
    render(<TipsHandlePage />);
    await screen.findByText('转为诉求');
    await click('转为诉求');
    await click('城关镇');
    await click('西城社区');
    await click('投诉');
    await click('确定转为诉求');
    expect(posts(log)).toHaveLength(1);
    expect(screen.getByText(TIP_STALE_MESSAGE)).toBeTruthy();
    expect(screen.getByText('不予采用：已有同类报道')).toBeTruthy();
    expect(buttons()).toEqual(['回复爆料人']);
  });

  test('a tip a dispatcher sent from an appeal says so and is not offered back to the appeal loop', async () => {
    // Bug caught: a tip bounced back into the loop that refused it (a second appeal of one issue).
    open({ [`GET /tips/${TIP}`]: () => ok(tip({ fromAppeal: true, appealId: APPEAL, appealNumber: 'DX-20261206-0003', mayContact: false, tipsterName: '匿名', tipsterPhone: null })) });
    render(<TipsHandlePage />);
    await screen.findByText('认领');
    expect(buttons()).not.toContain('转为诉求');
    expect(screen.getByText(/由诉求 DX-20261206-0003 转来/)).toBeTruthy();
  });
});

describe('the tipster\'s own tip, once moved', () => {
  test('says it became an appeal and opens that appeal', async () => {
    // Bug caught: a tipster told their tip moved (by message) with no way from the tip to the appeal that follows it.
    setSession(session({ user: me({ id: 'u7' }) }));
    route({ id: TIP });
    fakeApi({ [`GET /tips/${TIP}`]: () => ok({ ...moved, tipsterPhone: null, history: [...moved.history, { at: '2026-12-06T03:00:00.000Z', action: 'to_appeal', by: '编辑', from: 'new', to: 'moved', note: '转为诉求 DX-20261206-0007' }] }) });
    render(<TipDetailPage />);
    expect(await screen.findByText('您的爆料已转为诉求，可在「我的诉求」查看进度。')).toBeTruthy();
    expect(screen.getByText('转为诉求')).toBeTruthy();
    await click('诉求编号 DX-20261206-0007，查看办理进度 ›');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/appeal-detail/index?id=${APPEAL}` });
  });
});

describe('转为新闻线索 on a dispatcher\'s appeal', () => {
  function appeal(overrides: Partial<AppealDetail> = {}): AppealDetail {
    return {
      id: APPEAL,
      number: 'DX-20261206-0003',
      kind: 'suggestion',
      kindLabel: '建议',
      state: 'submitted',
      stateLabel: '待受理',
      channel: 'miniprogram',
      channelLabel: '小程序',
      categoryId: null,
      categoryName: null,
      regionId: 'r-xc',
      regionName: '城关镇 / 西城社区',
      departmentId: null,
      departmentName: null,
      excerpt: '西城社区广场周末有非遗展演',
      thumbUrl: null,
      reporterName: '李四',
      isPublic: false,
      submittedAt: '2026-12-06T02:00:00.000Z',
      dueAt: '2026-12-06T04:00:00.000Z',
      overdue: false,
      directDispatch: false,
      followersCount: 0,
      description: '西城社区广场周末有非遗展演，很热闹',
      place: null,
      location: null,
      photos: [],
      reporter: { name: '李四', phone: '13800138000', masked: false },
      isAnonymous: false,
      deadlines: { acceptBy: '2026-12-06T04:00:00.000Z', firstContactBy: '2026-12-07T02:00:00.000Z', resolveBy: '2026-12-13T02:00:00.000Z' },
      answer: null,
      rating: null,
      duplicateOf: null,
      timeline: [{ at: '2026-12-06T02:00:00.000Z', action: 'submit', actionLabel: '提交', from: null, to: 'submitted', byName: '李四', byRole: 'resident', note: null }],
      dispatchSeconds: null,
      mine: false,
      allowedActions: ['accept', 'reject', 'merge'],
      version: 1,
      boardRemoved: null,
      ...overrides,
    };
  }
  const rejected = appeal({ state: 'rejected', stateLabel: '不予受理', allowedActions: [], version: 2 });

  test('sends the appeal with the version shown and the note, then shows the appeal refused', async () => {
    // Bug caught: the move sent without the appeal's version (a decision on an outdated page), the
    // note lost, or the page still offering decisions on an appeal that left the loop.
    setSession(session({ user: dispatcher }));
    route({ id: APPEAL });
    let reads = 0;
    const log = fakeApi({
      [`GET /appeals/${APPEAL}`]: () => ok(++reads === 1 ? appeal() : rejected),
      'POST /tips/from-appeal': () => ({ status: 201, body: { tipLabel: 'BL-000ABC', appealId: APPEAL, appealState: 'rejected' } }),
    });
    render(<AppealHandlePage />);
    await screen.findByText('转为新闻线索');
    await click('转为新闻线索');
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '适合做周末文化报道' } });
    await click('确认转为新闻线索');
    expect(posts(log)).toEqual([['/tips/from-appeal', { appealId: APPEAL, version: 1, note: '适合做周末文化报道' }]]);
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已转编辑部 BL-000ABC' }));
    expect(await screen.findAllByText('不予受理')).not.toHaveLength(0);
    expect(screen.queryByText('转为新闻线索')).toBeNull();
  });

  test('not offered on an accepted appeal, nor to staff who cannot refuse it', async () => {
    // Bug caught: a button that only ends in a 409 or 403 (the server allows it from 待受理, to the region's dispatcher).
    for (const a of [appeal({ state: 'accepted', stateLabel: '已受理', allowedActions: ['assign'] }), appeal({ allowedActions: [] })]) {
      setSession(session({ user: dispatcher }));
      route({ id: APPEAL });
      fakeApi({ [`GET /appeals/${APPEAL}`]: () => ok(a) });
      const view = render(<AppealHandlePage />);
      await screen.findByText('办理');
      expect(screen.queryByText('转为新闻线索')).toBeNull();
      view.unmount();
    }
  });
});
