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

  describe('the sign-in through WeChat (公众号网页授权)', () => {
    const WEB = { wechatMiniProgram: false, devLogin: false, password: true, wechatWeb: true, demo: false };
    const withParams = (params: Record<string, string>) =>
      (Taro.getCurrentInstance as jest.Mock).mockReturnValue({ router: { params, path: '/pages/login/index' } });
    afterEach(() => (Taro.getCurrentInstance as jest.Mock).mockImplementation(() => ({ router: { params: {}, path: '' } })));

    // Catches: residents of a county with a 公众号 told to go to the mini-program instead of signing in here.
    test('offers 微信登录 when the server can do it, instead of sending residents to the mini-program', async () => {
      fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: WEB }) });
      render(<LoginPage />);
      expect(await screen.findByText('微信登录', { selector: 'button' })).toBeTruthy();
      expect(screen.queryByText('居民请在微信中搜索本县小程序，使用微信一键登录。')).toBeNull();
    });

    // Catches: the ticket WeChat's round trip handed back left unused (the resident lands signed out),
    // or the resident sent to 首页 instead of the page they came from.
    test('turns the ticket from WeChat’s round trip into the session and opens the page asked for', async () => {
      withParams({ wxticket: 't'.repeat(32), next: encodeURIComponent('/pages/appeals/index') });
      const log = fakeApi({
        'GET /auth/methods': () => ({ status: 200, body: WEB }),
        'POST /auth/wechat-web/session': () => ({ status: 200, body: session({ user: me({ name: '微信用户' }) }) }),
      });
      await act(async () => {
        render(<LoginPage />);
      });
      expect(log.find((r) => r.path === '/auth/wechat-web/session')!.data).toEqual({ ticket: 't'.repeat(32) });
      expect(getSession()?.user.name).toBe('微信用户');
      expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/appeals/index' });
    });

    // Catches: a used or expired ticket shown as a blank page, or a session kept from it.
    test('says so when the ticket is no longer valid', async () => {
      withParams({ wxticket: 'u'.repeat(32) });
      fakeApi({
        'GET /auth/methods': () => ({ status: 200, body: WEB }),
        'POST /auth/wechat-web/session': () => apiError(401, 'UNAUTHENTICATED', '微信登录已失效，请重新登录'),
      });
      render(<LoginPage />);
      expect(await screen.findByText('微信登录已失效，请重新登录')).toBeTruthy();
      expect(getSession()).toBeNull();
    });

    // Catches: a failed round trip (refused, expired state, WeChat down) with no word of what happened.
    test('explains in Chinese why WeChat sent the resident back without a ticket', async () => {
      withParams({ wxerror: 'state' });
      fakeApi({ 'GET /auth/methods': () => ({ status: 200, body: WEB }) });
      render(<LoginPage />);
      expect(await screen.findByText('微信登录已过期或不是从本页发起的，请重新点击“微信登录”')).toBeTruthy();
    });
  });
});
