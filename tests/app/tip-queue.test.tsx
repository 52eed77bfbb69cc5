// The newsroom's 爆料线索 in the staff workbench (src/packages/staff/pages/tips, tips-handle): the
// entry by role, the queue's tabs and paging, and each move on a tip sending the version it was
// shown, with a 409 reloading the tip and saying so in Chinese; against the fake API.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import TipsQueuePage from '../../src/packages/staff/pages/tips/index';
import TipsHandlePage, { TIP_STALE_MESSAGE } from '../../src/packages/staff/pages/tips-handle/index';
import { setSession } from '../../src/store/session';
import type { Column, Me, TipDetail, TipSummary } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest, type Handler } from './helpers/fake-api';
import { pageOf } from './helpers/reader-news';

const ok = (body: unknown) => ({ status: 200, body });
const posts = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST').map((r) => [r.path, r.data]);
const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};
const staff = (name: string, roles: Me['roles'], labels: string[]) => me({ id: `u-${roles.join('-')}`, name, roles, roleLabels: labels, isStaff: true });
const editor = staff('周编辑', ['editor'], ['编辑']);
const reviewer = staff('吴审核', ['reviewer'], ['审核']);
const gridWorker = staff('赵网格', ['grid_worker'], ['网格员']);
const route = (params: Record<string, string>) => (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '' } });
const buttons = () => Array.from(document.querySelectorAll('.news-buttons button')).map((b) => b.textContent);

const TIP = '665f00000000000000000abc';
const columns: Column[] = [
  { id: 'col-local', code: 'local', name: '本地新闻', reviewLevels: 1, emergency: false, sort: 1, active: true },
  { id: 'col-life', code: 'livelihood', name: '民生', reviewLevels: 1, emergency: false, sort: 2, active: true },
];

function summary(n: number, overrides: Partial<TipSummary> = {}): TipSummary {
  return { id: `665f0000000000000000${String(n).padStart(4, '0')}`, text: `第${n}条线索：幸福路菜市场门口积水`, state: 'new', stateLabel: '待处理', photoCount: 1, channel: 'miniprogram', createdAt: '2026-12-06T02:00:00.000Z', ...overrides };
}

function detail(overrides: Partial<TipDetail> = {}): TipDetail {
  return {
    ...summary(1),
    id: TIP,
    photoIds: [],
    place: '幸福路菜市场',
    happenedAt: null,
    mayContact: true,
    mayCredit: true,
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
const taken = (overrides: Partial<TipDetail> = {}) => detail({ state: 'taken', stateLabel: '已认领', takenBy: '周编辑', version: 1, ...overrides });

beforeEach(() => {
  resetTaro();
});

describe('the workbench entry', () => {
  async function entries(user: Me) {
    setSession(session({ user }));
    fakeApi({ 'GET /me': () => ok(user), 'GET /articles/counts': () => ok({ review: {}, drafts: 0, scheduled: 0, moderation: 0 }), 'GET /appeals/counts': () => ok({ byState: {}, queue: 0, direct: 0, overdue: 0 }) });
    const view = render(<WorkbenchPage />);
    await act(async () => undefined);
    const list = Array.from(document.querySelectorAll('.workbench__entry')).map((e) => e.textContent);
    view.unmount();
    return list;
  }

  test('editors and reviewers have 爆料线索; other staff do not', async () => {
    // Bug caught: the newsroom without a way to its tips, or tips (private to the newsroom) offered to a grid worker.
    expect(await entries(editor)).toContain('爆料线索');
    expect(await entries(reviewer)).toContain('爆料线索');
    expect(await entries(gridWorker)).not.toContain('爆料线索');
    setSession(session({ user: editor }));
    fakeApi({ 'GET /me': () => ok(editor), 'GET /articles/counts': () => ok({ review: {}, drafts: 0, scheduled: 0, moderation: 0 }) });
    render(<WorkbenchPage />);
    await click('爆料线索');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/tips/index' });
  });
});

describe('the queue', () => {
  test('opens on 待处理, each tab reads its state, pages by cursor, and opens a tip', async () => {
    // Bug caught: the whole queue under one tab, a tab that reads the previous state, or the second page never read.
    setSession(session({ user: editor }));
    route({});
    const log = fakeApi({
      'GET /tips': (req) => {
        if (req.query.state === 'taken') return pageOf([summary(7, { state: 'taken', stateLabel: '已认领' })]);
        return req.query.cursor === 'c2' ? pageOf([summary(2)]) : pageOf([summary(1)], 'c2');
      },
    });
    render(<TipsQueuePage />);
    await screen.findByText('第1条线索：幸福路菜市场门口积水');
    expect(log[0].query).toMatchObject({ view: 'queue', state: 'new', limit: '20' });
    expect(Array.from(document.querySelectorAll('.news-tab')).map((t) => t.textContent)).toEqual(['待处理', '已认领', '已采用', '未采用', '已转诉求']);
    await click('加载更多');
    expect(screen.getByText('第2条线索：幸福路菜市场门口积水')).toBeTruthy();
    expect(log.map((r) => r.query.cursor)).toEqual([undefined, 'c2']);

    await click('已认领');
    expect(await screen.findByText('第7条线索：幸福路菜市场门口积水')).toBeTruthy();
    expect(screen.queryByText('第1条线索：幸福路菜市场门口积水')).toBeNull();
    expect(log.at(-1)!.query).toMatchObject({ view: 'queue', state: 'taken' });
    await click('第7条线索：幸福路菜市场门口积水');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/packages/staff/pages/tips-handle/index?id=${summary(7).id}` });
  });

  test('an empty tab says which state has none', async () => {
    // Bug caught: a blank page the editor cannot tell from a failed load.
    setSession(session({ user: reviewer }));
    route({ state: 'declined' });
    fakeApi({ 'GET /tips': () => pageOf([]) });
    render(<TipsQueuePage />);
    expect(await screen.findByText('没有「未采用」的爆料')).toBeTruthy();
  });
});

describe('moves on a tip', () => {
  function open(user: Me, handlers: Record<string, Handler>) {
    setSession(session({ user }));
    route({ id: TIP });
    return fakeApi({ 'GET /columns': () => ok({ items: columns }), ...handlers });
  }

  test('认领 sends the version shown and shows the tip as taken', async () => {
    // Bug caught: a move without the version (the server refuses it, or two editors overwrite each other).
    const log = open(editor, { [`GET /tips/${TIP}`]: () => ok(detail()), [`POST /tips/${TIP}/take`]: () => ok(taken()) });
    render(<TipsHandlePage />);
    await screen.findByText('认领');
    expect(buttons()).toEqual(['认领', '回复爆料人', '转为稿件草稿', '标记已采用', '不予采用', '转为诉求']);
    expect(screen.getByText('电话：13800000000（点按拨打）')).toBeTruthy();
    await click('认领');
    expect(posts(log)).toEqual([[`/tips/${TIP}/take`, { version: 0 }]]);
    expect(screen.getByText('已认领，当前状态：已认领')).toBeTruthy();
    expect(buttons()).toEqual(['回复爆料人', '转为稿件草稿', '标记已采用', '不予采用', '转为诉求']);
    expect(screen.getByText('认领编辑：周编辑')).toBeTruthy();
  });

  test('回复爆料人 sends the text with the version; a dropped network keeps what was typed', async () => {
    // Bug caught: a reply lost to a weak signal (typed again from memory), or sent without its version.
    let attempt = 0;
    const reply = '感谢您的爆料，记者下午去现场。';
    const log = open(reviewer, {
      [`GET /tips/${TIP}`]: () => ok(taken()),
      [`POST /tips/${TIP}/reply`]: () => (++attempt === 1 ? 'network-error' : ok(taken({ version: 2, history: [...taken().history, { at: '2026-12-06T04:00:00.000Z', action: 'reply', by: '吴审核', from: 'taken', to: 'taken', note: reply }] }))),
    });
    render(<TipsHandlePage />);
    await screen.findByText('回复爆料人');
    // Reviewers do not write articles: no draft button.
    expect(buttons()).toEqual(['回复爆料人', '标记已采用', '不予采用', '转为诉求']);
    await click('回复爆料人');
    await click('确定回复爆料人');
    expect(screen.getByText('请填写回复内容（至少2个字）')).toBeTruthy();
    fireEvent.change(document.querySelector('textarea')!, { target: { value: ` ${reply} ` } });
    await click('确定回复爆料人');
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后重试' }));
    expect((document.querySelector('textarea') as HTMLTextAreaElement).value).toBe(` ${reply} `);
    await click('确定回复爆料人');
    expect(posts(log)).toEqual([
      [`/tips/${TIP}/reply`, { text: reply, version: 1 }],
      [`/tips/${TIP}/reply`, { text: reply, version: 1 }],
    ]);
    expect(document.querySelector('.tip-replies')?.textContent).toContain(reply);
  });

  test('不予采用 needs a reason and sends it with the version', async () => {
    // Bug caught: a tip declined with no word for its tipster.
    const log = open(editor, { [`GET /tips/${TIP}`]: () => ok(taken()), [`POST /tips/${TIP}/decline`]: () => ok(taken({ state: 'declined', stateLabel: '未采用', declineReason: '内容已有报道', version: 2 })) });
    render(<TipsHandlePage />);
    await screen.findByText('不予采用');
    await click('不予采用');
    await click('确定不予采用');
    expect(screen.getByText('请填写不予采用的理由（至少2个字）')).toBeTruthy();
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '内容已有报道' } });
    await click('确定不予采用');
    expect(posts(log)).toEqual([[`/tips/${TIP}/decline`, { reason: '内容已有报道', version: 1 }]]);
    expect(screen.getByText('不予采用：内容已有报道')).toBeTruthy();
    expect(buttons()).toEqual(['回复爆料人']);
  });

  test('转为稿件草稿 asks for a column and sends it with the version; the draft is then one tap away', async () => {
    // Bug caught: a draft in no column (the server refuses it), or the editor unable to find the draft written.
    const log = open(editor, { [`GET /tips/${TIP}`]: () => ok(taken()), [`POST /tips/${TIP}/draft`]: () => ok(taken({ draftArticleId: 'art9', version: 2 })) });
    render(<TipsHandlePage />);
    await screen.findByText('转为稿件草稿');
    await click('转为稿件草稿');
    await click('确定转为稿件草稿');
    expect(screen.getByText('请选择稿件栏目')).toBeTruthy();
    expect(screen.getByText('爆料人同意署名：草稿会注明线索提供人。')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('picker'), { target: { value: '1' } });
    await click('确定转为稿件草稿');
    expect(posts(log)).toEqual([[`/tips/${TIP}/draft`, { columnId: 'col-life', version: 1 }]]);
    expect(buttons()).toEqual(['回复爆料人', '标记已采用', '不予采用', '转为诉求']);
    await click('查看由此写成的稿件草稿 ›');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/article-manage/index?id=art9' });
  });

  test('标记已采用 offers the draft written from the tip, or a published article found by title', async () => {
    // Bug caught: marking used with no article (the server refuses it) or only by a typed id nobody knows.
    const log = open(editor, {
      [`GET /tips/${TIP}`]: () => ok(taken({ draftArticleId: 'art9' })),
      'GET /articles': () => pageOf([{ id: 'art5', title: '幸福路积水问题已解决' }]),
      [`POST /tips/${TIP}/use`]: (req) => ok(taken({ state: 'used', stateLabel: '已采用', articleId: req.data.articleId, version: 2 })),
    });
    render(<TipsHandlePage />);
    await screen.findByText('标记已采用');
    await click('标记已采用');
    expect(document.querySelector('.news-tab--on')?.textContent).toBe('由本爆料写成的稿件');
    fireEvent.change(screen.getByPlaceholderText('按标题查找已发布的稿件'), { target: { value: '积水' } });
    await click('查找');
    expect(log.find((r) => r.path === '/articles')?.query).toMatchObject({ state: 'published', q: '积水' });
    await click('幸福路积水问题已解决');
    await click('确定标记已采用');
    expect(posts(log)).toEqual([[`/tips/${TIP}/use`, { articleId: 'art5', version: 1 }]]);
    expect(screen.getByText('已标记为已采用，当前状态：已采用')).toBeTruthy();
  });

  test('a stale version (409) says so in Chinese and reloads the tip as it is now', async () => {
    // Bug caught: two editors on one tip, the slower one left on an outdated page pressing again (or
    // told only "服务暂时不可用").
    let reads = 0;
    const log = open(editor, {
      [`GET /tips/${TIP}`]: () => (++reads === 1 ? ok(detail()) : ok(taken({ takenBy: '钱编辑' }))),
      [`POST /tips/${TIP}/take`]: () => apiError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改'),
    });
    render(<TipsHandlePage />);
    await screen.findByText('认领');
    await click('认领');
    expect(posts(log)).toEqual([[`/tips/${TIP}/take`, { version: 0 }]]);
    expect(reads).toBe(2);
    expect(screen.getByText(TIP_STALE_MESSAGE)).toBeTruthy();
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: TIP_STALE_MESSAGE }));
    expect(screen.getByText('认领编辑：钱编辑')).toBeTruthy();
    expect(buttons()).toEqual(['回复爆料人', '转为稿件草稿', '标记已采用', '不予采用', '转为诉求']);
  });

  test('a move its state no longer allows (409) shows the server\'s reason and reloads', async () => {
    // Bug caught: the form left open on a tip someone else already declined.
    let reads = 0;
    const log = open(editor, {
      [`GET /tips/${TIP}`]: () => (++reads === 1 ? ok(taken()) : ok(taken({ state: 'declined', stateLabel: '未采用', declineReason: '重复', version: 2 }))),
      [`POST /tips/${TIP}/decline`]: () => apiError(409, 'INVALID_STATE', '爆料当前状态为「未采用」，不能执行此操作'),
    });
    render(<TipsHandlePage />);
    await screen.findByText('不予采用');
    await click('不予采用');
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '内容已有报道' } });
    await click('确定不予采用');
    expect(posts(log)).toHaveLength(1);
    expect(screen.getByText('爆料当前状态为「未采用」，不能执行此操作')).toBeTruthy();
    expect(document.querySelector('textarea')).toBeNull();
    expect(buttons()).toEqual(['回复爆料人']);
  });
});
