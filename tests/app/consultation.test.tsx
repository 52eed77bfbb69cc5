// 议事 for residents (src/pages/consultation-list, consultation-detail, the 首页 entry and the
// notice's link): voting with one choice and with several, changing a vote, the closed state with
// the final result and the decision, and the plain reasons a reader may not vote; against the fake
// API and the Taro stand-ins.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import ConsultationListPage from '../../src/pages/consultation-list/index';
import ConsultationDetailPage from '../../src/pages/consultation-detail/index';
import NoticePage from '../../src/pages/notice/index';
import HomePage from '../../src/pages/home/index';
import { setSession, clearSession } from '../../src/store/session';
import type { ConsultationDetail, ConsultationSummary, Me } from '../../src/api/types';
import { apiError, fakeApi, me, session, type FakeRequest } from './helpers/fake-api';
import { comment, noticeDetail, pageOf } from './helpers/reader-news';

const ok = (body: unknown) => ({ status: 200, body });
const ID = '665f00000000000000000c01';
const DONGCHENG = { id: 'r-dc', name: '东城社区', level: 'community' as const, pathNames: ['东溪县', '城关镇', '东城社区'] };
const resident: Me = me({ id: 'u7', regionId: DONGCHENG.id, region: DONGCHENG });
const route = (params: Record<string, string>) => (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '' } });
const click = async (el: Element) => {
  await act(async () => {
    fireEvent.click(el);
  });
};
const votes = (log: FakeRequest[]) => log.filter((r) => r.method === 'PUT').map((r) => [r.path, r.data]);
/** An option's row (the results list the same texts). */
const option = (text: string) => Array.from(document.querySelectorAll('.consultation-option')).find((e) => e.textContent?.includes(text))!;
const voteButton = () => screen.getByText(/^(投票|修改投票)$/).closest('button')!;

function summary(n: number, overrides: Partial<ConsultationSummary> = {}): ConsultationSummary {
  return { id: `665f0000000000000000${String(n).padStart(4, '0')}`, number: n, title: `第${n}项：3号楼加装电梯`, regionName: '东城社区', state: 'open', stateLabel: '投票中', closesAt: '2026-12-14T12:00:00.000Z', voters: 3, ...overrides };
}

function detail(overrides: Partial<ConsultationDetail> = {}): ConsultationDetail {
  return {
    ...summary(1),
    id: ID,
    title: '3号楼是否加装电梯',
    description: '费用按楼层分摊，一楼不出钱。',
    photoIds: [],
    maxChoices: 1,
    options: [
      { no: 1, text: '同意加装', votes: 2, share: 0.667 },
      { no: 2, text: '不同意', votes: 1, share: 0.333 },
    ],
    voters: 3,
    eligible: 12,
    turnout: 0.25,
    final: false,
    myChoices: null,
    mayVote: true,
    createdByName: '李社区',
    rejectReason: null,
    decisionNoticeId: null,
    version: 0,
    ...overrides,
  };
}

beforeEach(() => {
  resetTaro();
  setSession(session({ user: resident }));
  route({ id: ID });
});

describe('the list', () => {
  test('opens on 投票中, 已结束 reads closed ones, pages by cursor and opens one', async () => {
    // Bug caught: closed consultations mixed into 投票中, a tab that reads the old state, the second page never read.
    const log = fakeApi({
      'GET /me': () => ok(resident),
      'GET /consultations': (req) => (req.query.state === 'closed' ? pageOf([summary(9, { state: 'closed', stateLabel: '已结束' })]) : req.query.cursor === 'c2' ? pageOf([summary(2)]) : pageOf([summary(1)], 'c2')),
    });
    route({});
    render(<ConsultationListPage />);
    await screen.findByText('第1项：3号楼加装电梯');
    expect(log.find((r) => r.path === '/consultations')!.query).toMatchObject({ state: 'open', limit: '20' });
    expect(screen.getByText('也可以在社区微信群里回复“投票 序号”')).toBeTruthy();
    await click(screen.getByText('加载更多'));
    expect(screen.getByText('第2项：3号楼加装电梯')).toBeTruthy();
    await click(screen.getByText('已结束'));
    expect(await screen.findByText('第9项：3号楼加装电梯')).toBeTruthy();
    expect(log.at(-1)!.query).toMatchObject({ state: 'closed' });
    await click(screen.getByText('第9项：3号楼加装电梯'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/consultation-detail/index?id=${summary(9).id}` });
  });

  test('an empty tab and a failed load say so', async () => {
    // Bug caught: a blank page the resident cannot tell from "nothing to vote on", or an error with no way to retry.
    let fail = true;
    fakeApi({ 'GET /me': () => ok(resident), 'GET /consultations': () => (fail ? apiError(500, 'INTERNAL', '服务暂时不可用') : pageOf([])) });
    route({});
    render(<ConsultationListPage />);
    await screen.findByText(/加载失败/);
    fail = false;
    await click(screen.getByText('重试'));
    expect(await screen.findByText('现在没有正在投票的议事')).toBeTruthy();
  });

  test('首页 has the 议事 entry, and beside the resident\'s community', async () => {
    // Bug caught: residents with no way to the consultations.
    fakeApi({ 'GET /me': () => ok(resident), 'GET /columns': () => ok({ items: [] }), 'GET /notices': () => pageOf([]), 'GET /news/feed': () => pageOf([]) });
    render(<HomePage />);
    await click(screen.getByText('议事'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/consultation-list/index' });
    await click(screen.getByText('本社区议事 ›'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/consultation-list/index' });
  });
});

describe('voting', () => {
  test('one choice: the rows act as radios, 投票 sends the choice and the page shows it and the new counts', async () => {
    // Bug caught: two options kept in a single-choice vote, the vote not sent as numbers, or the resident not told what they voted.
    let current = detail();
    const log = fakeApi({
      'GET /me': () => ok(resident),
      [`GET /consultations/${ID}`]: () => ok(current),
      [`PUT /consultations/${ID}/vote`]: (req) => {
        current = detail({ myChoices: req.data.choices, voters: 4, turnout: 0.333, options: [{ no: 1, text: '同意加装', votes: 2, share: 0.5 }, { no: 2, text: '不同意', votes: 2, share: 0.5 }] });
        return ok({ choices: req.data.choices, changed: false });
      },
    });
    render(<ConsultationDetailPage />);
    await screen.findByText('3号楼是否加装电梯');
    expect(screen.getByText('请选择一项')).toBeTruthy();
    expect(screen.getByText('2票 66.7%')).toBeTruthy();
    expect(screen.getByText('参与人数：3人 · 参与率：25%（共12位居民可投票）')).toBeTruthy();
    expect(voteButton().disabled).toBe(true);
    await click(option('① 同意加装'));
    await click(option('② 不同意'));
    expect(option('① 同意加装').getAttribute('class')).not.toContain('--on');
    expect(option('② 不同意').getAttribute('class')).toContain('--on');
    await click(voteButton());
    expect(votes(log)).toEqual([[`/consultations/${ID}/vote`, { choices: [2] }]]);
    expect(await screen.findByText('您投了：②不同意')).toBeTruthy();
    expect(screen.getByText('投票成功，谢谢您的参与')).toBeTruthy();
    expect(screen.getAllByText('2票 50%')).toHaveLength(2);
    expect(screen.getByText('修改投票')).toBeTruthy();
  });

  test('several choices: up to maxChoices, a further tap is refused with a message', async () => {
    // Bug caught: more choices sent than allowed (the server's 400 after the resident thought they voted), or the checkboxes acting as radios.
    const three = detail({ maxChoices: 2, options: [{ no: 1, text: '周一', votes: 0, share: 0 }, { no: 2, text: '周三', votes: 0, share: 0 }, { no: 3, text: '周五', votes: 0, share: 0 }], voters: 0, turnout: 0 });
    const log = fakeApi({ 'GET /me': () => ok(resident), [`GET /consultations/${ID}`]: () => ok(three), [`PUT /consultations/${ID}/vote`]: (req) => ok({ choices: req.data.choices, changed: false }) });
    render(<ConsultationDetailPage />);
    await screen.findByText('可多选，最多选2项');
    await click(option('③ 周五'));
    await click(option('① 周一'));
    await click(option('② 周三'));
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '最多选择2项' }));
    await click(option('③ 周五'));
    await click(option('② 周三'));
    await click(voteButton());
    expect(votes(log)).toEqual([[`/consultations/${ID}/vote`, { choices: [1, 2] }]]);
  });

  test('修改投票 starts from the resident\'s vote and sends the new one', async () => {
    // Bug caught: a changed vote that starts empty (the resident cannot see what they chose), or 修改投票 sending the old choice.
    const log = fakeApi({ 'GET /me': () => ok(resident), [`GET /consultations/${ID}`]: () => ok(detail({ myChoices: [1] })), [`PUT /consultations/${ID}/vote`]: (req) => ok({ choices: req.data.choices, changed: true }) });
    render(<ConsultationDetailPage />);
    await screen.findByText('您投了：①同意加装');
    expect(option('① 同意加装').getAttribute('class')).toContain('--on');
    expect(voteButton().textContent).toBe('修改投票');
    expect(voteButton().disabled).toBe(true);
    await click(option('② 不同意'));
    await click(voteButton());
    expect(votes(log)).toEqual([[`/consultations/${ID}/vote`, { choices: [2] }]]);
    expect(await screen.findByText('已修改投票，谢谢您的参与')).toBeTruthy();
  });

  test('closed meanwhile (409): the message shows and the page reloads to the final result', async () => {
    // Bug caught: a vote after closing that looks counted.
    let closed = false;
    fakeApi({
      'GET /me': () => ok(resident),
      [`GET /consultations/${ID}`]: () => ok(closed ? detail({ state: 'closed', stateLabel: '已结束', final: true, mayVote: false }) : detail()),
      [`PUT /consultations/${ID}/vote`]: () => {
        closed = true;
        return apiError(409, 'INVALID_STATE', '议事「3号楼是否加装电梯」的投票已结束');
      },
    });
    render(<ConsultationDetailPage />);
    await screen.findByText('3号楼是否加装电梯');
    await click(option('① 同意加装'));
    await click(voteButton());
    expect(await screen.findByText('最终结果')).toBeTruthy();
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '议事「3号楼是否加装电梯」的投票已结束' }));
  });
});

describe('closed, and who may not vote', () => {
  test('已结束 shows the final result, the resident\'s vote and the decision notice', async () => {
    // Bug caught: a closed consultation still offering 投票, or the decision unreachable from it.
    fakeApi({ 'GET /me': () => ok(resident), [`GET /consultations/${ID}`]: () => ok(detail({ state: 'closed', stateLabel: '已结束', final: true, mayVote: false, myChoices: [1], decisionNoticeId: 'n-1' })) });
    render(<ConsultationDetailPage />);
    await screen.findByText('最终结果');
    expect(screen.getByText('投票已结束')).toBeTruthy();
    expect(screen.getByText('您投了：①同意加装')).toBeTruthy();
    expect(screen.getByText('① 同意加装（票数最多）')).toBeTruthy();
    expect(screen.queryByText('投票')).toBeNull();
    expect(document.querySelector('.consultation-option')).toBeNull();
    await click(screen.getByText('查看社区的决定 ›'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=n-1' });
  });

  test('the discussion below is this consultation\'s, open for comments while voting and read only once closed', async () => {
    // Bug caught: the comments of an article (or none) under a consultation, or a comment form after closing (every comment a 409).
    let state: 'open' | 'closed' = 'open';
    const log = fakeApi({
      'GET /me': () => ok(resident),
      [`GET /consultations/${ID}`]: () => ok(state === 'open' ? detail() : detail({ state: 'closed', stateLabel: '已结束', final: true, mayVote: false })),
      'GET /comments': () => pageOf([comment(1, { articleId: null, consultationId: ID })]),
    });
    const view = render(<ConsultationDetailPage />);
    expect(await screen.findByText('第1条评论：好事')).toBeTruthy();
    expect(log.find((r) => r.path === '/comments')!.query).toMatchObject({ consultationId: ID });
    expect(screen.getByText('发表评论')).toBeTruthy();
    view.unmount();
    state = 'closed';
    render(<ConsultationDetailPage />);
    expect(await screen.findByText('议事已结束，讨论只能查看')).toBeTruthy();
    expect(screen.queryByText('发表评论')).toBeNull();
  });

  test('a resident of another community is told why and sees no 投票', async () => {
    // Bug caught: a button that only ever answers 403, or a reader left guessing why they cannot vote.
    const other = me({ id: 'u8', regionId: 'r-xc', region: { id: 'r-xc', name: '西城社区', level: 'community', pathNames: [] } });
    setSession(session({ user: other }));
    fakeApi({ 'GET /me': () => ok(other), [`GET /consultations/${ID}`]: () => ok(detail({ mayVote: false })) });
    render(<ConsultationDetailPage />);
    expect(await screen.findByText('本次议事只请「东城社区」的居民投票，您所在的社区不在范围内，可以查看结果。')).toBeTruthy();
    expect(screen.queryByText('投票')).toBeNull();
    expect(screen.getByText('2票 66.7%')).toBeTruthy();
  });

  test('signed out: 登录后才能投票, with 去登录', async () => {
    // Bug caught: a signed-out reader shown a 投票 button that fails, or no way to sign in.
    clearSession();
    fakeApi({ [`GET /consultations/${ID}`]: () => ok(detail({ mayVote: false })) });
    render(<ConsultationDetailPage />);
    expect(await screen.findByText('登录后才能投票。请先登录，并选择您所在的社区。')).toBeTruthy();
    await click(screen.getByText('去登录'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/login/index' });
  });

  test('the decision notice links back to the consultation\'s results', async () => {
    // Bug caught: a decision notice with no way to the votes it reports.
    const notice = noticeDetail({ id: 'n-1', title: '议事结果：3号楼是否加装电梯', link: { kind: 'consultation', id: ID } });
    route({ id: 'n-1' });
    fakeApi({ 'GET /me': () => ok(resident), 'GET /notices/n-1': () => ok(notice) });
    render(<NoticePage />);
    await click(await screen.findByText('查看议事结果 ›'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/consultation-detail/index?id=${ID}` });
  });
});
