// The newsroom in the staff workbench against the fake API: entries by role, the typed body's
// conversion, the editor's submit, the manage page's buttons, the desk's queues and moderation.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import NewsDeskPage from '../../src/packages/staff/pages/news-desk/index';
import ArticleEditPage from '../../src/packages/staff/pages/article-edit/index';
import ArticleManagePage from '../../src/packages/staff/pages/article-manage/index';
import ModerationPage from '../../src/packages/staff/pages/moderation/index';
import { bodyHtmlToText, bodyTextToHtml } from '../../src/utils/article-body';
import { publishAtIso, scheduleError } from '../../src/packages/staff/components/NewsAccess';
import { setSession } from '../../src/store/session';
import type { ArticleManageDetail, ArticleManageItem, Column, ManageCounts, Me, ModerationItem } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest } from './helpers/fake-api';

// The shared Picker stand-in gives numbers (a range's index); date and time pickers give strings.
jest.mock('@tarojs/components', () => {
  const actual = jest.requireActual('@tarojs/components');
  const React = require('react');
  return {
    ...actual,
    Picker: (props: { mode?: string; value?: string; children?: unknown; onChange?: (e: { detail: { value: string } }) => void }) =>
      props.mode === 'date' || props.mode === 'time'
        ? React.createElement(
            'div',
            null,
            props.children,
            React.createElement('input', { 'aria-label': props.mode, value: props.value ?? '', onChange: (e: { target: { value: string } }) => props.onChange?.({ detail: { value: e.target.value } }) }),
          )
        : actual.Picker(props),
  };
});

const ok = (body: unknown) => ({ status: 200, body });
const posts = (log: FakeRequest[]) => log.filter((r) => r.method !== 'GET');
const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};
const staff = (name: string, roles: Me['roles'], labels: string[], extra: Partial<Me> = {}) => me({ id: `u-${roles.join('-')}`, name, roles, roleLabels: labels, isStaff: true, ...extra });
const editor = staff('周编辑', ['editor'], ['编辑']);
const reviewer = staff('吴审核', ['reviewer'], ['审核']);
const communityStaff = staff('王建国', ['community_staff'], ['社区工作人员'], {
  scopeRegionIds: ['m2'],
  scopeRegions: [{ id: 'm2', name: '西城社区', level: 'community', pathNames: ['东溪县', '城关镇', '西城社区'] }],
});
const admin = staff('系统管理员', ['admin'], ['系统管理员']);
const counts: ManageCounts = { review: { '1': 2, '2': 1, '3': 0 }, drafts: 4, scheduled: 1, moderation: 5 };

const columns: Column[] = [
  { id: 'col-local', code: 'local', name: '本地新闻', reviewLevels: 2, emergency: false, sort: 1, active: true },
  { id: 'col-gov', code: 'government', name: '政务', reviewLevels: 3, emergency: false, sort: 2, active: true },
  { id: 'col-old', code: 'old', name: '旧栏目', reviewLevels: 1, emergency: false, sort: 3, active: false },
];

function item(overrides: Partial<ArticleManageItem> = {}): ArticleManageItem {
  return {
    id: 'art1',
    columnId: 'col-local',
    columnCode: 'local',
    columnName: '本地新闻',
    title: '县城新建三座口袋公园',
    summary: '',
    cover: null,
    source: '县融媒体中心',
    author: '周编辑',
    regionNames: [],
    pinned: false,
    emergency: false,
    publishedAt: null,
    state: 'draft',
    stateLabel: '草稿',
    reviewLevel: null,
    reviewLevels: 2,
    publishAt: null,
    createdById: 'u-editor',
    createdByName: '周编辑',
    updatedAt: '2026-11-26T02:00:00.000Z',
    version: 0,
    rejectReason: null,
    ...overrides,
  };
}

function detail(overrides: Partial<ArticleManageDetail> = {}): ArticleManageDetail {
  return {
    ...item(),
    bodyHtml: '<p>第一段</p>',
    regionIds: [],
    views: 0,
    likes: 0,
    comments: 0,
    history: [{ at: '2026-11-26T02:00:00.000Z', action: 'create', actionLabel: '创建', level: null, byName: '周编辑', note: null }],
    allowedActions: [],
    ...overrides,
  };
}

beforeEach(() => resetTaro());

function route(params: Record<string, string>) {
  (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '' } });
}

describe('the typed body', () => {
  // Bug caught: typed markup reaching the server as tags (the server's sanitiser is the last line, not the only one).
  test('blank lines make paragraphs, ## lines headings, and everything typed is escaped', () => {
    const text = '## 工程进展\n三座公园<b>年底</b>完工\n"欢迎" & \'参观\'\n\n\n第二段\n##   交通提示  \n最后一段';
    expect(bodyTextToHtml(text)).toBe(
      '<h3>工程进展</h3><p>三座公园&lt;b&gt;年底&lt;/b&gt;完工<br/>&quot;欢迎&quot; &amp; &#39;参观&#39;</p><p>第二段</p><h3>交通提示</h3><p>最后一段</p>',
    );
    expect(bodyTextToHtml('  \n\n ')).toBe('');
  });

  // Bug caught: editing a saved article shows tags or entities, or loses its headings and paragraphs.
  test('an existing body converts back to the typed form, and round-trips', () => {
    const html = '<h3>工程<em>进展</em></h3><p class="x">第一行<br/>第二行 &amp; &lt;b&gt;</p><p>第二段&nbsp;</p><img src="a.jpg"/>';
    expect(bodyHtmlToText(html)).toBe('## 工程进展\n\n第一行\n第二行 & <b>\n\n第二段');
    const text = '## 标题\n\n一\n二\n\n三 <x> & "y"';
    expect(bodyHtmlToText(bodyTextToHtml(text))).toBe(text);
  });

  // Bug caught: a publish time sent in the device's zone or without an offset, or one in the past accepted.
  test('publish time is Beijing time with +08:00 and must be in the future', () => {
    expect(publishAtIso('2026-11-28', '08:30')).toBe('2026-11-28T08:30:00+08:00');
    const now = new Date('2026-11-28T00:00:00.000Z'); // 08:00 in Beijing
    expect(scheduleError('2026-11-28', '08:00', now)).toBe('定时发布时间须晚于现在');
    expect(scheduleError('2026-11-28', '08:01', now)).toBeNull();
    expect(scheduleError('', '08:01', now)).toBe('请选择定时发布的日期和时间');
  });
});

describe('workbench entries by role', () => {
  const entries = () => Array.from(document.querySelectorAll('.workbench__entry')).map((e) => e.textContent);
  async function show(user: Me) {
    setSession(session({ user }));
    const log = fakeApi({ 'GET /me': () => ok(user), 'GET /articles/counts': () => ok(counts), 'GET /appeals/counts': () => ok({ byState: {}, queue: 0, direct: 0, overdue: 0 }) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    return log;
  }
  const badgeOf = (title: string) => screen.getByText(title).closest('.list-row')?.querySelector('.workbench__badge')?.textContent ?? null;

  // Bug caught: an editor without a way into the newsroom, or the comment queue's badge missing.
  test('editors: 写稿, 稿件管理, 通知管理, 评论审核 with the moderation badge', async () => {
    await show(editor);
    expect(entries()).toEqual(expect.arrayContaining(['写稿', '稿件管理', '通知管理', '评论审核']));
    expect(entries()).not.toContain('审核稿件');
    expect(entries()).not.toContain('服务目录');
    expect(badgeOf('评论审核')).toBe('5');
    await click('写稿');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/article-edit/index' });
  });

  // Bug caught: reviewers land on the editor's list instead of their queue, or the badge counts one level only.
  // They also write notices county-wide (docs/PRODUCT.md; the server's notice writers).
  test('reviewers: 审核稿件 (all levels waiting) opens the review tab; 评论审核, 通知管理', async () => {
    await show(reviewer);
    expect(entries()).toEqual(expect.arrayContaining(['审核稿件', '评论审核', '通知管理']));
    expect(entries()).not.toContain('写稿');
    expect(entries()).not.toContain('稿件管理');
    expect(badgeOf('审核稿件')).toBe('3');
    await click('审核稿件');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/news-desk/index?tab=review' });
  });

  // Bug caught: community staff offered the newsroom (the server refuses them) or asking for its counts.
  test('community staff: 通知管理 only, and no newsroom counts', async () => {
    const log = await show(communityStaff);
    expect(entries()).toContain('通知管理');
    for (const e of ['写稿', '稿件管理', '审核稿件', '评论审核', '服务目录']) expect(entries()).not.toContain(e);
    expect(log.some((r) => r.path === '/articles/counts')).toBe(false);
  });

  // Bug caught: admins missing the services directory they alone manage.
  test('admins: everything, plus 服务目录', async () => {
    await show(admin);
    expect(entries()).toEqual(expect.arrayContaining(['写稿', '稿件管理', '审核稿件', '通知管理', '评论审核', '服务目录']));
    await click('服务目录');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/services-admin/index' });
  });
});

describe('news desk', () => {
  // Bug caught: the review queue asks for the wrong level (or all states), or the sub-tabs lack their numbers.
  test('待审核 lists a level queue with counts; switching level and searching query the server', async () => {
    setSession(session({ user: reviewer }));
    route({ tab: 'review' });
    const log = fakeApi({
      'GET /articles/counts': () => ok(counts),
      'GET /articles': (req) =>
        ok({ items: [item({ id: `a-${req.query.level}`, title: `第${req.query.level}级的稿件`, state: 'review', stateLabel: '审核中', reviewLevel: Number(req.query.level) })], nextCursor: null }),
    });
    render(<NewsDeskPage />);
    expect(await screen.findByText('第1级的稿件')).toBeTruthy();
    expect(screen.getByText('审核中 · 初审（1/2）')).toBeTruthy();
    expect(screen.getByText('复审 1')).toBeTruthy();
    await click('复审 1');
    expect(await screen.findByText('第2级的稿件')).toBeTruthy();
    fireEvent.change(document.querySelector('.news-search input')!, { target: { value: '公园' } });
    await click('搜索');
    const lists = log.filter((r) => r.path === '/articles').map((r) => r.query);
    expect(lists).toEqual([
      { level: '1', limit: '20' },
      { level: '2', limit: '20' },
      { level: '2', q: '公园', limit: '20' },
    ]);
    await click('第2级的稿件');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/article-manage/index?id=a-2' });
  });

  // Bug caught: 我的稿件 showing colleagues' drafts, the state chip not filtering, or the next page never asked for.
  test('我的稿件: mine=true, state chips, and the cursor page appended', async () => {
    setSession(session({ user: editor }));
    route({});
    const log = fakeApi({
      'GET /articles/counts': () => ok(counts),
      'GET /articles': (req) =>
        req.query.cursor ? ok({ items: [item({ id: 'a2', title: '第二页的稿件' })], nextCursor: null }) : ok({ items: [item({ rejectReason: '标题不准确' })], nextCursor: 'c1' }),
    });
    render(<NewsDeskPage />);
    expect(await screen.findByText('县城新建三座口袋公园')).toBeTruthy();
    expect(screen.getByText('退回原因：标题不准确')).toBeTruthy();
    await click('加载更多');
    expect(screen.getByText('第二页的稿件')).toBeTruthy();
    expect(screen.getByText('没有更多了')).toBeTruthy();
    // The main tab (the state chips below also have 已发布).
    await act(async () => {
      fireEvent.click(screen.getAllByText('已发布')[0]);
    });
    const lists = log.filter((r) => r.path === '/articles').map((r) => r.query);
    expect(lists).toEqual([{ mine: 'true', limit: '20' }, { mine: 'true', cursor: 'c1', limit: '20' }, { state: 'published', limit: '20' }]);
  });

  // Bug caught: a failed load shows an empty list (as if there were no articles) instead of the error.
  test('an error is shown with 重试', async () => {
    setSession(session({ user: editor }));
    route({});
    let calls = 0;
    fakeApi({ 'GET /articles/counts': () => ok(counts), 'GET /articles': () => (++calls === 1 ? 'network-error' : ok({ items: [], nextCursor: null })) });
    render(<NewsDeskPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    await click('重试');
    expect(await screen.findByText('暂无稿件')).toBeTruthy();
  });
});

describe('article editor', () => {
  async function fill() {
    await screen.findByText('本地新闻 · 需2级审核');
    expect(screen.queryByText(/旧栏目/)).toBeNull();
    await click('本地新闻 · 需2级审核');
    const [title] = Array.from(document.querySelectorAll('input.news-input')) as HTMLInputElement[];
    fireEvent.change(title, { target: { value: '县城新建三座口袋公园' } });
    fireEvent.change(document.querySelector('.news-textarea--body')!, { target: { value: '## 工程进展\n年底<完工>\n\n欢迎市民参观' } });
  }

  // Bug caught: the body sent as typed text (or unescaped), the schedule sent without an offset or not at all.
  test('a new article: created with HTML, then submitted with publishAt, then its page opens', async () => {
    setSession(session({ user: editor }));
    route({});
    const log = fakeApi({
      'GET /me': () => ok(editor),
      'GET /columns': () => ok({ items: columns }),
      'GET /regions': () => ok({ items: [], total: 0, page: 1, pageSize: 100 }),
      'POST /articles': (req) => ({ status: 201, body: detail({ id: 'new1', title: req.data.title, allowedActions: ['edit', 'submit'] }) }),
      'POST /articles/new1/submit': () => ok(detail({ id: 'new1', state: 'review', stateLabel: '审核中', reviewLevel: 1 })),
    });
    render(<ArticleEditPage />);
    await fill();
    fireEvent.click(screen.getByRole('switch'));
    fireEvent.change(screen.getByLabelText('date'), { target: { value: '2099-01-02' } });
    fireEvent.change(screen.getByLabelText('time'), { target: { value: '07:30' } });
    await click('提交审核');
    expect(posts(log).map((r) => [r.path, r.data])).toEqual([
      [
        '/articles',
        {
          columnId: 'col-local',
          title: '县城新建三座口袋公园',
          summary: '',
          bodyHtml: '<h3>工程进展</h3><p>年底&lt;完工&gt;</p><p>欢迎市民参观</p>',
          coverPhotoId: null,
          source: '县融媒体中心',
          author: '周编辑',
          regionIds: [],
          idempotencyKey: expect.stringMatching(/^mp-/),
        },
      ],
      ['/articles/new1/submit', { publishAt: '2099-01-02T07:30:00+08:00' }],
    ]);
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/article-manage/index?id=new1' });
    // The server has it: the device's copy is gone.
    expect(Taro.getStorageSync(`xianrong.article-draft.${editor.id}.new`)).toBe('');
  });

  // Bug caught: an incomplete article sent to the server, a network failure losing the editor's text,
  // or a retry after a lost answer sent with a new key (the server would make a second draft).
  test('checks the fields first, keeps the text (also on the device) when the network fails, and retries with the same key', async () => {
    setSession(session({ user: editor }));
    route({});
    const log = fakeApi({
      'GET /me': () => ok(editor),
      'GET /columns': () => ok({ items: columns }),
      'GET /regions': () => ok({ items: [], total: 0, page: 1, pageSize: 100 }),
      'POST /articles': () => 'network-error',
    });
    render(<ArticleEditPage />);
    await screen.findByText('本地新闻 · 需2级审核');
    await click('保存草稿');
    expect(screen.getByText('请选择栏目')).toBeTruthy();
    expect(screen.getByText('标题为4到60个字')).toBeTruthy();
    expect(screen.getByText('请填写正文')).toBeTruthy();
    expect(posts(log)).toHaveLength(0);

    await fill();
    await click('保存草稿');
    expect(posts(log)).toHaveLength(1);
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后重试' }));
    expect((document.querySelector('.news-textarea--body') as HTMLTextAreaElement).value).toBe('## 工程进展\n年底<完工>\n\n欢迎市民参观');
    expect((Taro.getStorageSync(`xianrong.article-draft.${editor.id}.new`) as { title: string }).title).toBe('县城新建三座口袋公园');

    await click('保存草稿');
    const keys = posts(log).map((r) => (r.data as { idempotencyKey: string }).idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_:.-]{8,80}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  // Bug caught: editing a saved article shows its HTML source, or saving creates a second article.
  test('?id= edits the draft: the body comes back as typed text, 保存草稿 updates it', async () => {
    setSession(session({ user: editor }));
    route({ id: 'art1' });
    const log = fakeApi({
      'GET /me': () => ok(editor),
      'GET /columns': () => ok({ items: columns }),
      'GET /regions': () => ok({ items: [], total: 0, page: 1, pageSize: 100 }),
      'GET /articles/art1': () => ok(detail({ bodyHtml: '<h3>进展</h3><p>第一段</p>', rejectReason: '请补充时间', allowedActions: ['edit', 'submit'] })),
      'PATCH /articles/art1': () => ok(detail({ allowedActions: ['edit', 'submit'] })),
    });
    render(<ArticleEditPage />);
    expect(await screen.findByText('退回原因：请补充时间')).toBeTruthy();
    expect((document.querySelector('.news-textarea--body') as HTMLTextAreaElement).value).toBe('## 进展\n\n第一段');
    fireEvent.change(document.querySelector('.news-textarea--body')!, { target: { value: '## 进展\n\n第一段，补充：12月1日开放' } });
    await click('保存草稿');
    expect(posts(log).map((r) => [r.method, r.path, r.data.bodyHtml])).toEqual([['PATCH', '/articles/art1', '<h3>进展</h3><p>第一段，补充：12月1日开放</p>']]);
    expect(screen.getByText('草稿已保存')).toBeTruthy();
  });
});

describe('article editor: lost answers, reloads and someone else\'s save', () => {
  const base = {
    'GET /me': () => ok(editor),
    'GET /columns': () => ok({ items: columns }),
    'GET /regions': () => ok({ items: [], total: 0, page: 1, pageSize: 100 }),
  };
  const typeBody = (value: string) => fireEvent.change(document.querySelector('.news-textarea--body')!, { target: { value } });
  async function start() {
    await screen.findByText('本地新闻 · 需2级审核');
    await click('本地新闻 · 需2级审核');
    fireEvent.change(document.querySelector('input.news-input')!, { target: { value: '县城新建三座口袋公园' } });
  }

  // Bug caught: the first 保存's answer lost, the text changed, then 提交审核: the retried create (same
  // key) answered with the first draft, and the old text went to review and publication.
  test('lost answer of the first save + changed text + 提交审核 submits the new text, never the old', async () => {
    setSession(session({ user: editor }));
    route({});
    const byKey = new Map<string, { id: string; body: string }>();
    let lose = true;
    const submitted: string[] = [];
    const log = fakeApi({
      ...base,
      'POST /articles': (req) => {
        const first = byKey.get(req.data.idempotencyKey);
        if (first && first.body !== req.data.bodyHtml) return apiError(409, 'CONFLICT', '同一提交标识已用于内容不同的另一次提交，请刷新后重新保存');
        const id = first?.id ?? `a${byKey.size + 1}`;
        byKey.set(req.data.idempotencyKey, { id, body: req.data.bodyHtml });
        if (lose) {
          lose = false;
          return 'network-error';
        }
        return { status: 201, body: detail({ id, bodyHtml: req.data.bodyHtml, allowedActions: ['edit', 'submit'], version: 0 }) };
      },
      'POST /articles/a1/submit': () => {
        submitted.push('a1');
        return ok(detail({ id: 'a1', state: 'review' }));
      },
      'POST /articles/a2/submit': (req) => {
        submitted.push(`a2 ${req.headers['If-Match']}`);
        return ok(detail({ id: 'a2', state: 'review', stateLabel: '审核中' }));
      },
    });
    render(<ArticleEditPage />);
    await start();
    typeBody('第一版正文');
    await click('保存草稿');
    typeBody('第二版正文，改过了');
    await click('提交审核');
    const creates = posts(log).filter((r) => r.path === '/articles');
    expect(creates.map((r) => r.data.bodyHtml)).toEqual(['<p>第一版正文</p>', '<p>第二版正文，改过了</p>']);
    expect(creates[1].data.idempotencyKey).not.toBe(creates[0].data.idempotencyKey);
    expect(submitted).toEqual(['a2 "v0"']);
  });

  // Bug caught: after the first save a reload of the page creating a second article instead of updating the first.
  test('once created, the device keeps the draft id: the page opened again updates it (PATCH on its version)', async () => {
    setSession(session({ user: editor }));
    route({});
    const log = fakeApi({
      ...base,
      'POST /articles': () => ({ status: 201, body: detail({ id: 'a7', allowedActions: ['edit', 'submit'], version: 0 }) }),
      'GET /articles/a7': () => ok(detail({ id: 'a7', allowedActions: ['edit', 'submit'], version: 0 })),
      'PATCH /articles/a7': (req) => ok(detail({ id: 'a7', allowedActions: ['edit', 'submit'], version: req.data.version + 1 })),
    });
    const first = render(<ArticleEditPage />);
    await start();
    typeBody('第一版正文');
    await click('保存草稿');
    typeBody('保存后又写的正文');
    first.unmount();
    render(<ArticleEditPage />);
    expect(await screen.findByText('已恢复上次未保存的内容')).toBeTruthy();
    expect((document.querySelector('.news-textarea--body') as HTMLTextAreaElement).value).toBe('保存后又写的正文');
    await click('保存草稿');
    expect(posts(log).map((r) => [r.method, r.path, r.data.version])).toEqual([
      ['POST', '/articles', undefined],
      ['PATCH', '/articles/a7', 0],
    ]);
  });

  // Bug caught: two devices editing one draft, the second save silently replacing the first, or the typed text lost on the 409.
  test('a 409 STALE_VERSION reloads the server\'s copy and keeps the typed text visible to take back', async () => {
    setSession(session({ user: editor }));
    route({ id: 'art1' });
    let reads = 0;
    const log = fakeApi({
      ...base,
      'GET /articles/art1': () => ok(detail({ bodyHtml: ++reads === 1 ? '<p>原来的正文</p>' : '<p>同事改过的正文</p>', allowedActions: ['edit', 'submit'], version: reads === 1 ? 0 : 2 })),
      'PATCH /articles/art1': (req) =>
        req.data.version === 2 ? ok(detail({ allowedActions: ['edit', 'submit'], version: 3 })) : apiError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改'),
    });
    render(<ArticleEditPage />);
    await screen.findByDisplayValue('原来的正文');
    typeBody('我在电脑上改的正文');
    await click('保存草稿');
    expect(screen.getByText('内容已被他人修改，已为你重新加载')).toBeTruthy();
    expect(reads).toBe(2);
    expect((document.querySelector('.news-textarea--body') as HTMLTextAreaElement).value).toBe('同事改过的正文');
    expect(screen.getByText('我在电脑上改的正文')).toBeTruthy();
    await click('用我的内容继续编辑');
    await click('保存草稿');
    expect(posts(log).map((r) => [r.data.bodyHtml, r.data.version])).toEqual([
      ['<p>我在电脑上改的正文</p>', 0],
      ['<p>我在电脑上改的正文</p>', 2],
    ]);
    expect(screen.getByText('草稿已保存')).toBeTruthy();
  });
});

describe('article editor drafts and refusals', () => {
  const base = {
    'GET /me': () => ok(editor),
    'GET /columns': () => ok({ items: columns }),
    'GET /regions': () => ok({ items: [], total: 0, page: 1, pageSize: 100 }),
  };

  // Bug caught: an editor's unsaved text lost when the app was closed, or a stale copy that cannot be dropped.
  test('an unsaved new article comes back from the device; 放弃这些修改 starts clean', async () => {
    setSession(session({ user: editor }));
    route({});
    Taro.setStorageSync(`xianrong.article-draft.${editor.id}.new`, { columnId: 'col-gov', title: '昨晚写了一半', summary: '', author: '周编辑', source: '县融媒体中心', cover: null, regions: [], body: '半段正文', schedule: false, date: '', time: '' });
    fakeApi(base);
    render(<ArticleEditPage />);
    expect(await screen.findByText('已恢复上次未保存的内容')).toBeTruthy();
    expect((document.querySelector('input.news-input') as HTMLInputElement).value).toBe('昨晚写了一半');
    await screen.findByText('政务 · 需3级审核');
    expect(document.querySelector('.chip--on')?.textContent).toBe('政务 · 需3级审核');
    await click('放弃这些修改');
    expect((document.querySelector('input.news-input') as HTMLInputElement).value).toBe('');
    expect(Taro.getStorageSync(`xianrong.article-draft.${editor.id}.new`)).toBe('');
  });

  // Bug caught: the server's reason for a refusal (400) only flashed in a toast, or the form emptied.
  test('a 400 shows the server message on the page and keeps the form', async () => {
    setSession(session({ user: editor }));
    route({});
    fakeApi({ ...base, 'POST /articles': () => apiError(400, 'VALIDATION_ERROR', '正文不能为空：过滤后没有可显示的内容') });
    render(<ArticleEditPage />);
    await screen.findByText('本地新闻 · 需2级审核');
    await click('本地新闻 · 需2级审核');
    fireEvent.change(document.querySelector('input.news-input')!, { target: { value: '县城新建三座口袋公园' } });
    fireEvent.change(document.querySelector('.news-textarea--body')!, { target: { value: '正文' } });
    await click('保存草稿');
    expect(screen.getByText('正文不能为空：过滤后没有可显示的内容')).toBeTruthy();
    expect((document.querySelector('input.news-input') as HTMLInputElement).value).toBe('县城新建三座口袋公园');
  });
});

describe('article manage', () => {
  const buttons = () => Array.from(document.querySelectorAll('.article-manage__actions .news-buttons button')).map((b) => b.textContent);

  // Bug caught: buttons the server would refuse (or missing ones it allows) for this viewer.
  test('shows exactly the allowed moves, the preview and the history', async () => {
    setSession(session({ user: reviewer }));
    route({ id: 'art1' });
    fakeApi({
      'GET /articles/art1': () =>
        ok(
          detail({
            state: 'review',
            stateLabel: '审核中',
            reviewLevel: 2,
            bodyHtml: '<h3>进展</h3><p>第一段</p>',
            history: [
              { at: '2026-11-26T02:00:00.000Z', action: 'submit', actionLabel: '提交审核', level: null, byName: '周编辑', note: null },
              { at: '2026-11-26T03:00:00.000Z', action: 'approve', actionLabel: '审核通过', level: 1, byName: '郑审核', note: '同意' },
            ],
            allowedActions: ['reject', 'approve'],
          }),
        ),
    });
    render(<ArticleManagePage />);
    expect(await screen.findByText('审核中 · 复审（2/2）')).toBeTruthy();
    expect(buttons()).toEqual(['通过', '退回']);
    expect(screen.getByTestId('rich-text').innerHTML).toBe('<h3>进展</h3><p>第一段</p>');
    expect(screen.getByText('审核通过（初审）')).toBeTruthy();
    expect(screen.getByText('同意')).toBeTruthy();
  });

  // Bug caught: 退回 without a reason reaching the server, or the reason not sent.
  test('退回 needs a reason and sends it', async () => {
    setSession(session({ user: reviewer }));
    route({ id: 'art1' });
    const log = fakeApi({
      'GET /articles/art1': () => ok(detail({ state: 'review', stateLabel: '审核中', reviewLevel: 1, allowedActions: ['approve', 'reject'] })),
      'POST /articles/art1/reject': (req) => ok(detail({ rejectReason: req.data.reason, allowedActions: [] })),
    });
    render(<ArticleManagePage />);
    await screen.findByText('退回');
    await click('退回');
    await click('确定退回');
    expect(screen.getByText('请填写退回原因（至少2个字）')).toBeTruthy();
    expect(posts(log)).toHaveLength(0);
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '  标题与内容不符 ' } });
    await click('确定退回');
    expect(posts(log).map((r) => [r.path, r.data])).toEqual([['/articles/art1/reject', { reason: '标题与内容不符' }]]);
    expect(screen.getByText('已退回，当前状态：草稿')).toBeTruthy();
    expect(screen.getByText('退回原因：标题与内容不符')).toBeTruthy();
  });

  // Bug caught: two reviewers approve at once; the loser keeps a stale page and presses again.
  test('a 409 shows the server message and reloads the article', async () => {
    setSession(session({ user: reviewer }));
    route({ id: 'art1' });
    let reads = 0;
    const log = fakeApi({
      'GET /articles/art1': () =>
        ++reads === 1
          ? ok(detail({ state: 'review', stateLabel: '审核中', reviewLevel: 1, allowedActions: ['approve', 'reject'] }))
          : ok(detail({ state: 'published', stateLabel: '已发布', publishedAt: '2026-11-26T04:00:00.000Z', allowedActions: ['withdraw', 'pin'] })),
      'POST /articles/art1/approve': () => apiError(409, 'INVALID_STATE', '稿件当前状态为「已发布」，不能审核'),
    });
    render(<ArticleManagePage />);
    await screen.findByText('通过');
    await click('通过');
    await click('确定通过');
    expect(posts(log).map((r) => r.data)).toEqual([{}]);
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '稿件当前状态为「已发布」，不能审核' }));
    expect(reads).toBe(2);
    expect(buttons()).toEqual(['置顶', '撤回']);
  });

  // Bug caught: 置顶 sending the wrong flag for a pinned article; 修改 not opening the editor.
  test('置顶 toggles with pin {pinned}; 修改 opens the editor', async () => {
    setSession(session({ user: editor }));
    route({ id: 'art1' });
    const log = fakeApi({
      'GET /articles/art1': () => ok(detail({ state: 'published', stateLabel: '已发布', pinned: true, allowedActions: ['pin', 'withdraw'] })),
      'POST /articles/art1/pin': (req) => ok(detail({ state: 'published', stateLabel: '已发布', pinned: req.data.pinned, allowedActions: ['pin', 'withdraw'] })),
    });
    render(<ArticleManagePage />);
    await screen.findByText('取消置顶');
    await click('取消置顶');
    expect(posts(log).map((r) => [r.path, r.data])).toEqual([['/articles/art1/pin', { pinned: false }]]);
    expect(buttons()).toEqual(['置顶', '撤回']);

    resetTaro();
    route({ id: 'art2' });
    fakeApi({ 'GET /articles/art2': () => ok(detail({ id: 'art2', allowedActions: ['edit', 'submit'] })) });
    render(<ArticleManagePage />);
    await screen.findAllByText('修改');
    await act(async () => {
      fireEvent.click(screen.getAllByText('修改').at(-1)!);
    });
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/article-edit/index?id=art2' });
  });
});

describe('comment moderation', () => {
  const comment = (overrides: Partial<ModerationItem> = {}): ModerationItem => ({
    id: 'c1',
    articleId: 'art1',
    consultationId: null,
    authorName: '李*',
    text: '这条评论含有敏感词',
    state: 'held',
    stateLabel: '待审核',
    mine: false,
    createdAt: '2026-11-26T02:00:00.000Z',
    articleTitle: '县城新建三座口袋公园',
    heldFor: 'sensitive',
    matchedWords: ['敏感词'],
    reports: 0,
    reportReasons: [],
    ...overrides,
  });

  // Bug caught: a decided comment staying in the queue, or 删除 sent as approve.
  test('待审核 then 被举报; 通过 and 删除 send their decision and leave the list', async () => {
    setSession(session({ user: editor }));
    const log = fakeApi({
      'GET /comments/moderation': (req) =>
        req.query.state === 'held'
          ? ok({ items: [comment()], nextCursor: null })
          : ok({ items: [comment({ id: 'c2', text: '被举报的评论', state: 'hidden', heldFor: 'reports', matchedWords: [], reports: 3, reportReasons: ['垃圾广告', '垃圾广告', '虚假信息'] })], nextCursor: null }),
      'POST /comments/c1/decision': () => ok({ ...comment(), state: 'visible' }),
      'POST /comments/c2/decision': () => ok({ ...comment({ id: 'c2' }), state: 'removed' }),
    });
    render(<ModerationPage />);
    expect(await screen.findByText('这条评论含有敏感词')).toBeTruthy();
    expect(screen.getByText('敏感词：敏感词')).toBeTruthy();
    expect(screen.getByText('《县城新建三座口袋公园》')).toBeTruthy();
    await click('通过');
    expect(screen.getByText('没有待审核的评论')).toBeTruthy();

    await click('被举报');
    expect(await screen.findByText('被举报 3 次')).toBeTruthy();
    // The editor sees why, each reason once with its count.
    expect(screen.getByText('举报理由：垃圾广告 ×2、虚假信息')).toBeTruthy();
    await click('删除');
    expect(Taro.showModal).toHaveBeenCalled();
    expect(screen.getByText('没有被举报的评论')).toBeTruthy();
    expect(posts(log).map((r) => [r.path, r.data])).toEqual([
      ['/comments/c1/decision', { decision: 'approve' }],
      ['/comments/c2/decision', { decision: 'remove' }],
    ]);
  });

  // Bug caught: another editor decided first and this one's list keeps a comment that is gone.
  test('a 409 reloads the queue', async () => {
    setSession(session({ user: editor }));
    let reads = 0;
    fakeApi({
      'GET /comments/moderation': () => ok({ items: ++reads === 1 ? [comment()] : [], nextCursor: null }),
      'POST /comments/c1/decision': () => apiError(409, 'INVALID_STATE', '该评论已由其他编辑处理'),
    });
    render(<ModerationPage />);
    await screen.findByText('这条评论含有敏感词');
    await click('通过');
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '该评论已由其他编辑处理' }));
    expect(reads).toBe(2);
    expect(screen.getByText('没有待审核的评论')).toBeTruthy();
  });
});
