import './helpers/h5-env';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import LoginPage from '../../src/pages/login/index';
import { getSession } from '../../src/store/session';
import { apiError, fakeApi, me, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

describe('login page (H5)', () => {
  test('a failed password login shows the server message and keeps what was typed', async () => {
    const log = fakeApi({
      'POST /auth/password-login': () => apiError(401, 'INVALID_CREDENTIALS', '用户名或密码错误'),
    });
    render(<LoginPage />);
    const user = screen.getByPlaceholderText('请输入用户名') as HTMLInputElement;
    const pass = screen.getByPlaceholderText('请输入密码') as HTMLInputElement;
    fireEvent.change(user, { target: { value: 'dispatcher01' } });
    fireEvent.change(pass, { target: { value: 'wrong-password' } });
    await act(async () => {
      fireEvent.click(screen.getByText('工作人员登录', { selector: 'button' }));
    });
    expect(await screen.findByText('用户名或密码错误')).toBeTruthy();
    expect(user.value).toBe('dispatcher01');
    expect(pass.value).toBe('wrong-password');
    expect(log.find((r) => r.path === '/auth/password-login')!.data).toEqual({ username: 'dispatcher01', password: 'wrong-password' });
    expect(getSession()).toBeNull();
    expect(Taro.switchTab).not.toHaveBeenCalled();
    // the message is shown inline next to the form, not also as a toast
    expect(Taro.showToast).not.toHaveBeenCalled();
  });

  test('asks for both fields before calling the server', async () => {
    const log = fakeApi({});
    render(<LoginPage />);
    fireEvent.click(screen.getByText('工作人员登录', { selector: 'button' }));
    expect(await screen.findByText('请输入用户名和密码')).toBeTruthy();
    expect(log.filter((r) => r.path !== '/auth/methods')).toHaveLength(0);
  });

  test('demo resident login stores the session and opens the home tab', async () => {
    const log = fakeApi({
      'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: true, password: true, demo: true } }),
      'POST /auth/dev-login': (req) => ({ status: 200, body: session({ user: me({ name: req.data.openid }) }) }),
    });
    render(<LoginPage />);
    expect(await screen.findByText('演示账号：demo-resident-01')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('picker'), { target: { value: '4' } });
    expect(screen.getByText('演示账号：demo-resident-05')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('演示居民登录'));
    });
    expect(log.find((r) => r.path === '/auth/dev-login')!.data).toEqual({ openid: 'demo-resident-05' });
    expect(getSession()?.user.name).toBe('demo-resident-05');
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/home/index' });
  });

  test('dev login refused in production shows the server message', async () => {
    // The methods call failed (weak network), so the button stays and the server has the last word.
    fakeApi({ 'POST /auth/dev-login': () => apiError(403, 'DEV_LOGIN_DISABLED', '生产环境不允许演示登录') });
    render(<LoginPage />);
    const button = await screen.findByText('演示居民登录');
    await act(async () => {
      fireEvent.click(button);
    });
    expect(await screen.findByText('生产环境不允许演示登录')).toBeTruthy();
  });

  test('where the server offers no demo login, residents are sent to the mini-program', async () => {
    fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: false, password: true, demo: false } }) });
    render(<LoginPage />);
    expect(await screen.findByText('居民请在微信中搜索本县小程序，使用微信一键登录。')).toBeTruthy();
    expect(screen.queryByText('演示居民登录')).toBeNull();
    // Staff still sign in with a password.
    expect(screen.getByText('工作人员登录', { selector: 'button' })).toBeTruthy();
  });

  // Catches: a demo reachable from the network (DEMO=1) that looks like the county's real service,
  // so people sign in and type real personal data into a system anyone can sign in to.
  test('a demo deployment is labelled 演示; a real one is not', async () => {
    fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: true, password: true, demo: true } }) });
    const { unmount } = render(<LoginPage />);
    expect(await screen.findByText('演示')).toBeTruthy();
    expect(screen.getByText(/任何人都可以登录任何演示账号/)).toBeTruthy();
    unmount();

    const log = fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: false, password: true, demo: false } }) });
    render(<LoginPage />);
    expect(await screen.findByText('居民请在微信中搜索本县小程序，使用微信一键登录。')).toBeTruthy();
    expect(screen.queryByText('演示')).toBeNull();
    // One question to the server serves both the sign-in methods and the label.
    expect(log.filter((r) => r.path === '/auth/methods')).toHaveLength(1);
  });
});
