/**
 * A consultation (议事) as people do it, in the H5 build (real Chromium) against the real server:
 * 东城社区's community worker opens one from the workbench (议事管理 → 发起议事); a resident of
 * 东城社区 finds it from 首页, votes, sees the result and her own choice; a neighbour votes in the
 * group chat (through the bot's API, as the bot does) and the page counts both; she changes her vote
 * and the counts follow, one vote per person. The worker ends it early and publishes the decision;
 * the resident reads the final result, the decision notice, and from the notice the results again.
 *
 * Bugs it catches: a consultation page or entry that does not open in H5 (registration, subpackage
 * paths), the form sending a body the server refuses, a vote sent in a shape the server refuses, the
 * results not showing the group's votes, a changed vote counted twice, a decision notice that does
 * not link its consultation. Leaves a screenshot of the resident's page with results
 * (docs/images/consultation.png with UPDATE_SCREENSHOTS=1).
 */
import { newPhone } from '../helpers/browser';
import { TEST_BOT_TOKEN } from '../helpers/server';
import { h5Suite, keepScreenshot, seriousA11y, staffSignIn } from './h5-steps';

// demo-resident-01 lives in 东城社区 and is the login page's default demo resident; `dongcheng` is
// 东城社区's community worker; its neighbours' group is bound (common/demo-county.ts).
const RESIDENT = 'demo-resident-01';
const STAFF = 'dongcheng';
const ROOM = 'dongcheng-neighbours@chatroom';
const TITLE = '幸福小区3号楼是否加装电梯';
const OPTIONS = ['同意加装，按楼层分摊费用', '不同意加装', '再商量'];

const h5 = h5Suite('consultations');

it('a community worker opens a consultation, a resident votes in H5 beside a group vote and changes her vote, the worker closes it and publishes the decision', async () => {
  // --- The community worker: 工作台 → 议事管理 → 发起议事; her one community is the scope.
  const worker = await newPhone(h5.browser);
  await staffSignIn(worker, h5.s.url, STAFF);
  await worker.getByText('我的', { exact: true }).last().click();
  await worker.getByText('工作台', { exact: true }).last().click();
  await worker.getByText('议事管理', { exact: true }).last().click();
  await worker.locator('.btn:visible').filter({ hasText: /^发起议事$/ }).last().click();
  await worker.getByText('议事范围', { exact: true }).last().waitFor();
  await worker.locator('input[placeholder="如：幸福小区3号楼是否加装电梯"]').last().fill(TITLE);
  await worker.locator('textarea').last().fill('电梯费用按楼层分摊，一楼不出钱。请3号楼的邻居投票。');
  await worker.locator('input[placeholder="选项1"]').last().fill(OPTIONS[0]);
  await worker.locator('input[placeholder="选项2"]').last().fill(OPTIONS[1]);
  await worker.getByText('添加选项', { exact: true }).last().click();
  await worker.locator('input[placeholder="选项3"]').last().fill(OPTIONS[2]);
  await worker.getByText('已选：东城社区', { exact: true }).last().waitFor();
  // Usable with a screen reader, like the other pages (inputs labelled, contrast).
  expect(await seriousA11y(worker)).toEqual([]);
  await worker.locator('.btn:visible').filter({ hasText: /^发起议事$/ }).last().click();
  await worker.getByText('正在投票，截止前居民可以修改投票。', { exact: true }).last().waitFor();
  await worker.context().close();

  const staffToken = await h5.s.staffToken(STAFF);
  const open = (await h5.s.api('GET', '/api/v1/consultations?state=open', { token: staffToken })).body.items as { id: string; number: number; title: string }[];
  const made = open.filter((c) => c.title === TITLE);
  expect(made).toHaveLength(1);
  const { id, number } = made[0];

  // --- The resident: 首页 → 议事 → the consultation; one choice, 投票.
  const resident = await newPhone(h5.browser);
  await resident.goto(`${h5.s.url}/#/pages/login/index`);
  await resident.getByText(`演示账号：${RESIDENT}`, { exact: true }).last().waitFor();
  await resident.getByText('演示居民登录', { exact: true }).last().click();
  await resident.getByText('您好', { exact: false }).first().waitFor();
  await resident.locator('.home__consultation').last().click();
  await resident.locator('.consultation-card').filter({ hasText: TITLE }).last().click();
  await resident.getByText('请选择一项', { exact: true }).last().waitFor();
  // Large rows an elderly resident and a screen reader can use: each a radio with its state.
  expect(await seriousA11y(resident)).toEqual([]);
  expect(await resident.locator('.consultation-option[role="radio"][aria-checked="false"]:visible').count()).toBe(3);
  const row = (text: string) => resident.locator('.consultation-option:visible').filter({ hasText: text }).last();
  await row(OPTIONS[1]).click();
  await resident.locator('.btn:visible').filter({ hasText: /^投票$/ }).last().click();
  await resident.getByText(`您投了：②${OPTIONS[1]}`, { exact: true }).last().waitFor();
  await resident.getByText('参与人数：1人', { exact: false }).last().waitFor();

  // --- A neighbour votes ① in the group chat, as the bot sends it.
  const group = await h5.s.api('POST', '/api/v1/bot/consultations/votes', {
    token: TEST_BOT_TOKEN,
    body: { votes: [{ messageId: 'e2e-consultation-1', roomId: ROOM, contactId: 'wxid_e2e_neighbour', number, choices: [1] }] },
  });
  expect(group.status).toBe(200);
  expect(group.body.results[0]).toMatchObject({ error: null, receipt: { number, changed: false } });

  // --- She reads again (pull-down or coming back does the same), sees both votes, changes hers to ①.
  await resident.reload();
  await resident.getByText('参与人数：2人', { exact: false }).last().waitFor();
  await row(OPTIONS[0]).click();
  await resident.locator('.btn:visible').filter({ hasText: '修改投票' }).last().click();
  await resident.getByText('已修改投票，谢谢您的参与', { exact: true }).last().waitFor();
  await resident.getByText(`您投了：①${OPTIONS[0]}`, { exact: true }).last().waitFor();
  await resident.getByText('2票 100%', { exact: true }).last().waitFor();
  await resident.getByText('参与人数：2人', { exact: false }).last().waitFor();
  // The picture for the README: her choice, the options and the results below them (once the toast is gone).
  // (Taro's toast wrapper has no size of its own, so playwright calls it hidden while it shows: read its display.)
  await resident.waitForFunction(() => Array.from(document.querySelectorAll<HTMLElement>('.taro__toast')).every((t) => t.style.display === 'none'));
  await resident.locator('.consultation-detail__mine:visible').last().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await keepScreenshot(resident, 'consultation.png');

  // One person, one vote: the server counts two voters, both on ①, and tells her only her own choice.
  const token = await h5.s.residentToken(RESIDENT);
  const seen = (await h5.s.api('GET', `/api/v1/consultations/${id}`, { token })).body;
  expect(seen).toMatchObject({ voters: 2, myChoices: [1], mayVote: true });
  expect(seen.options.map((o: { votes: number }) => o.votes)).toEqual([2, 0, 0]);

  // --- The worker ends it early and publishes the decision, each move on the version her page shows.
  const closer = await newPhone(h5.browser);
  await staffSignIn(closer, h5.s.url, STAFF);
  await closer.goto(`${h5.s.url}/#/packages/staff/pages/consultation-handle/index?id=${id}`);
  await closer.reload();
  await closer.locator('.news-button:visible').filter({ hasText: '提前结束' }).last().click();
  await closer.getByText('确定', { exact: true }).last().click();
  await closer.getByText('投票已结束，当前状态：已结束', { exact: true }).last().waitFor();
  await closer.locator('.news-button:visible').filter({ hasText: '公布决定' }).last().click();
  await closer.locator('textarea:visible').last().fill('经3号楼居民投票，同意加装电梯，费用按楼层分摊，下月开工。');
  await closer.locator('.news-button:visible').filter({ hasText: '确定公布决定' }).last().click();
  await closer.getByText('决定已公布，当前状态：已结束', { exact: true }).last().waitFor();
  await closer.context().close();

  // --- The resident: the final result, her vote, the decision notice, and from it back to the results.
  await resident.goto(`${h5.s.url}/#/pages/consultation-detail/index?id=${id}`);
  await resident.reload();
  await resident.getByText('最终结果', { exact: true }).last().waitFor();
  await resident.getByText(`您投了：①${OPTIONS[0]}`, { exact: true }).last().waitFor();
  await resident.getByText('查看社区的决定 ›', { exact: true }).last().click();
  await resident.getByText(`议事结果：${TITLE}`, { exact: true }).last().waitFor();
  await resident.getByText('查看议事结果 ›', { exact: true }).last().click();
  await resident.getByText('最终结果', { exact: true }).last().waitFor();
  await resident.context().close();
}, 180_000);
