/**
 * A news tip (爆料) as people do it, in the H5 build (real Chromium) against the real server: a
 * resident opens 我要爆料 from 首页, writes a tip with a place and agrees to be contacted, sends it
 * and lands on its detail; the editor finds it in the workbench's 爆料线索 (待处理), sees the
 * tipster's name (they agreed), takes it and replies; the resident's detail shows the reply and
 * 我的爆料 lists the tip as taken.
 *
 * Bugs it catches: a tips page or entry that does not open in H5 (registration, subpackage paths),
 * the form sending a body the server refuses, the queue not showing a new tip under 待处理, a move
 * sent without the version it was shown (the server answers 428/409), a reply that never reaches
 * the tipster's page. Leaves screenshots of the newsroom's queue and the resident's detail in the test artifacts.
 */
import { newPhone } from '../helpers/browser';
import { h5Suite, keepScreenshot, scrollToTop, seriousA11y, staffSignIn } from './h5-steps';

// demo-resident-01 is the login page's default demo resident; `editor` is the demo county's editor
// (common/demo-county.ts).
const RESIDENT = 'demo-resident-01';
const EDITOR = 'editor';
const TEXT = '东城社区幸福路菜市场门口的老槐树今天开花了，一百多岁了，很多老人在树下拍照留念。';
const PLACE = '东城社区幸福路菜市场门口';
const REPLY = '感谢您的爆料！记者下午去现场拍摄，稿件见报后告诉您。';

const h5 = h5Suite('tips');

it('a resident sends a tip, the editor takes it and replies, the resident reads the reply', async () => {
  // --- The resident signs in and opens 我要爆料 from 首页.
  const resident = await newPhone(h5.browser);
  await resident.goto(`${h5.s.url}/#/pages/login/index`);
  await resident.getByText(`演示账号：${RESIDENT}`, { exact: true }).last().waitFor();
  await resident.getByText('演示居民登录', { exact: true }).last().click();
  await resident.getByText('您好', { exact: false }).first().waitFor();
  await resident.locator('.home__tip').last().click();

  // --- The form: text, place, 可联系我; 可署名 stays off.
  await resident.getByText('爆料内容', { exact: true }).last().waitFor();
  // Large-text friendly and usable with a screen reader, like the other pages (the switches are labelled).
  expect(await seriousA11y(resident)).toEqual([]);
  await resident.locator('textarea').last().fill(TEXT);
  await resident.getByText(`${TEXT.length}/2000`, { exact: true }).last().waitFor();
  await resident.locator('input[placeholder="在哪里，如：城关镇幸福路菜市场门口"]').last().fill(PLACE);
  await resident.locator('[aria-label="可联系我"]').last().click();
  await resident.getByText('提交爆料', { exact: true }).last().click();

  // --- Its detail: waiting for the newsroom.
  await resident.getByText('编辑部会尽快查看您的爆料。', { exact: true }).last().waitFor();
  await resident.getByText(TEXT, { exact: true }).last().waitFor();
  await resident.getByText(`地点：${PLACE}`, { exact: true }).last().waitFor();
  const token = await h5.s.residentToken(RESIDENT);
  const mine = (await h5.s.api('GET', '/api/v1/tips?view=mine', { token })).body.items as { id: string; text: string }[];
  expect(mine.filter((t) => t.text === TEXT)).toHaveLength(1);
  const stored = (await h5.s.api('GET', `/api/v1/tips/${mine[0].id}`, { token })).body;
  expect(stored).toMatchObject({ state: 'new', place: PLACE, mayContact: true, mayCredit: false, channel: 'miniprogram' });

  // --- The editor: 工作台 → 爆料线索 (待处理) → the tip; the tipster agreed, so their name shows.
  const editor = await newPhone(h5.browser);
  await staffSignIn(editor, h5.s.url, EDITOR);
  await editor.getByText('我的', { exact: true }).last().click();
  await editor.getByText('工作台', { exact: true }).last().click();
  await editor.getByText('爆料线索', { exact: true }).last().click();
  await editor.locator('.news-tab--on').filter({ hasText: '待处理' }).last().waitFor();
  // The README's picture of the newsroom's queue (docs/images/tip-queue.png with UPDATE_SCREENSHOTS=1),
  // once the page has slid in (Taro's router marks it stationed).
  await editor.locator('.taro_page_show.taro_page_stationed .tip-card').filter({ hasText: TEXT }).last().waitFor();
  await keepScreenshot(editor, 'tip-queue.png');
  await editor.locator('.tip-card').filter({ hasText: TEXT }).last().click();
  await editor.getByText('爆料人同意编辑部联系核实。', { exact: true }).last().waitFor();
  expect(await seriousA11y(editor)).toEqual([]);
  await editor.locator('.news-button').filter({ hasText: '认领' }).last().click();
  await editor.getByText('已认领，当前状态：已认领', { exact: true }).last().waitFor();
  await editor.locator('.news-button').filter({ hasText: '回复爆料人' }).last().click();
  await editor.locator('textarea').last().fill(REPLY);
  await editor.locator('.news-button').filter({ hasText: '确定回复爆料人' }).last().click();
  await editor.getByText('已回复爆料人，当前状态：已认领', { exact: true }).last().waitFor();
  await editor.context().close();

  // --- The resident's detail shows the reply; 我的爆料 lists the tip as taken.
  await resident.reload();
  await resident.getByText('编辑部已认领，正在核实。', { exact: true }).last().waitFor();
  await resident.locator('.tip-replies').getByText(REPLY, { exact: true }).last().waitFor();
  await scrollToTop(resident);
  await keepScreenshot(resident, 'tip-detail.png');
  await resident.goto(`${h5.s.url}/#/pages/tip-list/index`);
  await resident.locator('.tip-card').filter({ hasText: TEXT }).getByText('已认领', { exact: true }).last().waitFor();
  await resident.context().close();
}, 180_000);
