// WeChat's privacy authorisation (the WeChat variant: TARO_ENV is not h5 here). The Taro stand-in
// behaves as WeChat's base library: a user who has not agreed makes requirePrivacyAuthorize call the
// app's onNeedPrivacyAuthorization listener, and only resolve({event:'agree', buttonId}) naming a tapped
// agreement button lets the held API go on. chooseImage and setClipboardData are plain mocks, so
// "not called" means the app never reached them.
import { useState } from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { privacyAgreed, privacyExposures, resetTaro, setPrivacyAgreed } from './stubs/taro';
import { inH5 } from './helpers/in-h5';
import { PhotoPicker, type PickedPhoto } from '../../src/components/PhotoPicker';
import { BindingCodeCard } from '../../src/packages/staff/components/BindingCodeCard';
import MePage from '../../src/pages/me/index';
import PrivacyPage from '../../src/pages/privacy/index';
import { PRIVACY_ITEMS } from '../../src/pages/privacy/content';
import { PRIVACY_PAGE, requirePrivacy } from '../../src/utils/privacy';

const taro = Taro as unknown as Record<string, jest.Mock>;
const REFUSED = '需要同意隐私保护指引后才能选择照片';

beforeEach(() => {
  resetTaro();
  setPrivacyAgreed(false);
  taro.chooseImage = jest.fn(() => Promise.resolve({ tempFilePaths: ['wxfile://tmp_1.jpg'] }));
  // The picked photo uploads at once; it may stay pending, these tests are about what comes before.
  taro.uploadFile = jest.fn(() => Object.assign(new Promise(() => undefined), { onProgressUpdate: () => undefined, abort: () => undefined }));
});

function Picker() {
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  return <PhotoPicker photos={photos} onChange={setPhotos} />;
}

async function tap(text: string) {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
}

test('the popup appears when WeChat asks, and chooseImage waits for 同意', async () => {
  // Catches chooseImage called before the agreement (WeChat would block it, or the app would skip the
  // popup), and a 同意 that answers WeChat with another id than the tapped agreement button's (WeChat
  // then keeps the API blocked: chooseImage is never reached).
  render(<Picker />);
  expect(screen.queryByText('隐私保护提示')).toBeNull();
  await tap('添加照片 0/9');
  expect(Taro.onNeedPrivacyAuthorization).toBeDefined();
  expect(screen.getByText('隐私保护提示')).toBeTruthy();
  expect(screen.getByText('《县融隐私保护指引》')).toBeTruthy();
  expect(privacyExposures()).toBe(1);
  expect(taro.chooseImage).not.toHaveBeenCalled();

  const agree = screen.getByText('同意');
  expect(agree.getAttribute('data-open-type')).toBe('agreePrivacyAuthorization');
  await tap('同意');
  expect(privacyAgreed()).toBe(true);
  expect(taro.chooseImage).toHaveBeenCalledTimes(1);
  expect(screen.queryByText('隐私保护提示')).toBeNull();
  expect(screen.queryByText(REFUSED)).toBeNull();
  expect(screen.getByText('上传中 0%')).toBeTruthy();
});

test('拒绝: the picker says why and offers the guide, chooseImage is never called; asking again still works', async () => {
  // Catches a decline that still opens the photo picker, a silent decline (the resident does not know
  // why nothing happens), and a decline that sticks (WeChat asks again on the next try, so must the app).
  render(<Picker />);
  await tap('添加照片 0/9');
  await tap('拒绝');
  expect(taro.chooseImage).not.toHaveBeenCalled();
  expect(screen.queryByText('隐私保护提示')).toBeNull();
  expect(screen.getByText(REFUSED)).toBeTruthy();
  await tap('查看隐私保护指引');
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: PRIVACY_PAGE });
  expect(taro.chooseImage).not.toHaveBeenCalled();

  await tap('添加照片 0/9');
  expect(screen.getByText('隐私保护提示')).toBeTruthy();
  await tap('同意');
  expect(taro.chooseImage).toHaveBeenCalledTimes(1);
  expect(screen.queryByText(REFUSED)).toBeNull();
});

test('a user who agreed before goes straight to the photo picker', async () => {
  // Catches a popup shown on every tap (WeChat answers at once for a user who agreed).
  setPrivacyAgreed(true);
  render(<Picker />);
  await tap('添加照片 0/9');
  expect(screen.queryByText('隐私保护提示')).toBeNull();
  expect(taro.chooseImage).toHaveBeenCalledTimes(1);
});

test('the binding code is copied only after 同意; after 拒绝 the card says to type it', async () => {
  // Catches setClipboardData (a privacy API) called before the agreement, and a declined copy that
  // still says nothing.
  render(<BindingCodeCard code={{ code: '12345678', expiresAt: '2026-11-27T06:05:00.000Z' } as never} sendTo='请在要绑定的微信群里发送：' />);
  await tap('复制');
  expect(screen.getByText('隐私保护提示')).toBeTruthy();
  expect(Taro.setClipboardData).not.toHaveBeenCalled();
  await tap('拒绝');
  expect(Taro.setClipboardData).not.toHaveBeenCalled();
  expect(screen.getByText('需要同意隐私保护指引后才能复制，请手动输入绑定码')).toBeTruthy();

  await tap('复制');
  await tap('同意');
  expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '绑定 12345678' });
  expect(screen.queryByText('需要同意隐私保护指引后才能复制，请手动输入绑定码')).toBeNull();
});

test('a privacy request with no popup on screen opens the guide, whose 同意 releases it and goes back', async () => {
  // Catches a privacy API left hanging forever when it was called from a page without a popup (the
  // app's listener is registered, so WeChat shows nothing of its own).
  let agreed: boolean | undefined;
  void requirePrivacy().then((a) => (agreed = a));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: PRIVACY_PAGE });
  render(<PrivacyPage />);
  await tap('同意');
  expect(agreed).toBe(true);
  expect(Taro.navigateBack).toHaveBeenCalled();
});

test('the guide lists what is collected and how to ask for removal; a user who has not agreed can agree there', async () => {
  // Catches a guide missing one of the kinds of data the app handles, and a guide page that offers no
  // way to agree (getPrivacySetting says the agreement is still needed).
  render(<PrivacyPage />);
  for (const title of ['照片', '位置', '手机号', '微信身份', '剪贴板', '文件']) expect(screen.getByText(title)).toBeTruthy();
  expect(PRIVACY_ITEMS.map((i) => i.key).sort()).toEqual(['clipboard', 'files', 'location', 'phone', 'photos', 'wechat']);
  expect(screen.getByText(/原图（可能含拍摄时间、地点等信息）只给处理这条记录的工作人员查看/)).toBeTruthy();
  expect(screen.getByText(/请联系本县融媒体中心/)).toBeTruthy();
  expect(await screen.findByText('同意')).toBeTruthy();
  await tap('同意');
  expect(privacyAgreed()).toBe(true);
  expect(screen.getByText('您已同意本指引。')).toBeTruthy();
  expect(Taro.navigateBack).not.toHaveBeenCalled();
});

test('我的 links to the guide (also before signing in)', () => {
  // Catches a guide page no one can reach (WeChat's review asks for it to be findable).
  render(<MePage />);
  fireEvent.click(screen.getByText('隐私保护指引'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: PRIVACY_PAGE });
});

test('the app configuration turns the privacy check on and registers the guide page', () => {
  // Catches the flag or the page dropped from app.config.ts (then app.json lacks them).
  // app.config.ts calls Taro's global defineAppConfig (the build defines it).
  (globalThis as Record<string, unknown>).defineAppConfig = (c: unknown) => c;
  const config = (require('../../src/app.config') as { default: { __usePrivacyCheck__?: boolean; pages: string[] } }).default;
  expect(config.__usePrivacyCheck__).toBe(true);
  expect(config.pages).toContain(PRIVACY_PAGE.slice(1));
});

test('H5: the photo picker opens at once, no popup, nothing asked of WeChat', () =>
  // Catches the WeChat gate applied in a browser, where there is no WeChat privacy mechanism (Taro's
  // H5 requirePrivacyAuthorize only fails): no resident could add a photo in H5. The stand-in's user
  // has not agreed (beforeEach), so an active gate would show the popup here.
  inH5(async () => {
    render(<Picker />);
    await tap('添加照片 0/9');
    expect(taro.chooseImage).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('隐私保护提示')).toBeNull();
    expect(screen.queryByText(REFUSED)).toBeNull();
    expect(Taro.requirePrivacyAuthorize).not.toHaveBeenCalled();
    await expect(requirePrivacy()).resolves.toBe(true);
  }));

test('H5: the guide page shows the guide without WeChat agreement buttons', () =>
  // Catches 同意/拒绝 buttons in a browser, where they would answer nothing.
  inH5(async () => {
    render(<PrivacyPage />);
    await act(async () => undefined);
    expect(screen.getByText('照片')).toBeTruthy();
    expect(screen.queryByText('同意')).toBeNull();
    expect(Taro.getPrivacySetting).not.toHaveBeenCalled();
  }));

test('every privacy-sensitive WeChat API the app calls is in the guide', () => {
  // Catches a new use of a privacy API (chooseMessageFile on the import page was one) that the guide
  // and the console's declarations miss: WeChat blocks an undeclared API, so the feature breaks there.
  const PRIVACY_APIS = ['chooseImage', 'chooseMedia', 'chooseVideo', 'chooseMessageFile', 'chooseLocation', 'getLocation', 'startLocationUpdate', 'chooseAddress', 'getClipboardData', 'setClipboardData', 'getUserProfile', 'getPhoneNumber', 'saveImageToPhotosAlbum', 'chooseContact', 'addPhoneContact', 'getWeRunData', 'chooseInvoice', 'startRecord', 'getRecorderManager'];
  const { readdirSync, readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.tsx?$/.test(f) ? [join(dir, f)] : []));
  const called = new Set<string>();
  for (const f of files(join(__dirname, '../../src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/Taro\.(\w+)\(/g)) if (PRIVACY_APIS.includes(m[1])) called.add(m[1]);
  }
  expect(called.has('chooseMessageFile')).toBe(true);
  const declared = new Set(PRIVACY_ITEMS.flatMap((i) => i.apis));
  expect([...called].filter((api) => !declared.has(api))).toEqual([]);
});
