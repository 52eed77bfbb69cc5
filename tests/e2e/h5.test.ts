/**
 * The H5 build of the mini-program in real Chromium, against the real server on its own embedded
 * database, seeded with the demo county. `npm test` builds dist/h5 first (scripts/prepare.ts).
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, H5_DIR, launchBrowser, newPhone } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startTestServer({ config: { h5Dir: H5_DIR } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

const tab = (page: Page, name: string) => page.getByText(name, { exact: true }).last();

async function loginAsDemoResident(page: Page) {
  await page.goto(`${s.url}/#/pages/login/index`);
  await page.getByText('演示居民登录', { exact: true }).first().click();
  await page.getByText('您好', { exact: false }).first().waitFor();
}

describe('H5 app', () => {
  it('a demo resident logs in and walks the four tabs', async () => {
    const page = await newPhone(browser);
    await page.goto(`${s.url}/`);
    await page.getByText('欢迎使用县融').first().waitFor();
    await page.getByText('去登录', { exact: true }).first().click();

    await page.getByText('演示居民登录', { exact: true }).first().click();
    const resident = await s.models.User.findOne({ roles: 'resident' }).sort({ _id: 1 }).lean();
    await page.getByText(`${resident!.name}，您好`).first().waitFor();
    await page.getByText('东城社区', { exact: false }).first().waitFor();

    // The demo resident's own appeals from the seeded county are listed (their first ticket number).
    await tab(page, '诉求').click();
    const own = await s.models.Appeal.findOne({ reporterId: resident!._id }).sort({ _id: -1 }).lean();
    await page.getByText('我要反映', { exact: true }).first().waitFor();
    await page.getByText(own!.number).first().waitFor();

    await tab(page, '服务').click();
    await page.getByText('12345市民热线').first().waitFor();

    await tab(page, '我的').click();
    await page.getByText(resident!.name, { exact: true }).first().waitFor();
    await page.getByText('居民', { exact: true }).first().waitFor();
    expect(await page.getByText('工作台', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'h5-me.png') });

    await tab(page, '首页').click();
    await page.getByText('通知公告', { exact: true }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'h5-home.png') });
    // `UPDATE_SCREENSHOTS=1 npm test` refreshes the README's picture.
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(path.join(ARTIFACTS, 'h5-home.png'), path.resolve(__dirname, '../../docs/screenshot.png'));
    await page.context().close();
  });

  it('a resident chooses their community from the regions tree', async () => {
    const page = await newPhone(browser);
    await loginAsDemoResident(page);
    await tab(page, '我的').click();
    await page.getByText('选择社区', { exact: true }).last().click();
    await page.getByText('东溪县', { exact: true }).first().click();
    await page.getByText('青石乡', { exact: true }).first().click();
    await page.getByText('桃源村', { exact: true }).first().click();

    // The picker saves and goes back to 我的, which shows the new community.
    await page.waitForURL((url) => !url.hash.includes('region-picker'));
    await page.getByText('桃源村', { exact: false }).first().waitFor();
    const me = await s.api('GET', '/api/v1/me', { token: await s.residentToken('demo-resident-01') });
    expect(me.body.region.name).toBe('桃源村');
    await page.context().close();
  });

  it('staff: a wrong password keeps what was typed and says why; the right one opens the workbench', async () => {
    const page = await newPhone(browser);
    await page.goto(`${s.url}/#/pages/login/index`);
    const username = page.locator('input[placeholder="请输入用户名"]');
    const password = page.locator('input[placeholder="请输入密码"]');
    await username.fill('dongcheng');
    await password.fill('wrong-password');
    await page.getByText('工作人员登录', { exact: true }).last().click();
    await page.getByText('用户名或密码错误').first().waitFor();
    expect(await username.inputValue()).toBe('dongcheng');

    await password.fill('xianrong123');
    await page.getByText('工作人员登录', { exact: true }).last().click();
    await page.getByText('您好', { exact: false }).first().waitFor();
    await tab(page, '我的').click();
    await page.getByText('社区工作人员', { exact: true }).first().waitFor();
    await page.getByText('工作台', { exact: true }).first().click();
    await page.getByText('群聊绑定', { exact: true }).first().waitFor();
    await page.context().close();
  });
});
