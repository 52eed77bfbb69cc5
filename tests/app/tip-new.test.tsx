// 我要爆料 (src/pages/tip-new): the draft on the device, the idempotency key on a retry, the
// server's messages in Chinese (the 429 limit), what is sent, against the fake API and the Taro stand-ins.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import TipNewPage from '../../src/pages/tip-new/index';
import { loadTipDraft } from '../../src/pages/tip-new/draft';
import { setSession } from '../../src/store/session';
import { NETWORK_ERROR_MESSAGE } from '../../src/api/request';
import type { Me, TipDetail } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest, type Handler } from './helpers/fake-api';

// The shared Picker stand-in gives a range's index; date and time pickers give strings.
jest.mock('@tarojs/components', () => {
  const actual = jest.requireActual('@tarojs/components');
  const React = require('react');
  return {
    ...actual,
    Picker: (props: { mode?: string; value?: string; children?: unknown; onChange?: (e: { detail: { value: string } }) => void }) =>
      props.mode === 'date' || props.mode === 'time'
        ? React.createElement('div', null, props.children, React.createElement('input', { 'aria-label': props.mode, onChange: (e: { target: { value: string } }) => props.onChange?.({ detail: { value: e.target.value } }) }))
        : actual.Picker(props),
  };
});

const taro = Taro as unknown as Record<string, jest.Mock>;
const resident: Me = me({ id: 'u7' });
const TEXT = '幸福路菜市场门口的老槐树今天开花了，很多老人在树下拍照。';
const TIP_ID = '665f00000000000000000abc';

function detail(overrides: Partial<TipDetail> = {}): TipDetail {
  return {
    id: TIP_ID,
    text: TEXT,
    state: 'new',
    stateLabel: '待处理',
    photoCount: 0,
    channel: 'miniprogram',
    createdAt: new Date().toISOString(),
    photoIds: [],
    place: null,
    happenedAt: null,
    mayContact: false,
    mayCredit: false,
    tipsterName: '张三',
    tipsterPhone: null,
    takenBy: null,
    declineReason: null,
    articleId: null,
    draftArticleId: null,
    appealId: null,
    appealNumber: null,
    fromAppeal: false,
    history: [],
    version: 0,
    ...overrides,
  };
}

const api = (extra: Record<string, Handler> = {}) => fakeApi({ 'GET /me': () => ({ status: 200, body: resident }), ...extra });
const creates = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST' && r.path === '/tips');
const textarea = () => document.querySelector('textarea') as HTMLTextAreaElement;
const type = (text = TEXT) => fireEvent.change(textarea(), { target: { value: text } });
const submit = async () => {
  await act(async () => {
    fireEvent.click(screen.getByText('提交爆料'));
  });
};

beforeEach(() => {
  resetTaro();
  setSession(session({ user: resident }));
  taro.chooseImage = jest.fn();
  taro.uploadFile = jest.fn();
});

test('a failed send keeps the text on the page and on the device; reopening restores it', async () => {
  // Bug caught: a form that clears itself (or never saves) when the network drops, so a resident
  // who typed a long tip on a weak signal has to type it all again.
  const log = api({ 'POST /tips': () => 'network-error' });
  const first = render(<TipNewPage />);
  type();
  fireEvent.change(screen.getByPlaceholderText('在哪里，如：城关镇幸福路菜市场门口'), { target: { value: '幸福路菜市场' } });
  await submit();

  expect(creates(log)).toHaveLength(1);
  expect(textarea().value).toBe(TEXT);
  expect(screen.getByText(NETWORK_ERROR_MESSAGE)).toBeTruthy();
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: NETWORK_ERROR_MESSAGE }));
  expect(Taro.redirectTo).not.toHaveBeenCalled();
  expect(loadTipDraft(resident.id)).toMatchObject({ text: TEXT, place: '幸福路菜市场' });

  first.unmount();
  render(<TipNewPage />);
  expect(screen.getByText('已为您恢复上次没有提交的内容。')).toBeTruthy();
  expect(textarea().value).toBe(TEXT);
  expect((screen.getByPlaceholderText('在哪里，如：城关镇幸福路菜市场门口') as HTMLInputElement).value).toBe('幸福路菜市场');
});

test('a retry after a lost answer sends the same key, also after the app was closed; success clears the draft and opens the tip', async () => {
  // Bug caught: a new key per attempt (the newsroom would get the same tip twice when the first
  // answer was lost), or a key kept only in memory, and a draft that outlives its tip.
  let attempt = 0;
  const log = api({ 'POST /tips': () => (++attempt < 3 ? 'network-error' : { status: 201, body: detail() }) });
  const first = render(<TipNewPage />);
  type();
  fireEvent.click(screen.getAllByRole('switch')[0]); // 可联系我
  fireEvent.change(screen.getByLabelText('date'), { target: { value: '2026-12-06' } });
  fireEvent.change(screen.getByLabelText('time'), { target: { value: '08:30' } });
  await submit();
  await submit();
  first.unmount();
  render(<TipNewPage />);
  await submit();

  const sent = creates(log);
  expect(sent).toHaveLength(3);
  expect(sent[0].data.idempotencyKey).toMatch(/^[A-Za-z0-9_:.-]{8,80}$/);
  expect(sent.map((r) => r.data.idempotencyKey)).toEqual([sent[0].data.idempotencyKey, sent[0].data.idempotencyKey, sent[0].data.idempotencyKey]);
  expect(sent[2].data).toEqual({ idempotencyKey: sent[0].data.idempotencyKey, text: TEXT, photoIds: [], place: null, happenedAt: '2026-12-06T08:30:00+08:00', mayContact: true, mayCredit: false });
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: `/pages/tip-detail/index?id=${TIP_ID}` });
  expect(loadTipDraft(resident.id)).toBeNull();
});

test('a text changed after a lost answer goes with a new key', async () => {
  // Bug caught: the old key sent with a corrected text: the server answers with the first tip (or
  // refuses the key), and the correction is silently lost.
  const log = api({ 'POST /tips': () => 'network-error' });
  render(<TipNewPage />);
  type();
  await submit();
  type(`${TEXT}补充：树在菜市场东门。`);
  await submit();
  const [a, b] = creates(log);
  expect(b.data.idempotencyKey).not.toBe(a.data.idempotencyKey);
});

test('over the limit (429) shows the server\'s Chinese message and keeps the draft', async () => {
  // Bug caught: a generic "服务暂时不可用" instead of when to try again, or the text thrown away on a refusal.
  const limited = '爆料太频繁，请1小时后再试';
  const log = api({ 'POST /tips': () => apiError(429, 'RATE_LIMITED', limited) });
  render(<TipNewPage />);
  type();
  await submit();
  expect(creates(log)).toHaveLength(1);
  expect(screen.getByText(limited)).toBeTruthy();
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: limited }));
  expect(textarea().value).toBe(TEXT);
  expect(loadTipDraft(resident.id)?.text).toBe(TEXT);
});

test('too short a text is refused on the phone; the server\'s 400 lands on the field it names', async () => {
  // Bug caught: a round trip on a weak network for what the phone can check, or a server refusal
  // shown nowhere near the field.
  const log = api({ 'POST /tips': () => ({ status: 400, body: { error: { code: 'VALIDATION', message: '请求参数有误', details: [{ path: 'body.place', message: '地点最多100字' }] } } }) });
  render(<TipNewPage />);
  type('树开花');
  await submit();
  expect(screen.getByText('请至少写5个字，说清楚看到了什么')).toBeTruthy();
  expect(creates(log)).toHaveLength(0);
  type();
  await submit();
  expect(screen.getByText('地点最多100字')).toBeTruthy();
});

test('an uploaded photo is sent by id', async () => {
  // Bug caught: photos shown on the form but not sent (the newsroom gets the text without the picture).
  const photoId = 'd'.repeat(64);
  taro.chooseImage.mockResolvedValue({ tempFilePaths: ['blob:tree'] });
  taro.uploadFile.mockImplementation(() =>
    Object.assign(Promise.resolve({ statusCode: 201, data: JSON.stringify({ id: photoId, url: `/api/v1/photos/${photoId}`, thumbUrl: `/api/v1/photos/${photoId}/thumb`, width: 10, height: 10, bytes: 100 }) }), {
      onProgressUpdate: () => undefined,
    }),
  );
  const log = api({ 'POST /tips': () => ({ status: 201, body: detail({ photoIds: [photoId], photoCount: 1 }) }) });
  render(<TipNewPage />);
  type();
  await act(async () => {
    fireEvent.click(screen.getByText('添加照片 0/9'));
  });
  await submit();
  expect(creates(log)[0].data.photoIds).toEqual([photoId]);
});

test('once the tip is in, WeChat\'s subscribe dialog is offered for the newsroom\'s reply', async () => {
  // Bug caught: a tipster who never filed an appeal has no grant, so the newsroom's reply (sent as a
  // subscribe message) never reaches them in WeChat.
  const TPL = 'tpl-progress';
  const log = api({
    'GET /subscriptions/templates': () => ({ status: 200, body: { items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒' }] } }),
    'POST /subscriptions/grants': () => ({ status: 200, body: { items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒', remaining: 1 }] } }),
    'POST /tips': () => ({ status: 201, body: detail() }),
  });
  render(<TipNewPage />);
  await act(async () => undefined);
  type();
  await submit();
  expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '编辑部回复您的爆料时，是否通过微信通知您？', confirmText: '订阅提醒' }));
  const paths = log.map((r) => `${r.method} ${r.path}`);
  expect(paths.indexOf('POST /subscriptions/grants')).toBeGreaterThan(paths.indexOf('POST /tips'));
  expect(Taro.redirectTo).toHaveBeenCalledWith({ url: `/pages/tip-detail/index?id=${TIP_ID}` });
});
