import { fireEvent, render, screen, act } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import MePage from '../../src/pages/me/index';
import HomePage from '../../src/pages/home/index';
import { getSession, setSession } from '../../src/store/session';
import { fakeApi, me, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

const staff = me({
  name: '赵网格',
  roles: ['grid_worker', 'community_staff'],
  roleLabels: ['网格员', '社区工作人员'],
  isStaff: true,
  regionId: 'm1',
  region: { id: 'm1', name: '东关社区', level: 'community', pathNames: ['演示县', '城关镇', '东关社区'] },
});

test('me: shows name, Chinese role labels, community and the staff workbench entry', async () => {
  setSession(session({ user: staff }));
  fakeApi({ 'GET /me': () => ({ status: 200, body: staff }), 'POST /auth/logout': () => ({ status: 204 }) });
  render(<MePage />);
  expect(screen.getByText('赵网格')).toBeTruthy();
  expect(screen.getByText('网格员')).toBeTruthy();
  expect(screen.getByText('社区工作人员')).toBeTruthy();
  expect(screen.getByText('城关镇 · 东关社区')).toBeTruthy();
  fireEvent.click(screen.getByText('工作台'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/workbench/index' });
  fireEvent.click(screen.getByText('选择社区'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/region-picker/index' });
  await act(async () => {
    fireEvent.click(screen.getByText('退出登录'));
  });
  expect(getSession()).toBeNull();
  expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/index' });
});

test('me: residents get no workbench entry', async () => {
  setSession(session());
  fakeApi({ 'GET /me': () => ({ status: 200, body: me() }) });
  render(<MePage />);
  await act(async () => undefined);
  expect(screen.getByText('居民')).toBeTruthy();
  expect(screen.getByText('尚未选择')).toBeTruthy();
  expect(screen.queryByText('工作台')).toBeNull();
});

// Catches: residents with no way to link their WeChat (their group votes would count apart from
// their app votes), or the entry shown to staff, who bind theirs from the workbench.
test('me: residents link their WeChat from 我的; staff do it in the workbench', async () => {
  setSession(session());
  fakeApi({ 'GET /me': () => ({ status: 200, body: me() }) });
  const { unmount } = render(<MePage />);
  await act(async () => undefined);
  expect(screen.getByText('未绑定')).toBeTruthy();
  fireEvent.click(screen.getByText('绑定我的微信'));
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/contact-binding/index' });
  unmount();
  setSession(session({ user: staff }));
  fakeApi({ 'GET /me': () => ({ status: 200, body: staff }) });
  render(<MePage />);
  await act(async () => undefined);
  expect(screen.queryByText('绑定我的微信')).toBeNull();
});

test('home: signed out shows the login prompt and empty news and notices', async () => {
  // The home page's own tests are in home.test.tsx.
  fakeApi({ 'GET /columns': () => ({ status: 200, body: { items: [] } }), 'GET /notices': () => ({ status: 200, body: { items: [], nextCursor: null } }), 'GET /news/feed': () => ({ status: 200, body: { items: [], nextCursor: null } }) });
  render(<HomePage />);
  expect(screen.getByText('去登录')).toBeTruthy();
  expect(screen.getByText('通知公告')).toBeTruthy();
  expect(await screen.findByText('暂无内容')).toBeTruthy();
});

test('home: shows the community from a fresh /me', async () => {
  setSession(session());
  fakeApi({ 'GET /me': () => ({ status: 200, body: staff }) });
  render(<HomePage />);
  expect(await screen.findByText('所在社区：城关镇 · 东关社区')).toBeTruthy();
});

test('me: a dropped network keeps the user signed in and offers 重试', async () => {
  // Catches a page that signs the user out (or shows nothing) when /me cannot be refreshed.
  setSession(session({ user: staff }));
  let online = false;
  fakeApi({
    'GET /me': (req) => (req.headers.Authorization === 'Bearer access-2' ? { status: 200, body: { ...staff, name: '赵网格（新）' } } : { status: 401, body: { error: { code: 'TOKEN_EXPIRED', message: '登录已过期，请重新登录' } } }),
    'POST /auth/refresh': () => (online ? { status: 200, body: session({ accessToken: 'access-2', refreshToken: 'refresh-2', user: staff }) } : 'network-error'),
  });
  render(<MePage />);
  expect(await screen.findByText('资料未能更新：网络不给力，请稍后重试')).toBeTruthy();
  expect(screen.getByText('赵网格')).toBeTruthy();
  expect(getSession()?.refreshToken).toBe('refresh-1');
  expect(Taro.reLaunch).not.toHaveBeenCalled();

  online = true;
  await act(async () => {
    fireEvent.click(screen.getByText('重试'));
  });
  expect(await screen.findByText('赵网格（新）')).toBeTruthy();
  expect(screen.queryByText('重试')).toBeNull();
});

// Catches: 我的 of a demo deployment not labelled 演示 (signed in or not), or a real one labelled.
test('me: labelled 演示 when the server says it is a demo, and not otherwise', async () => {
  setSession(session());
  fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: true, password: true, demo: true } }),
  });
  const { unmount } = render(<MePage />);
  expect(await screen.findByText('演示')).toBeTruthy();
  expect(screen.getByText(/请勿填写真实个人信息/)).toBeTruthy();
  unmount();

  fakeApi({
    'GET /me': () => ({ status: 200, body: me() }),
    'GET /auth/methods': () => ({ status: 200, body: { wechatMiniProgram: true, devLogin: false, password: true, demo: false } }),
  });
  render(<MePage />);
  await act(async () => undefined);
  expect(screen.getByText('居民')).toBeTruthy();
  expect(screen.queryByText('演示')).toBeNull();
});
