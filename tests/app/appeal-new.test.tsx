// 我要反映: the draft on the device, the idempotency key, similar appeals (同问), validation and
// photo uploads, against the fake API and the Taro stand-ins.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import { inH5 } from './helpers/in-h5';
import AppealNewPage from '../../src/pages/appeal-new/index';
import { loadDraft } from '../../src/store/appeal-draft';
import { setSession } from '../../src/store/session';
import type { AppealDetail, AppealSummary, Category, Me } from '../../src/api/types';
import { NETWORK_ERROR_MESSAGE } from '../../src/api/request';
import { fakeApi, me, region, session, type FakeRequest, type FakeResponse, type Handler } from './helpers/fake-api';

// The shared stand-ins have no Textarea; a plain <textarea> with Taro's onInput shape.
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

const COMMUNITY = 'aaaaaaaaaaaaaaaaaaaaaa02';
const resident: Me = me({ id: 'u7', regionId: COMMUNITY, region: { id: COMMUNITY, name: '西城社区', level: 'community', pathNames: ['东溪县', '城关镇', '西城社区'] } });
const WATER = 'cccccccccccccccccccccc01';
const categories: Category[] = [
  { id: WATER, code: 'water-supply', name: '停水、水质问题', group: '公用事业', defaultDepartmentId: 'd1', deadlines: { acceptHours: 2, firstContactHours: 24, resolveHours: 24 }, sort: 1, active: true },
  { id: 'cccccccccccccccccccccc02', code: 'road-damage', name: '道路破损、井盖缺失', group: '交通出行', defaultDepartmentId: 'd2', deadlines: { acceptHours: 2, firstContactHours: 24, resolveHours: 168 }, sort: 2, active: true },
  { id: 'cccccccccccccccccccccc03', code: 'old', name: '已停用分类', group: '其他', defaultDepartmentId: null, deadlines: { acceptHours: 2, firstContactHours: 24, resolveHours: 168 }, sort: 3, active: false },
];
const DESCRIPTION = '西城社区三号楼从昨天晚上开始停水，到现在还没有来水。';

function summary(id: string, overrides: Partial<AppealSummary> = {}): AppealSummary {
  return {
    id,
    number: `DX-20261126-00${id.slice(-2)}`,
    kind: 'help',
    kindLabel: '求助',
    state: 'assigned',
    stateLabel: '已派单',
    channel: 'miniprogram',
    channelLabel: '小程序',
    categoryId: WATER,
    categoryName: '停水、水质问题',
    regionId: COMMUNITY,
    regionName: '城关镇 / 西城社区',
    departmentId: 'd1',
    departmentName: '县水务局',
    excerpt: '三号楼停水',
    thumbUrl: null,
    reporterName: '李*',
    isPublic: true,
    submittedAt: new Date().toISOString(),
    dueAt: null,
    overdue: false,
    directDispatch: true,
    followersCount: 2,
    ...overrides,
  };
}

function detail(id: string): AppealDetail {
  return {
    ...summary(id),
    description: DESCRIPTION,
    place: null,
    location: null,
    photos: [],
    reporter: { name: '张三', phone: null, masked: false },
    isAnonymous: false,
    deadlines: { acceptBy: new Date().toISOString(), firstContactBy: new Date().toISOString(), resolveBy: new Date().toISOString() },
    answer: null,
    rating: null,
    duplicateOf: null,
    timeline: [],
    dispatchSeconds: 0,
    mine: true,
    allowedActions: ['remind'],
    version: 3,
    boardRemoved: null,
  };
}

function api(extra: Record<string, Handler> = {}): FakeRequest[] {
  return fakeApi({
    'GET /me': () => ({ status: 200, body: resident }),
    'GET /categories': () => ({ status: 200, body: { items: categories } }),
    'GET /regions': () => ({ status: 200, body: { items: [region('aaaaaaaaaaaaaaaaaaaaaa21', '第一网格', 'grid', 0, COMMUNITY)], total: 1, page: 1, pageSize: 100 } }),
    'GET /appeals/similar': () => ({ status: 200, body: { items: [] } }),
    ...extra,
  });
}

const creates = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST' && r.path === '/appeals');
const textarea = () => document.querySelector('textarea') as HTMLTextAreaElement;

async function fillForm() {
  await screen.findByText('停水、水质问题');
  fireEvent.click(screen.getByText('求助'));
  fireEvent.click(screen.getByText('停水、水质问题'));
  fireEvent.change(textarea(), { target: { value: DESCRIPTION } });
}

async function submit() {
  await act(async () => {
    fireEvent.click(screen.getByText('提交'));
  });
}

beforeEach(() => {
  resetTaro();
  setSession(session({ user: resident }));
  taro.chooseImage = jest.fn();
  taro.uploadFile = jest.fn();
  taro.previewImage = jest.fn();
});

test('a failed send keeps the form as typed and the draft on the device; reopening restores it', async () => {
  // Catches a form that clears itself (or never saves) when the network drops: an elderly resident
  // would have to type everything again.
  const log = api({ 'POST /appeals': () => 'network-error' });
  const first = render(<AppealNewPage />);
  await fillForm();
  fireEvent.change(screen.getByPlaceholderText('具体位置（选填），如：东关街12号门口'), { target: { value: '三号楼东门' } });
  await submit();

  expect(creates(log)).toHaveLength(1);
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: NETWORK_ERROR_MESSAGE }));
  expect(textarea().value).toBe(DESCRIPTION);
  expect(screen.getByText(NETWORK_ERROR_MESSAGE)).toBeTruthy();
  expect(Taro.redirectTo).not.toHaveBeenCalled();
  const saved = loadDraft(resident.id);
  expect(saved).toMatchObject({ kind: 'help', categoryId: WATER, description: DESCRIPTION, place: '三号楼东门', communityId: COMMUNITY });

  // The app is closed and opened again.
  first.unmount();
  render(<AppealNewPage />);
  expect(await screen.findByText('已为您恢复上次没有提交的内容。')).toBeTruthy();
  expect(textarea().value).toBe(DESCRIPTION);
  expect((screen.getByPlaceholderText('具体位置（选填），如：东关街12号门口') as HTMLInputElement).value).toBe('三号楼东门');
  expect(document.querySelector('.chip--on')?.textContent).toBe('求助');
});

test('a retry after a lost answer sends the same idempotency key; success clears the draft and opens the appeal', async () => {
  // Catches a new key per attempt (the server would file the same issue twice) and a draft that
  // outlives its appeal.
  let attempt = 0;
  const log = api({ 'POST /appeals': () => (++attempt === 1 ? 'network-error' : { status: 201, body: detail('a1') }) });
  render(<AppealNewPage />);
  await fillForm();
  await submit();
  await submit();

  const sent = creates(log);
  expect(sent).toHaveLength(2);
  expect(sent[0].data.idempotencyKey).toMatch(/^[A-Za-z0-9_:.-]{8,80}$/);
  expect(sent[1].data.idempotencyKey).toBe(sent[0].data.idempotencyKey);
  expect(sent[1].data).toEqual({
    idempotencyKey: sent[0].data.idempotencyKey,
    kind: 'help',
    categoryId: WATER,
    description: DESCRIPTION,
    photoIds: [],
    regionId: COMMUNITY,
    place: null,
    isPublic: true,
    isAnonymous: false,
  });
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a1' });
  expect(loadDraft(resident.id)).toBeNull();
});

test('the key is kept in the stored draft, so a retry after the app was closed still sends it', async () => {
  // Catches a key held only in memory: closing the app between the lost answer and the retry would file twice.
  let attempt = 0;
  const log = api({ 'POST /appeals': () => (++attempt === 1 ? 'network-error' : { status: 201, body: detail('a1') }) });
  const first = render(<AppealNewPage />);
  await fillForm();
  await submit();
  first.unmount();
  render(<AppealNewPage />);
  await screen.findByText('已为您恢复上次没有提交的内容。');
  await submit();
  const sent = creates(log);
  expect(sent).toHaveLength(2);
  expect(sent[1].data.idempotencyKey).toBe(sent[0].data.idempotencyKey);
});

test('a text changed after a lost answer goes with a new key; a key the server calls reused is replaced once', async () => {
  // Catches the old key sent with the new text: the server refuses it (409), or, before it did,
  // answered with the first appeal, so the resident's correction was silently dropped.
  let attempt = 0;
  const reused = { status: 409, body: { error: { code: 'CONFLICT', message: '同一提交标识已用于内容不同的另一次提交，请刷新后重新保存', details: [{ path: 'body.idempotencyKey', message: '已用于不同的内容' }] } } };
  const log = api({ 'POST /appeals': () => (++attempt === 1 ? 'network-error' : attempt === 2 ? reused : { status: 201, body: detail('a2') }) });
  render(<AppealNewPage />);
  await fillForm();
  await submit();
  fireEvent.change(textarea(), { target: { value: `${DESCRIPTION}补充：楼下也停了。` } });
  await submit();

  const sent = creates(log);
  expect(sent).toHaveLength(3);
  expect(sent[1].data.idempotencyKey).not.toBe(sent[0].data.idempotencyKey);
  expect(sent[2].data.idempotencyKey).not.toBe(sent[1].data.idempotencyKey);
  expect(sent.slice(1).map((r) => r.data.description)).toEqual([`${DESCRIPTION}补充：楼下也停了。`, `${DESCRIPTION}补充：楼下也停了。`]);
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a2' });
});

test('similar appeals nearby are offered; 同问 follows the chosen one instead of filing', async () => {
  // Catches a form that files a duplicate without asking, or a 同问 that does not call follow.
  const log = api({
    'GET /appeals/similar': () => ({ status: 200, body: { items: [summary('s1', { excerpt: '西城社区三号楼停水' })] } }),
    'POST /appeals/s1/follow': () => ({ status: 200, body: detail('s1') }),
  });
  render(<AppealNewPage />);
  await fillForm();
  await submit();

  const asked = log.find((r) => r.path === '/appeals/similar');
  expect(asked?.query).toEqual({ categoryId: WATER, regionId: COMMUNITY });
  expect(screen.getByText('附近已有相同问题')).toBeTruthy();
  expect(screen.getByText('西城社区三号楼停水')).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByText('同问'));
  });
  expect(log.filter((r) => r.method === 'POST' && r.path === '/appeals/s1/follow')).toHaveLength(1);
  expect(creates(log)).toHaveLength(0);
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=s1' });
});

test('仍然提交 files the appeal after the similar ones were shown', async () => {
  // Catches a dead end: a resident whose issue is different must still be able to file it.
  const log = api({
    'GET /appeals/similar': () => ({ status: 200, body: { items: [summary('s1')] } }),
    'POST /appeals': () => ({ status: 201, body: detail('a2') }),
  });
  render(<AppealNewPage />);
  await fillForm();
  await submit();
  await act(async () => {
    fireEvent.click(screen.getByText('仍然提交'));
  });
  expect(creates(log)).toHaveLength(1);
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a2' });
});

test('missing fields are named next to each field and nothing is sent', async () => {
  // Catches a form that sends an incomplete appeal (a 400 the resident cannot read) or says only "error".
  const log = api();
  render(<AppealNewPage />);
  await screen.findByText('停水、水质问题');
  fireEvent.change(textarea(), { target: { value: '停水' } });
  await submit();
  expect(screen.getByText('请选择诉求类型')).toBeTruthy();
  expect(screen.getByText('请选择问题分类')).toBeTruthy();
  expect(screen.getByText('请至少写5个字，说清楚是什么问题')).toBeTruthy();
  expect(log.filter((r) => r.path.startsWith('/appeals'))).toHaveLength(0);
  // The retired category is not offered.
  expect(screen.queryByText('已停用分类')).toBeNull();
  // Fixing a field removes its message.
  fireEvent.click(screen.getByText('咨询'));
  expect(screen.queryByText('请选择诉求类型')).toBeNull();
});

test("the server's 400 details are shown on the field they name", async () => {
  // Catches a page that shows only the summary, so the resident cannot tell what to fix.
  api({
    'POST /appeals': (): FakeResponse => ({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: '请求参数有误：body.description 内容含有不允许的字符', details: [{ path: 'body.description', message: '内容含有不允许的字符' }] } },
    }),
  });
  render(<AppealNewPage />);
  await fillForm();
  await submit();
  const message = screen.getByText('内容含有不允许的字符');
  // Directly under the description's counter, inside the description card.
  expect(message.closest('.card')?.textContent).toContain('问题描述');
  expect(textarea().value).toBe(DESCRIPTION);
});

test('photos upload one by one with progress; a failed one is retried by tapping it; their ids are sent in order', async () => {
  // Catches a failed upload that cannot be retried, a send while photos are still uploading, and lost photo ids.
  const log = api({ 'POST /appeals': () => ({ status: 201, body: detail('a3') }) });
  taro.chooseImage.mockResolvedValue({ tempFilePaths: ['blob:one', 'blob:two'] });
  const ids: Record<string, string> = { 'blob:one': 'a'.repeat(64), 'blob:two': 'b'.repeat(64) };
  let twoFails = true;
  const pending: Array<() => void> = [];
  taro.uploadFile.mockImplementation((opts: { filePath: string; name: string; header: Record<string, string> }) => {
    expect(opts.name).toBe('file');
    expect(opts.header.Authorization).toBe('Bearer access-1');
    const listeners: Array<(p: { progress: number }) => void> = [];
    const promise = new Promise((resolve, reject) => {
      pending.push(() => {
        listeners.forEach((l) => l({ progress: 100 }));
        if (opts.filePath === 'blob:two' && twoFails) {
          twoFails = false;
          reject({ errMsg: 'uploadFile:fail' });
        } else {
          const id = ids[opts.filePath];
          resolve({ statusCode: 201, data: JSON.stringify({ id, url: `/api/v1/photos/${id}`, thumbUrl: `/api/v1/photos/${id}/thumb`, width: 10, height: 10, bytes: 100 }) });
        }
      });
    });
    return Object.assign(promise, { onProgressUpdate: (l: (p: { progress: number }) => void) => listeners.push(l) });
  });

  render(<AppealNewPage />);
  await fillForm();
  await act(async () => {
    fireEvent.click(screen.getByText('添加照片 0/9'));
  });
  expect(screen.getAllByText('上传中 0%')).toHaveLength(2);
  // One at a time on a weak network: the second waits for the first.
  expect(taro.uploadFile).toHaveBeenCalledTimes(1);

  // Sending while a photo uploads is refused with a message on the photos.
  await submit();
  expect(screen.getByText('照片还在上传，请稍候再提交')).toBeTruthy();
  expect(creates(log)).toHaveLength(0);

  await act(async () => pending.shift()!());
  expect(taro.uploadFile).toHaveBeenCalledTimes(2);
  await act(async () => pending.shift()!());
  expect(screen.getByText('上传失败，点击重试')).toBeTruthy();
  expect(loadDraft(resident.id)?.photos.map((p) => p.id)).toEqual([ids['blob:one']]);

  await act(async () => {
    fireEvent.click(screen.getByText('上传失败，点击重试'));
  });
  expect(taro.uploadFile).toHaveBeenCalledTimes(3);
  await act(async () => pending.shift()!());
  expect(screen.queryByText('上传失败，点击重试')).toBeNull();

  await submit();
  expect(creates(log)[0].data.photoIds).toEqual([ids['blob:one'], ids['blob:two']]);
});

test('signed out: the form sends the resident to the login page', async () => {
  // Catches a form that lets someone type a long appeal that can never be sent.
  resetTaro();
  api();
  render(<AppealNewPage />);
  await act(async () => undefined);
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/login/index' });
});

test('an upload that never progresses is given up after the stall limit and can be retried', async () => {
  // Catches a photo stuck at 上传中 forever: Taro's H5 uploadFile never settles when reading the
  // picked file is refused, and the resident could then never send the appeal.
  api();
  taro.chooseImage.mockResolvedValue({ tempFilePaths: ['blob:stuck'] });
  const abort = jest.fn();
  taro.uploadFile.mockImplementation(() => Object.assign(new Promise(() => undefined), { abort, onProgressUpdate: () => undefined }));
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    render(<AppealNewPage />);
    await act(async () => undefined);
    await act(async () => {
      fireEvent.click(screen.getByText('添加照片 0/9'));
    });
    expect(screen.getByText('上传中 0%')).toBeTruthy();
    await act(async () => {
      jest.advanceTimersByTime(29_000);
    });
    expect(screen.getByText('上传中 0%')).toBeTruthy();
    await act(async () => {
      jest.advanceTimersByTime(1_000);
    });
    expect(abort).toHaveBeenCalledTimes(1);
    expect(screen.getByText('上传失败，点击重试')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('上传失败，点击重试'));
    });
    expect(taro.uploadFile).toHaveBeenCalledTimes(2);
  } finally {
    jest.useRealTimers();
  }
});

test('a grid chosen under the community is sent as the region, with the place; 公开/匿名 as chosen', async () => {
  // Catches the grid choice being dropped (the appeal would land on the whole community) and the
  // privacy choices not reaching the server.
  const GRID = 'aaaaaaaaaaaaaaaaaaaaaa21';
  const log = api({ 'POST /appeals': () => ({ status: 201, body: detail('a4') }) });
  render(<AppealNewPage />);
  await fillForm();
  expect(screen.getByText('城关镇 · 西城社区')).toBeTruthy();
  await screen.findByText('网格（选填）');
  expect(log.find((r) => r.path === '/regions')?.query).toMatchObject({ parentId: COMMUNITY });
  fireEvent.change(screen.getByLabelText('picker'), { target: { value: '1' } });
  expect(screen.getByText('第一网格', { selector: 'span' })).toBeTruthy();
  fireEvent.change(screen.getByPlaceholderText('具体位置（选填），如：东关街12号门口'), { target: { value: '  三号楼  ' } });
  fireEvent.click(screen.getByText('不公开'));
  fireEvent.click(screen.getByText('匿名反映'));
  await submit();
  expect(creates(log)[0].data).toMatchObject({ regionId: GRID, place: '三号楼', isPublic: false, isAnonymous: true });
  expect(log.find((r) => r.path === '/appeals/similar')?.query).toEqual({ categoryId: WATER, regionId: COMMUNITY });
});

test('更换 opens the region picker', async () => {
  // Catches a dead 更换 link.
  api();
  render(<AppealNewPage />);
  await screen.findByText('停水、水质问题');
  fireEvent.click(screen.getByText('更换'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/region-picker/index' });
});

describe('选择位置', () => {
  const POINT = { lat: 28.901234, lng: 118.871987, name: '幸福路便民超市', address: '东溪县城关镇幸福路12号' };
  const DONGCHENG = 'aaaaaaaaaaaaaaaaaaaaaa01';
  const nearest = (id: string, name: string) => () => ({
    status: 200,
    body: { items: [{ region: { id, name, level: 'community', pathNames: ['东溪县', '城关镇', name] }, distanceM: 180 }] },
  });

  test('the chosen point goes into the POST body and the saved draft; a nearby other community is offered, not forced', async () => {
    // Catches a point shown on the form but left out of the filing (or of the draft, so a closed app
    // loses it), and a suggestion that silently replaces the community the resident's form had.
    const log = api({ 'GET /regions/nearest': nearest(DONGCHENG, '东城社区'), 'POST /appeals': () => ({ status: 201, body: detail('a1') }) });
    render(<AppealNewPage />);
    await fillForm();
    await act(async () => {
      fireEvent.click(screen.getByText('选择位置'));
    });
    expect(Taro.chooseLocation).toHaveBeenCalledTimes(1);
    expect(screen.getByText('幸福路便民超市')).toBeTruthy();
    expect(loadDraft(resident.id)?.location).toEqual(POINT);
    const asked = log.find((r) => r.path === '/regions/nearest')!;
    expect(asked.query).toMatchObject({ lat: String(POINT.lat), lng: String(POINT.lng), level: 'community' });
    expect(await screen.findByText('所选位置在「城关镇 · 东城社区」附近，改为该社区')).toBeTruthy();
    expect(loadDraft(resident.id)?.communityId).toBe(COMMUNITY);

    // Taking the offer moves the filing there.
    await act(async () => {
      fireEvent.click(screen.getByText('所选位置在「城关镇 · 东城社区」附近，改为该社区'));
    });
    expect(loadDraft(resident.id)?.communityId).toBe(DONGCHENG);
    await submit();
    expect(creates(log)[0].data).toMatchObject({ regionId: DONGCHENG, location: POINT });
  });

  test('a resident without a community gets the nearest one preselected and filed there', async () => {
    // Catches a suggestion that is never used (the resident must still pick by hand) and a filing
    // sent to no region after a point was chosen.
    setSession(session({ user: me({ id: 'u9', regionId: null, region: null }) }));
    const log = api({ 'GET /me': () => ({ status: 200, body: me({ id: 'u9', regionId: null, region: null }) }), 'GET /regions/nearest': nearest(DONGCHENG, '东城社区'), 'POST /appeals': () => ({ status: 201, body: detail('a1') }) });
    render(<AppealNewPage />);
    await fillForm();
    expect(screen.getByText('尚未选择社区')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('选择位置'));
    });
    expect(await screen.findByText('已按所选位置选择「城关镇 · 东城社区」，可以更换')).toBeTruthy();
    expect(screen.getAllByText('城关镇 · 东城社区').length).toBeGreaterThan(0);
    await submit();
    expect(creates(log)[0].data).toMatchObject({ regionId: DONGCHENG, location: POINT });
  });

  test('a point that failed the server check is shown at the place field', async () => {
    // Catches a 400 naming body.location.lat shown only as a generic form error, far from the field.
    api({ 'GET /regions/nearest': () => ({ status: 200, body: { items: [] } }), 'POST /appeals': () => ({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: '请求参数有误', details: [{ path: 'body.location.lat', message: '纬度应在 3 到 54 之间（中国境内）' }] } } }) });
    render(<AppealNewPage />);
    await fillForm();
    await act(async () => {
      fireEvent.click(screen.getByText('选择位置'));
    });
    await submit();
    expect(screen.getByText('纬度应在 3 到 54 之间（中国境内）')).toBeTruthy();
  });
});

describe('asking to subscribe to progress after filing', () => {
  const TPL = 'TPL-PROGRESS-0001';
  const withTemplate = (extra: Record<string, Handler> = {}) =>
    api({
      'GET /subscriptions/templates': () => ({ status: 200, body: { items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒' }] } }),
      'POST /subscriptions/grants': () => ({ status: 200, body: { items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒', remaining: 1 }] } }),
      ...extra,
    });
  const order = (fn: jest.Mock) => fn.mock.invocationCallOrder[0];

  // Catches: residents never asked (every progress message refused by WeChat with 43101), asked
  // before the appeal exists, or their answer never reported to the server.
  it('after a successful filing, offers 订阅提醒 and asks WeChat from that tap, reports the answer, then opens the appeal', async () => {
    const log = withTemplate({ 'POST /appeals': () => ({ status: 201, body: detail('a5') }) });
    render(<AppealNewPage />);
    await fillForm();
    await submit();
    expect(taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ confirmText: '订阅提醒' }));
    expect(taro.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    expect(taro.requestSubscribeMessage).toHaveBeenCalledWith({ tmplIds: [TPL] });
    const paths = log.map((r) => `${r.method} ${r.path}`);
    expect(paths.indexOf('POST /subscriptions/grants')).toBeGreaterThan(paths.indexOf('POST /appeals'));
    expect(log.find((r) => r.method === 'POST' && r.path === '/subscriptions/grants')?.data).toMatchObject({ templateIds: [TPL], result: { [TPL]: 'accept' } });
    expect(order(taro.redirectTo)).toBeGreaterThan(order(taro.requestSubscribeMessage));
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a5' });
  });

  // Catches: a subscription asked for an appeal that was never filed (the resident would wait for
  // news of nothing), or a refused offer asking anyway.
  it('asks nothing after a failed filing, nor when the offer is declined', async () => {
    withTemplate({ 'POST /appeals': () => 'network-error' });
    const failed = render(<AppealNewPage />);
    await fillForm();
    await submit();
    expect(taro.showModal).not.toHaveBeenCalled();
    expect(taro.requestSubscribeMessage).not.toHaveBeenCalled();
    failed.unmount();

    resetTaro();
    setSession(session({ user: resident }));
    taro.showModal.mockImplementationOnce(() => Promise.resolve({ confirm: false, cancel: true }));
    withTemplate({ 'POST /appeals': () => ({ status: 201, body: detail('a6') }) });
    render(<AppealNewPage />);
    await fillForm();
    await submit();
    expect(taro.showModal).toHaveBeenCalledTimes(1);
    expect(taro.requestSubscribeMessage).not.toHaveBeenCalled();
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a6' });
  });

  // Catches: H5 (no requestSubscribeMessage) offering a subscription that cannot work.
  it('in H5 files and opens the appeal without asking', async () => {
    await inH5(async () => {
      const log = withTemplate({ 'POST /appeals': () => ({ status: 201, body: detail('a7') }) });
      render(<AppealNewPage />);
      await fillForm();
      await submit();
      expect(taro.showModal).not.toHaveBeenCalled();
      expect(taro.requestSubscribeMessage).not.toHaveBeenCalled();
      expect(log.some((r) => r.path.startsWith('/subscriptions'))).toBe(false);
      expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/pages/appeal-detail/index?id=a7' });
    });
  });
});
