/**
 * The whole group-chat binding flow as a person does it: community staff open the workbench in the
 * H5 build (real Chromium), generate a code for their community, say `绑定 <code>` in the group on
 * the simulated WeChat, where the real bot redeems it against the real server, and see the group
 * in the workbench list after 刷新列表.
 */
import path from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { createBot, type XianrongBot } from '../../bot/runtime/create-bot';
import { createSimulatedWechat, type SimulatedWechat } from '../../bot/simulator/simulated-wechat';
import { ARTIFACTS, H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

// 西城社区's group is seeded unbound; its staff member `xicheng` is in it (common/demo-county.ts).
const ROOM = 'xicheng-neighbours@chatroom';
const TOPIC = '西城社区邻里群';
const SPEAKER = 'wxid_demo_xicheng_staff';

let s: TestServer;
let browser: Browser;
let sim: SimulatedWechat;
let bot: XianrongBot;

beforeAll(async () => {
  s = await startTestServer({ config: { h5Dir: H5_DIR } });
  sim = createSimulatedWechat();
  bot = createBot({ puppet: sim.puppet, serverUrl: s.url, botToken: s.ctx.config.botToken, logger: pino({ level: 'silent' }), checkServerOnLogin: false });
  await bot.start();
  sim.login();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await s?.stop();
});

it('community staff bind their neighbours group from the workbench', async () => {
  expect(await s.models.Room.countDocuments({ roomId: ROOM })).toBe(0);
  const page = await newPhone(browser);

  await page.goto(`${s.url}/#/pages/login/index`);
  await page.locator('input[placeholder="请输入用户名"]').fill('xicheng');
  await page.locator('input[placeholder="请输入密码"]').fill('xianrong123');
  await page.getByText('工作人员登录', { exact: true }).last().click();
  await page.getByText('您好', { exact: false }).first().waitFor();

  await page.getByText('我的', { exact: true }).last().click();
  await page.getByText('工作台', { exact: true }).last().click();
  await page.getByText('我的工作台', { exact: true }).last().waitFor();
  await page.getByText('城关镇 · 西城社区', { exact: true }).last().waitFor();
  await page.getByText('群聊绑定', { exact: true }).last().click();

  await page.getByText('已绑定的群聊', { exact: true }).last().waitFor();
  await page.getByText('还没有绑定的群聊', { exact: true }).last().waitFor();
  await page.getByText('生成绑定码', { exact: true }).last().click();

  const instruction = page.locator('.binding-code__instruction').last();
  await instruction.waitFor();
  expect(await instruction.textContent()).toMatch(/^请在要绑定的微信群里发送：绑定 \d{8}$/);
  const code = /(\d{8})$/.exec((await instruction.textContent()) ?? '')?.[1];
  expect(code).toMatch(/^\d{8}$/);
  await page.getByText(code!, { exact: true }).last().waitFor();
  await page.getByText(/^有效期至 \d{1,2}月\d{1,2}日 \d{2}:\d{2}$/).last().waitFor();

  // The staff member says the code in the group; the bot redeems it on the server.
  const reply = sim.nextBotMessage(ROOM, 10_000);
  sim.say({ contactId: SPEAKER, roomId: ROOM, text: `绑定 ${code}` });
  expect((await reply).text).toContain('绑定成功');

  const refresh = page.getByText('刷新列表', { exact: true }).last();
  // Taro's H5 button writes disabled="false" on an enabled button: it must not look disabled.
  expect(await refresh.evaluate((el) => getComputedStyle(el.closest('.btn') ?? el).backgroundColor)).not.toBe('rgb(207, 207, 207)');
  await refresh.click();
  await page.getByText(TOPIC, { exact: true }).last().waitFor();
  // Taro scrolls the page inside its own container (clicking scrolled it): back to the top, where one
  // phone screen shows the bound group and the code together.
  await page.locator('.taro_page_show').last().evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-binding.png') });

  const bound = await s.models.Room.findOne({ roomId: ROOM }).lean();
  expect(bound?.topic).toBe(TOPIC);
  expect(String(bound?.regionId)).toBe(await s.regionId('DX-01-02'));
  await page.context().close();
});
