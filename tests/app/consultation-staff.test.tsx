// 议事 for staff (src/packages/staff/pages/consultation-new, consultation-desk, consultation-handle
// and the workbench entries): the form's checks, the draft and its key on a retry, the reviewers'
// queue, and each move sending the version shown with a 409 reloading and saying so in Chinese;
// against the fake API and the Taro stand-ins.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import ConsultationNewPage from '../../src/packages/staff/pages/consultation-new/index';
import { loadConsultationDraft } from '../../src/packages/staff/pages/consultation-new/draft';
import ConsultationDeskPage from '../../src/packages/staff/pages/consultation-desk/index';
import ConsultationHandlePage, { CONSULTATION_STALE_MESSAGE } from '../../src/packages/staff/pages/consultation-handle/index';
import { setSession } from '../../src/store/session';
import type { ConsultationDetail, Me } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest, type Handler } from './helpers/fake-api';
import { pageOf } from './helpers/reader-news';

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

const ok = (body: unknown) => ({ status: 200, body });
const ID = '665f00000000000000000c01';
const DONGCHENG = { id: 'r-dc', name: '东城社区', level: 'community' as const, pathNames: ['东溪县', '城关镇', '东城社区'] };
const staff = (name: string, roles: Me['roles'], labels: string[], scopeRegions: Me['scopeRegions'] = []) =>
  me({ id: `u-${roles.join('-')}`, name, roles, roleLabels: labels, isStaff: true, scopeRegions, scopeRegionIds: scopeRegions.map((r) => r.id) });
const communityStaff = staff('李社区', ['community_staff'], ['社区工作人员'], [DONGCHENG]);
const reviewer = staff('吴审核', ['reviewer'], ['审核']);
const gridWorker = staff('赵网格', ['grid_worker'], ['网格员']);
const route = (params: Record<string, string>) => (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '' } });
const click = async (text: string | Element) => {
  await act(async () => {
    fireEvent.click(typeof text === 'string' ? screen.getByText(text) : text);
  });
};
const type = (label: string, value: string) => fireEvent.change(screen.getByPlaceholderText(label), { target: { value } });
const creates = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST' && r.path === '/consultations');
const posts = (log: FakeRequest[]) => log.filter((r) => r.method === 'POST').map((r) => [r.path, r.data]);

function detail(overrides: Partial<ConsultationDetail> = {}): ConsultationDetail {
  return {
    id: ID,
    number: 1,
    title: '3号楼是否加装电梯',
    regionName: '全县',
    state: 'pending',
    stateLabel: '待审核',
    closesAt: '2026-12-14T12:00:00.000Z',
    voters: 0,
    description: '',
    photoIds: [],
    maxChoices: 1,
    options: [
      { no: 1, text: '同意', votes: 0, share: 0 },
      { no: 2, text: '不同意', votes: 0, share: 0 },
    ],
    eligible: 0,
    turnout: null,
    final: false,
    myChoices: null,
    mayVote: false,
    createdByName: '钱调度',
    rejectReason: null,
    decisionNoticeId: null,
    version: 0,
    ...overrides,
  };
}

beforeEach(() => {
  resetTaro();
  route({});
});

test('the workbench offers 议事管理 to community staff and reviewers (with 待审核议事), not to a grid worker', async () => {
  // Bug caught: writers without a way to their consultations, reviewers without their queue, or the entry shown to everyone.
  async function entries(user: Me) {
    setSession(session({ user }));
    fakeApi({ 'GET /me': () => ok(user), 'GET /articles/counts': () => ok({ review: {}, drafts: 0, scheduled: 0, moderation: 0 }), 'GET /appeals/counts': () => ok({ byState: {}, queue: 0, direct: 0, overdue: 0 }) });
    const view = render(<WorkbenchPage />);
    await act(async () => undefined);
    const list = Array.from(document.querySelectorAll('.workbench__entry')).map((e) => e.textContent);
    view.unmount();
    return list;
  }
  expect(await entries(communityStaff)).toContain('议事管理');
  expect(await entries(communityStaff)).not.toContain('待审核议事');
  expect(await entries(reviewer)).toEqual(expect.arrayContaining(['议事管理', '待审核议事']));
  expect(await entries(gridWorker)).not.toContain('议事管理');
  setSession(session({ user: reviewer }));
  render(<WorkbenchPage />);
  await click('待审核议事');
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/consultation-desk/index?state=pending' });
});

describe('发起议事', () => {
  beforeEach(() => setSession(session({ user: communityStaff })));
  const fill = () => {
    type('如：幸福小区3号楼是否加装电梯', '3号楼是否加装电梯');
    type('选项1', '同意');
    type('选项2', '不同意');
  };

  test('checks on the phone: empty options, duplicates, a past closing time; options add and remove within 2 to 10', async () => {
    // Bug caught: a form the server refuses with a message the staff cannot place, or options below 2 or above 10.
    const log = fakeApi({ 'GET /me': () => ok(communityStaff) });
    render(<ConsultationNewPage />);
    type('如：幸福小区3号楼是否加装电梯', '电梯');
    await click('发起议事');
    expect(screen.getByText('标题为4到60个字')).toBeTruthy();
    expect(screen.getByText('每个选项都要填写内容，不用的选项请删除')).toBeTruthy();
    fill();
    type('选项2', '同意');
    fireEvent.change(screen.getByLabelText('date'), { target: { value: '2020-01-01' } });
    await click('发起议事');
    expect(screen.getByText('选项不能重复')).toBeTruthy();
    expect(screen.getByText('截止时间至少在一小时之后')).toBeTruthy();
    expect(creates(log)).toHaveLength(0);
    // Two options cannot be removed; the tenth hides 添加选项.
    expect(screen.queryByText('删除')).toBeNull();
    for (let i = 0; i < 8; i++) await click('添加选项');
    expect(screen.getAllByText('删除')).toHaveLength(10);
    expect(screen.queryByText('添加选项')).toBeNull();
    await click(screen.getAllByText('删除')[9]);
    expect(screen.getByText('添加选项')).toBeTruthy();
  });

  test('a failed send keeps the form on the device; the retry sends the same key and the body the server takes', async () => {
    // Bug caught: a retry that opens the consultation twice (new key), a form emptied by a dropped network, or a draft outliving its consultation.
    let attempt = 0;
    const log = fakeApi({ 'GET /me': () => ok(communityStaff), 'POST /consultations': () => (++attempt < 2 ? 'network-error' : { status: 201, body: detail({ state: 'open', stateLabel: '投票中', regionName: '东城社区' }) }) });
    const first = render(<ConsultationNewPage />);
    fill();
    fireEvent.click(screen.getByRole('switch')); // 多选
    fireEvent.change(screen.getByLabelText('date'), { target: { value: '2099-01-01' } });
    await click('添加选项');
    type('选项3', '再商量');
    fireEvent.change(screen.getByLabelText('date'), { target: { value: new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10) } });
    await click('发起议事');
    expect(screen.getByDisplayValue('再商量')).toBeTruthy();
    expect(loadConsultationDraft(communityStaff.id, '')?.options).toEqual(['同意', '不同意', '再商量']);
    first.unmount();
    render(<ConsultationNewPage />);
    expect(screen.getByDisplayValue('3号楼是否加装电梯')).toBeTruthy();
    await click('发起议事');
    const sent = creates(log);
    expect(sent).toHaveLength(2);
    expect(sent[1].data.idempotencyKey).toBe(sent[0].data.idempotencyKey);
    expect(sent[1].data).toMatchObject({ title: '3号楼是否加装电梯', options: ['同意', '不同意', '再商量'], maxChoices: 2, regionId: 'r-dc', photoIds: [], description: '' });
    expect(sent[1].data.closesAt).toMatch(/^\d{4}-\d{2}-\d{2}T20:00:00\+08:00$/);
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: `/packages/staff/pages/consultation-handle/index?id=${ID}` });
    expect(loadConsultationDraft(communityStaff.id, '')).toBeNull();
  });

  test('a reviewer asks the whole county: the county is read and is the only choice', async () => {
    // Bug caught: a reviewer (whose scope holds no region) offered nothing to choose, so the
    // county-wide consultations the server lets them open could not be sent from the app.
    setSession(session({ user: reviewer }));
    const county = { id: 'r-county', name: '东溪县', code: 'DX', level: 'county', parentId: null, path: '/DX/', pathNames: ['东溪县'], childCount: 2, centre: null };
    const log = fakeApi({
      'GET /me': () => ok(reviewer),
      'GET /regions': (req) => ok({ items: req.query.level === 'county' ? [county] : [], total: 1, page: 1, pageSize: 20 }),
      'POST /consultations': () => ({ status: 201, body: detail() }),
    });
    render(<ConsultationNewPage />);
    expect(await screen.findByText('已选：东溪县')).toBeTruthy();
    fill();
    fireEvent.change(screen.getByLabelText('date'), { target: { value: new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10) } });
    await click('发起议事');
    expect(creates(log)).toHaveLength(1);
    expect(creates(log)[0].data).toMatchObject({ regionId: 'r-county' });
  });

  test('the server\'s 400 lands on the field it names; a 403 shows its Chinese message', async () => {
    // Bug caught: the server's reason lost behind a generic toast.
    let answer: Handler = () => ({ status: 400, body: { error: { code: 'VALIDATION', message: '请求参数无效', details: [{ path: 'body.closesAt', message: '投票最长90天' }] } } });
    fakeApi({ 'GET /me': () => ok(communityStaff), 'POST /consultations': (req) => answer(req) });
    render(<ConsultationNewPage />);
    fill();
    await click('发起议事');
    expect(screen.getByText('投票最长90天')).toBeTruthy();
    answer = () => apiError(403, 'FORBIDDEN', '不能在「西城社区」发起议事：社区工作人员在本社区，乡镇调度员在本乡镇');
    await click('发起议事');
    expect(screen.getByText('不能在「西城社区」发起议事：社区工作人员在本社区，乡镇调度员在本乡镇')).toBeTruthy();
  });
});

describe('the desk and the moves', () => {
  test('待审核 reads the pending ones and opens one', async () => {
    // Bug caught: the reviewers' queue reading the open ones.
    setSession(session({ user: reviewer }));
    route({ state: 'pending' });
    const log = fakeApi({ 'GET /me': () => ok(reviewer), 'GET /consultations': (req) => (req.query.state === 'pending' ? pageOf([detail()]) : pageOf([])) });
    render(<ConsultationDeskPage />);
    await click(await screen.findByText('3号楼是否加装电梯'));
    expect(log.find((r) => r.path === '/consultations')!.query).toMatchObject({ state: 'pending' });
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/packages/staff/pages/consultation-handle/index?id=${ID}` });
  });

  test('批准 sends the version shown; a stale one (409) reloads and says so', async () => {
    // Bug caught: a move without its version, or a 409 that leaves the old state on screen.
    setSession(session({ user: reviewer }));
    route({ id: ID });
    let stale = true;
    const log = fakeApi({
      'GET /me': () => ok(reviewer),
      [`GET /consultations/${ID}`]: () => ok(stale ? detail() : detail({ version: 1, state: 'rejected', stateLabel: '未通过', rejectReason: '范围不对' })),
      [`POST /consultations/${ID}/approve`]: () => {
        stale = false;
        return apiError(409, 'STALE_VERSION', '内容已被他人修改');
      },
    });
    render(<ConsultationHandlePage />);
    await click(await screen.findByText('批准'));
    expect(posts(log)).toEqual([[`/consultations/${ID}/approve`, { version: 0 }]]);
    expect(await screen.findByText(CONSULTATION_STALE_MESSAGE)).toBeTruthy();
    expect(screen.getByText('驳回理由：范围不对')).toBeTruthy();
    expect(screen.queryByText('批准')).toBeNull();
  });

  test('驳回 asks for the reason and sends it with the version', async () => {
    // Bug caught: a rejection without its reason, or a decision sent on the wrong version.
    setSession(session({ user: reviewer }));
    route({ id: ID });
    const log = fakeApi({
      'GET /me': () => ok(reviewer),
      [`GET /consultations/${ID}`]: () => ok(detail()),
      [`POST /consultations/${ID}/reject`]: () => ok(detail({ version: 1, state: 'rejected', stateLabel: '未通过', rejectReason: '范围应为本乡镇' })),
    });
    render(<ConsultationHandlePage />);
    await click(await screen.findByText('驳回'));
    await click('确定驳回');
    expect(screen.getByText('请填写驳回理由（至少2个字）')).toBeTruthy();
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '范围应为本乡镇' } });
    await click('确定驳回');
    expect(posts(log)).toEqual([[`/consultations/${ID}/reject`, { version: 0, reason: '范围应为本乡镇' }]]);
    expect(screen.getByText('已驳回，当前状态：未通过')).toBeTruthy();
  });

  test('a closed one offers 公布决定 to community staff and shows the notice once published', async () => {
    // Bug caught: the decision never publishable, or a second decision offered after the first.
    setSession(session({ user: communityStaff }));
    route({ id: ID });
    const closed = detail({ state: 'closed', stateLabel: '已结束', final: true, version: 3, regionName: '东城社区', voters: 2, options: [{ no: 1, text: '同意', votes: 2, share: 1 }, { no: 2, text: '不同意', votes: 0, share: 0 }] });
    const log = fakeApi({ 'GET /me': () => ok(communityStaff), [`GET /consultations/${ID}`]: () => ok(closed), [`POST /consultations/${ID}/decision`]: () => ok({ ...closed, version: 4, decisionNoticeId: 'n-9' }) });
    render(<ConsultationHandlePage />);
    await click(await screen.findByText('公布决定'));
    fireEvent.change(document.querySelector('textarea')!, { target: { value: '同意加装电梯，下月开工' } });
    await click('确定公布决定');
    expect(posts(log)).toEqual([[`/consultations/${ID}/decision`, { version: 3, body: '同意加装电梯，下月开工' }]]);
    expect(screen.queryByText('公布决定')).toBeNull();
    await click('查看已公布的决定 ›');
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=n-9' });
  });
});
