// Without TARO_ENV=h5 the login page is the WeChat variant: Taro.login() code -> /auth/wechat-login.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import LoginPage from '../../src/pages/login/index';
import { getSession } from '../../src/store/session';
import { fakeApi, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

test('weapp: WeChat login exchanges the login code for a session', async () => {
  const log = fakeApi({ 'POST /auth/wechat-login': () => ({ status: 200, body: session() }) });
  render(<LoginPage />);
  expect(screen.queryByText('演示居民登录')).toBeNull();
  await act(async () => {
    fireEvent.click(screen.getByText('微信一键登录'));
  });
  expect(Taro.login).toHaveBeenCalled();
  expect(log.find((r) => r.path === '/auth/wechat-login')!.data).toEqual({ code: 'test-code' });
  expect(new URL(String((Taro.request as jest.Mock).mock.calls[0][0].url)).origin).toBe('http://127.0.0.1:3000');
  expect(getSession()?.accessToken).toBe('access-1');
  expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/home/index' });
});

// Catches: the mini-program of a demo deployment not saying it is one (the label was H5-only).
test('weapp: a demo deployment is labelled 演示 on the login page', async () => {
  fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: true, password: true, demo: true } }) });
  render(<LoginPage />);
  expect(await screen.findByText('演示')).toBeTruthy();
  expect(screen.getByText('微信一键登录')).toBeTruthy();
});
