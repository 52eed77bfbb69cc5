/**
 * An appeal's whole life as people do it, in the H5 build (real Chromium) against the real server:
 * a resident signs in, files an appeal with a photo in a category whose default unit exists, and
 * sees it assigned at once (direct dispatch); the department's staff member starts and answers it
 * in the staff workbench pages; the resident opens the detail, reads the answer and rates it.
 * Leaves a screenshot of the detail page in the test artifacts; with UPDATE_SCREENSHOTS=1 also for
 * the README (docs/images/appeal-detail.png).
 */
import sharp from 'sharp';
import { newPhone } from '../helpers/browser';
import { h5Suite, keepScreenshot, scrollToTop, staffSignIn } from './h5-steps';

// demo-resident-01 (the login page's default demo resident) lives in 东城社区 (DX-01-01), where the
// demo county already has an open water-supply appeal; 停水、水质问题 goes straight to 县水务局,
// whose demo staff member is `dept_water` (common/demo-county.ts, server/seed/appeals.ts).
// The test checks these facts through the API first, so a changed seed fails with a clear message.
const RESIDENT = 'demo-resident-01';
const RESIDENT_COMMUNITY = 'DX-01-01';
const CATEGORY = '停水、水质问题';
const DEPARTMENT = '县水务局';
const HANDLER = 'dept_water';
const DESCRIPTION = '东城社区五号楼从今天早上开始停水，家里有老人，做饭喝水都成问题，请尽快处理。';
const ANSWER = '经排查为五号楼进户阀门损坏，已于当天下午更换，现已恢复供水。';

// A drawn stand-in for a resident's photo (a block of flats and a dry tap), so the README's
// screenshot shows a picture rather than a flat colour; no text, so it needs no fonts.
const PHOTO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9cc9ef"/><stop offset="1" stop-color="#e8f3fb"/></linearGradient></defs>
  <rect width="800" height="600" fill="url(#sky)"/>
  <rect x="120" y="120" width="360" height="400" fill="#d9c7a7" stroke="#8d7b5c" stroke-width="6"/>
  ${[0, 1, 2, 3].map((r) => [0, 1, 2].map((c) => `<rect x="${160 + c * 110}" y="${160 + r * 85}" width="70" height="50" fill="#5d7fa3"/>`).join('')).join('')}
  <rect x="0" y="520" width="800" height="80" fill="#7a8a70"/>
  <rect x="560" y="300" width="30" height="220" fill="#8a8f96"/>
  <rect x="560" y="300" width="120" height="26" fill="#8a8f96"/>
  <rect x="664" y="300" width="26" height="60" fill="#8a8f96"/>
  <circle cx="600" cy="300" r="22" fill="#c0392b"/>
</svg>`;

const h5 = h5Suite('appeals');

it('a resident files an appeal with a photo, the department answers, the resident rates it', async () => {
  const photo = await sharp(Buffer.from(PHOTO_SVG)).jpeg({ quality: 80 }).toBuffer();
  const resident = await newPhone(h5.browser);
  // The server's Content-Security-Policy must let the H5 build do its work: Taro's uploadFile reads
  // the picked picture through its blob: address (connect-src) before sending it.
  const cspViolations: string[] = [];
  resident.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
  });

  // --- What the demo county holds for this resident (checked, not assumed).
  const token = await h5.s.residentToken(RESIDENT);
  const communityId = await h5.s.regionId(RESIDENT_COMMUNITY);
  expect((await h5.s.api('GET', '/api/v1/me', { token })).body.regionId).toBe(communityId);
  const water = (await h5.s.api('GET', '/api/v1/categories')).body.items.find((c: { name: string }) => c.name === CATEGORY);
  expect(water?.defaultDepartmentId).toBeTruthy();
  const nearby = (await h5.s.api('GET', `/api/v1/appeals/similar?categoryId=${water.id}&regionId=${communityId}`, { token })).body.items as { number: string }[];
  expect(nearby.length).toBeGreaterThan(0);
  const mine = (await h5.s.api('GET', '/api/v1/appeals?view=mine', { token })).body.items as { number: string }[];
  expect(mine.length).toBeGreaterThan(0);

  // --- The resident signs in (development login) and sees their appeals on the 诉求 tab.
  await resident.goto(`${h5.s.url}/#/pages/login/index`);
  await resident.getByText(`演示账号：${RESIDENT}`, { exact: true }).last().waitFor();
  await resident.getByText('演示居民登录', { exact: true }).last().click();
  await resident.getByText('您好', { exact: false }).first().waitFor();
  await resident.getByText('诉求', { exact: true }).last().click();
  await resident.getByText(mine[0].number, { exact: true }).last().waitFor();
  expect(await resident.locator('.appeal-card').count()).toBe(mine.length);
  await resident.getByText('急事请拨打 12345 政务服务便民热线', { exact: true }).last().waitFor();
  await resident.getByText('我要反映', { exact: true }).last().click();

  // --- The report form: kind, category, description, a photo; the community is the resident's own.
  await resident.getByText(CATEGORY, { exact: true }).last().waitFor();
  await resident.getByText('城关镇 · 东城社区', { exact: true }).last().waitFor();
  await resident.getByText('求助', { exact: true }).last().click();
  await resident.getByText(CATEGORY, { exact: true }).last().click();
  await resident.locator('textarea').last().fill(DESCRIPTION);
  await resident.getByText(`${DESCRIPTION.length}/2000`, { exact: true }).last().waitFor();

  // The test browser keeps a desktop user agent, so Taro opens the file chooser at once (a phone's
  // browser first asks 拍摄 / 从相册选择).
  const chooser = resident.waitForEvent('filechooser');
  await resident.getByText('添加照片 0/9', { exact: true }).last().click();
  await (await chooser).setFiles({ name: 'water.jpg', mimeType: 'image/jpeg', buffer: photo });
  // Wait until the upload has settled (done, or failed after the picker's 30 s stall limit), then
  // require that it succeeded, naming any policy that blocked it.
  await resident.locator('.photo-picker__item--done, .photo-picker__item--failed').last().waitFor({ timeout: 45_000 });
  expect(cspViolations).toEqual([]);
  expect(await resident.locator('.photo-picker__item--failed').count()).toBe(0);
  expect(await resident.locator('.photo-picker__item--done').count()).toBe(1);
  await resident.getByText('添加照片 1/9', { exact: true }).last().waitFor();

  await resident.getByText('提交', { exact: true }).last().click();

  // --- The open water appeal nearby is offered for 同问; this resident's issue is their own.
  await resident.getByText('附近已有相同问题', { exact: true }).last().waitFor();
  await resident.getByText(nearby[0].number, { exact: true }).last().waitFor();
  await resident.getByText('仍然提交', { exact: true }).last().click();

  // --- The detail: numbered, and already with the department (direct dispatch by the catalogue).
  const number = resident.locator('.appeal-detail__number').last();
  await number.waitFor();
  const appealNumber = (await number.textContent()) ?? '';
  expect(appealNumber).toMatch(/^DX-\d{8}-\d{4,6}$/);
  await resident.getByText('已派单', { exact: true }).last().waitFor();
  await resident.getByText(`承办单位：${DEPARTMENT}`, { exact: true }).last().waitFor();
  await resident.getByText(DESCRIPTION, { exact: true }).last().waitFor();
  expect(await resident.locator('.appeal-detail .photo-grid__thumb').count()).toBe(1);

  const stored = await h5.s.models.Appeal.findOne({ number: appealNumber }).lean();
  expect(stored).toMatchObject({ state: 'assigned', directDispatch: true, departmentName: DEPARTMENT, kind: 'help', channel: 'miniprogram' });
  expect(stored?.photoIds).toHaveLength(1);
  expect(String(stored?.regionId)).toBe(await h5.s.regionId(RESIDENT_COMMUNITY));

  // --- The department's staff member starts and answers it in the workbench.
  const staff = await newPhone(h5.browser);
  await staffSignIn(staff, h5.s.url, HANDLER);
  await staff.getByText('我的', { exact: true }).last().click();
  await staff.getByText('工作台', { exact: true }).last().click();
  await staff.getByText('诉求办理', { exact: true }).last().click();
  await staff.getByText(appealNumber, { exact: true }).last().click();
  await staff.locator('.appeal-handle__button').filter({ hasText: '开始办理' }).last().click();
  await staff.locator('.appeal-form__submit').last().click();
  await staff.locator('.appeal-handle__button').filter({ hasText: '答复' }).last().click();
  await staff.locator('textarea[placeholder="办理结果、依据和后续安排"]').last().fill(ANSWER);
  await staff.locator('.appeal-form__submit').filter({ hasText: '提交答复' }).last().click();
  await staff.getByText('已答复', { exact: false }).last().waitFor();
  expect((await h5.s.models.Appeal.findOne({ number: appealNumber }).lean())?.state).toBe('replied');
  await staff.context().close();

  // --- The resident comes back to the detail: the answer is there; they rate it.
  await resident.reload();
  await resident.getByText(ANSWER, { exact: true }).last().waitFor();
  await resident.getByText('已答复', { exact: true }).last().waitFor();
  // Font sizes come from the --xr-* properties (the elderly mode scales them); touch targets are at
  // least 44 CSS px tall on a phone.
  const rateButton = resident.locator('.appeal-detail__actions .btn').filter({ hasText: '评价' }).last();
  expect((await rateButton.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  expect(await resident.evaluate(() => getComputedStyle(document.body).getPropertyValue('--xr-touch').trim())).not.toBe('');
  const excerptSize = await resident.locator('.appeal-detail__text').first().evaluate((el) => getComputedStyle(el).fontSize);
  expect(excerptSize).toBe(await resident.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.fontSize = 'var(--xr-font-body)';
    document.body.appendChild(probe);
    const size = getComputedStyle(probe).fontSize;
    probe.remove();
    return size;
  }));
  await resident.getByText('评价', { exact: true }).last().click();
  await resident.getByText('已解决', { exact: true }).last().click();
  await resident.getByText('满意', { exact: true }).last().click();
  await resident.locator('textarea[placeholder="想说的话（选填）"]').last().fill('当天就来水了，谢谢！');
  await resident.getByText('提交评价', { exact: true }).last().click();
  await resident.getByText('我的评价', { exact: true }).last().waitFor();
  await resident.getByText('已办结', { exact: true }).last().waitFor();
  await resident.getByText('已解决 · 满意', { exact: true }).last().waitFor();

  const rated = await h5.s.models.Appeal.findOne({ number: appealNumber }).lean();
  expect(rated).toMatchObject({ state: 'closed', rating: { resolved: true, satisfaction: 'satisfied', comment: '当天就来水了，谢谢！' } });

  // The picture for the README: without the 感谢您的评价 toast over it, from the top of the page.
  await resident.getByText('感谢您的评价', { exact: true }).last().waitFor({ state: 'hidden' });
  await scrollToTop(resident);
  await keepScreenshot(resident, 'appeal-detail.png');

  // --- Back on the 诉求 tab it is listed, closed.
  await resident.goto(`${h5.s.url}/#/pages/appeals/index`);
  await resident.getByText(appealNumber, { exact: true }).last().waitFor();
  await resident.locator('.appeal-card').filter({ hasText: appealNumber }).getByText('已办结', { exact: true }).waitFor();
  await resident.context().close();
}, 180_000);
