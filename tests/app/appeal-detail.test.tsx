// The appeal's detail page: what it shows, exactly the actions `allowedActions` allows, and the
// bodies of 评价 and 重新办理.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { fireShareAppMessage, resetTaro } from './stubs/taro';
import { inH5 } from './helpers/in-h5';
import AppealDetailPage from '../../src/pages/appeal-detail/index';
import { setSession } from '../../src/store/session';
import type { AllowedAction, AppealDetail } from '../../src/api/types';
import { API_BASE } from '../../src/api/base';
import { apiError, fakeApi, me, session, type FakeRequest, type Handler } from './helpers/fake-api';

jest.mock('@tarojs/components', () => {
  const actual = jest.requireActual('@tarojs/components');
  const { createElement } = jest.requireActual('react');
  return {
    ...actual,
    Textarea: ({ className, value, placeholder, onInput }: { className?: string; value?: string; placeholder?: string; onInput?: (e: { detail: { value: string } }) => void }) =>
      createElement('textarea', { className, value: value ?? '', placeholder, onChange: (e: { target: { value: string } }) => onInput?.({ detail: { value: e.target.value } }) }),
  };
});

const taro = Taro as unknown as Record<string, jest.Mock>;
const PHOTO = 'e'.repeat(64);
const ANSWER_PHOTO = 'f'.repeat(64);

function appeal(overrides: Partial<AppealDetail> = {}): AppealDetail {
  return {
    id: 'a1',
    number: 'DX-20261126-0042',
    kind: 'help',
    kindLabel: '求助',
    state: 'replied',
    stateLabel: '已答复',
    channel: 'miniprogram',
    channelLabel: '小程序',
    categoryId: 'c1',
    categoryName: '停水、水质问题',
    regionId: 'm2',
    regionName: '城关镇 / 西城社区',
    departmentId: 'd1',
    departmentName: '县水务局',
    excerpt: '三号楼停水',
    thumbUrl: `/api/v1/photos/${PHOTO}/thumb`,
    reporterName: '张三',
    isPublic: true,
    submittedAt: '2026-11-25T01:00:00.000Z',
    dueAt: null,
    overdue: false,
    directDispatch: true,
    followersCount: 0,
    description: '三号楼从昨晚开始停水，到现在没有来水。',
    place: '三号楼东门',
    location: null,
    photos: [{ id: PHOTO, url: `/api/v1/photos/${PHOTO}`, thumbUrl: `/api/v1/photos/${PHOTO}/thumb` }],
    reporter: { name: '张三', phone: null, masked: false },
    isAnonymous: false,
    deadlines: { acceptBy: '2026-11-25T03:00:00.000Z', firstContactBy: '2026-11-26T01:00:00.000Z', resolveBy: '2026-11-26T01:00:00.000Z' },
    answer: { text: '管道已抢修完毕，今天上午十点恢复供水。', photos: [{ id: ANSWER_PHOTO, url: `/api/v1/photos/${ANSWER_PHOTO}`, thumbUrl: `/api/v1/photos/${ANSWER_PHOTO}/thumb` }], at: '2026-11-25T06:00:00.000Z', departmentName: '县水务局' },
    rating: null,
    duplicateOf: null,
    timeline: [
      { at: '2026-11-25T01:00:00.000Z', action: 'submit', actionLabel: '提交', from: null, to: 'submitted', byName: '张三', byRole: 'resident', note: null },
      { at: '2026-11-25T01:00:01.000Z', action: 'assign', actionLabel: '派单', from: 'accepted', to: 'assigned', byName: '系统', byRole: null, note: '按分类直派' },
      { at: '2026-11-25T06:00:00.000Z', action: 'reply', actionLabel: '答复', from: 'in_progress', to: 'replied', byName: '县水务局 王五', byRole: 'department_staff', note: null },
    ],
    dispatchSeconds: 1,
    mine: true,
    allowedActions: ['rate', 'reopen'],
    version: 3,
    boardRemoved: null,
    ...overrides,
  };
}

function open(detail: AppealDetail, extra: Record<string, Handler> = {}): FakeRequest[] {
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: detail.id }, path: '/pages/appeal-detail/index' } });
  return fakeApi({ 'GET /me': () => ({ status: 200, body: me() }), [`GET /appeals/${detail.id}`]: () => ({ status: 200, body: detail }), ...extra });
}

const buttons = () => Array.from(document.querySelectorAll('.appeal-detail__actions button')).map((b) => b.textContent);

beforeEach(() => {
  resetTaro();
  setSession(session());
  taro.previewImage = jest.fn();
});

test('shows the report, the answer with its photos, the deadlines and the timeline newest first', async () => {
  // Catches a detail page that hides the official answer or the steps a resident follows.
  open(appeal());
  render(<AppealDetailPage />);
  expect(await screen.findByText('DX-20261126-0042')).toBeTruthy();
  expect(screen.getByText('已答复')).toBeTruthy();
  expect(screen.getByText('求助 · 停水、水质问题')).toBeTruthy();
  expect(screen.getByText('城关镇 / 西城社区 · 三号楼东门')).toBeTruthy();
  expect(screen.getByText('管道已抢修完毕，今天上午十点恢复供水。')).toBeTruthy();
  expect(screen.getByText('承办单位：县水务局')).toBeTruthy();
  expect(screen.getByText(/^办结期限：/)).toBeTruthy();
  const actions = Array.from(document.querySelectorAll('.timeline__action')).map((e) => e.textContent);
  expect(actions).toEqual(['答复', '派单', '提交']);
  expect(screen.getByText('按分类直派')).toBeTruthy();

  // A tap on a photo opens the full-size pictures, on the API origin (WeChat needs the absolute address).
  expect(API_BASE).toBe('http://127.0.0.1:3000');
  const thumbs = document.querySelectorAll('.photo-grid__thumb');
  expect(thumbs).toHaveLength(2);
  fireEvent.click(thumbs[1]);
  const full = `${API_BASE}/api/v1/photos/${ANSWER_PHOTO}`;
  expect(taro.previewImage).toHaveBeenCalledWith({ urls: [full], current: full });
  expect(thumbs[0].getAttribute('src')).toBe(`${API_BASE}/api/v1/photos/${PHOTO}/thumb`);
});

test.each<[AllowedAction[], string[]]>([
  [['rate', 'reopen'], ['评价', '重新办理']],
  [['remind', 'follow'], ['催办', '同问']],
  [['remind'], ['催办']],
  // Staff moves are the workbench's; a resident page never shows them.
  [['accept', 'assign', 'review'], []],
])('allowedActions %j show exactly %j', async (allowed, expected) => {
  // Catches buttons guessed from the state on the client (a 催办 the server refuses, a 评价 after rating).
  open(appeal({ allowedActions: allowed }));
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  expect(buttons()).toEqual(expected);
});

test('评价 sends resolved, satisfaction and comment, then shows the rating', async () => {
  // Catches a wrong body (the server's RateBody is strict) and a page that keeps offering 评价 afterwards.
  const rated = appeal({
    state: 'closed',
    stateLabel: '已办结',
    allowedActions: [],
    rating: { resolved: true, satisfaction: 'basically', satisfactionLabel: '基本满意', comment: '来水了，就是慢了点', at: '2026-11-25T08:00:00.000Z' },
  });
  const log = open(appeal(), { 'POST /appeals/a1/rate': () => ({ status: 200, body: rated }) });
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  fireEvent.click(screen.getByText('评价'));

  // Nothing is sent until both questions are answered.
  fireEvent.click(screen.getByText('提交评价'));
  expect(screen.getByText('请选择问题是否已解决')).toBeTruthy();
  fireEvent.click(screen.getByText('已解决'));
  fireEvent.click(screen.getByText('提交评价'));
  expect(screen.getByText('请选择满意程度')).toBeTruthy();
  expect(log.filter((r) => r.method === 'POST')).toHaveLength(0);

  fireEvent.click(screen.getByText('基本满意'));
  fireEvent.change(screen.getByPlaceholderText('想说的话（选填）'), { target: { value: ' 来水了，就是慢了点 ' } });
  await act(async () => {
    fireEvent.click(screen.getByText('提交评价'));
  });
  const posts = log.filter((r) => r.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(posts[0].path).toBe('/appeals/a1/rate');
  expect(posts[0].data).toEqual({ resolved: true, satisfaction: 'basically', comment: '来水了，就是慢了点' });
  expect(screen.getByText('我的评价')).toBeTruthy();
  expect(screen.getByText('已解决 · 基本满意')).toBeTruthy();
  expect(screen.getByText('已办结')).toBeTruthy();
  expect(screen.queryByText('评价')).toBeNull();
});

test('评价 without a comment sends no comment key', async () => {
  // Catches `comment: ""`, which the server refuses (1-500 characters when present).
  const log = open(appeal(), { 'POST /appeals/a1/rate': () => ({ status: 200, body: appeal({ allowedActions: [] }) }) });
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  fireEvent.click(screen.getByText('评价'));
  fireEvent.click(screen.getByText('未解决'));
  fireEvent.click(screen.getByText('不满意'));
  await act(async () => {
    fireEvent.click(screen.getByText('提交评价'));
  });
  expect(log.find((r) => r.method === 'POST')?.data).toEqual({ resolved: false, satisfaction: 'unsatisfied' });
});

test('重新办理 sends the reason', async () => {
  // Catches a reopen without its reason (the server requires 2-500 characters).
  const log = open(appeal(), { 'POST /appeals/a1/reopen': () => ({ status: 200, body: appeal({ state: 'in_progress', stateLabel: '办理中', allowedActions: ['remind'] }) }) });
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  fireEvent.click(screen.getByText('重新办理'));
  fireEvent.click(screen.getByText('提交申请'));
  expect(screen.getByText('请写明需要重新办理的原因')).toBeTruthy();
  fireEvent.change(screen.getByPlaceholderText('哪里没有解决？请写明原因'), { target: { value: '今天又停水了' } });
  await act(async () => {
    fireEvent.click(screen.getByText('提交申请'));
  });
  expect(log.find((r) => r.method === 'POST')).toMatchObject({ path: '/appeals/a1/reopen', data: { reason: '今天又停水了' } });
  expect(screen.getByText('办理中')).toBeTruthy();
  expect(buttons()).toEqual(['催办']);
});

test("催办 a second time in a day shows the server's message", async () => {
  // Catches a silent failure: the resident must learn they can remind again tomorrow.
  open(appeal({ state: 'in_progress', stateLabel: '办理中', answer: null, allowedActions: ['remind'] }), {
    'POST /appeals/a1/remind': () => apiError(429, 'TOO_MANY_REQUESTS', '今天已经催办过了，请明天再试'),
  });
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  await act(async () => {
    fireEvent.click(screen.getByText('催办'));
  });
  expect(screen.getByText('今天已经催办过了，请明天再试')).toBeTruthy();
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '今天已经催办过了，请明天再试' }));
});

test('同问 from the detail joins the appeal', async () => {
  // Catches a 同问 button that calls something other than follow.
  const log = open(appeal({ mine: false, allowedActions: ['follow'], followersCount: 1 }), {
    'POST /appeals/a1/follow': () => ({ status: 200, body: appeal({ mine: true, allowedActions: ['remind'], followersCount: 2 }) }),
  });
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  await act(async () => {
    fireEvent.click(screen.getByText('同问'));
  });
  expect(log.find((r) => r.method === 'POST')?.path).toBe('/appeals/a1/follow');
  expect(buttons()).toEqual(['催办']);
  expect(screen.getByText(/2人同问/)).toBeTruthy();
});

test('a public appeal shares as a card of what, where and how far, never its text; a private one shares the app', async () => {
  // Catches a share card carrying the reporter's own words (phone or house number in them) into a
  // chat, or a private appeal passed on at all.
  open(appeal());
  const { unmount } = render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  const card = fireShareAppMessage() as { title: string; path: string };
  expect(card).toEqual({ title: '【公开诉求】城关镇 / 西城社区 · 求助 · 停水、水质问题 · 已答复', path: '/pages/appeal-detail/index?id=a1' });
  expect(card.title).not.toContain('三号楼');
  unmount();

  open(appeal({ id: 'a2', isPublic: false }));
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  expect(fireShareAppMessage()).toEqual({ title: '县融：有事找我们，办理进度随时查', path: '/pages/home/index' });
});

test('a failed load offers 重试', async () => {
  // Catches a blank page on a weak network.
  let online = false;
  taro.getCurrentInstance.mockReturnValue({ router: { params: { id: 'a1' }, path: '' } });
  fakeApi({ 'GET /appeals/a1': () => (online ? { status: 200, body: appeal() } : 'network-error') });
  render(<AppealDetailPage />);
  expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
  online = true;
  await act(async () => {
    fireEvent.click(screen.getByText('重试'));
  });
  expect(screen.getByText('DX-20261126-0042')).toBeTruthy();
});

describe('订阅进度提醒', () => {
  const TPL = 'TPL-PROGRESS-0001';
  const counts = (remaining: number) => ({ status: 200, body: { items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒', remaining }] } });
  const inProgress = () => appeal({ state: 'in_progress', stateLabel: '办理中', answer: null, allowedActions: ['remind'] });

  // Catches: a resident with no grant never told how to hear of the answer, or a tap that asks
  // WeChat but never reports the grant (the server would then send nothing).
  it('without a grant says how to get told; the button asks WeChat and reports the answer, then shows the count', async () => {
    let stored = 0;
    const log = open(inProgress(), {
      'GET /subscriptions/grants': () => counts(stored),
      'POST /subscriptions/grants': (req) => {
        if (req.data.result[TPL] === 'accept') stored++;
        return counts(stored);
      },
    });
    render(<AppealDetailPage />);
    expect(await screen.findByText('点击订阅后，诉求有答复时会通过微信通知您。')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('订阅进度提醒'));
    });
    expect(taro.requestSubscribeMessage).toHaveBeenCalledWith({ tmplIds: [TPL] });
    const reports = log.filter((r) => r.method === 'POST' && r.path === '/subscriptions/grants');
    expect(reports.map((r) => r.data)).toEqual([{ idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_:.-]{8,80}$/), templateIds: [TPL], result: { [TPL]: 'accept' } }]);
    expect(await screen.findByText('剩余 1 次提醒')).toBeTruthy();
  });

  // Catches: a refusal shown as a subscription.
  it('a refusal in WeChat is reported as such and leaves no reminder', async () => {
    taro.requestSubscribeMessage.mockImplementationOnce(() => Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', [TPL]: 'reject' }));
    const log = open(inProgress(), { 'GET /subscriptions/grants': () => counts(0), 'POST /subscriptions/grants': () => counts(0) });
    render(<AppealDetailPage />);
    const button = await screen.findByText('订阅进度提醒');
    await act(async () => {
      fireEvent.click(button);
    });
    expect(log.find((r) => r.method === 'POST' && r.path === '/subscriptions/grants')?.data.result).toEqual({ [TPL]: 'reject' });
    expect(screen.queryByText(/剩余 \d+ 次提醒/)).toBeNull();
    expect(screen.getByText('点击订阅后，诉求有答复时会通过微信通知您。')).toBeTruthy();
  });

  // Catches: the button on a finished appeal (nothing more will be sent) or in H5 (no such API:
  // the tap would fail), or counts fetched where they cannot be used.
  it('is hidden on a finished appeal and in H5', async () => {
    open(appeal({ state: 'closed', stateLabel: '已办结', allowedActions: [] }), { 'GET /subscriptions/grants': () => counts(2) });
    const closed = render(<AppealDetailPage />);
    await screen.findByText('DX-20261126-0042');
    expect(screen.queryByText('订阅进度提醒')).toBeNull();
    closed.unmount();

    await inH5(async () => {
      const log = open(inProgress(), { 'GET /subscriptions/grants': () => counts(2) });
      render(<AppealDetailPage />);
      await screen.findByText('DX-20261126-0042');
      expect(screen.queryByText('订阅进度提醒')).toBeNull();
      expect(log.some((r) => r.path.startsWith('/subscriptions'))).toBe(false);
    });
  });
});

test('查看地图 on the resident\'s appeal opens its point; none without a point', async () => {
  // Catches a point the server sent but the page never offers, and a button on appeals without one
  // (WeChat would open the map at 0,0).
  open(appeal({ location: { lat: 28.9, lng: 118.87, name: null, address: null, approximate: true } }));
  const first = render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  expect(screen.getByText('地图位置为大致范围')).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByText('查看地图'));
  });
  expect(Taro.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: 28.9, longitude: 118.87, name: '三号楼东门' }));
  first.unmount();

  open(appeal());
  render(<AppealDetailPage />);
  await screen.findByText('DX-20261126-0042');
  expect(screen.queryByText('查看地图')).toBeNull();
});
