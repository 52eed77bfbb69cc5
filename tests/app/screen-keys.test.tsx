// The admins' 大屏链接 page: a display's link issued and shown once (with the key after `#`, never
// in a request line), the links listed without their keys, one stopped after a confirmation; other
// staff kept out.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import ScreenKeysPage, { screenUrl } from '../../src/packages/staff/pages/screen-keys/index';
import { setSession } from '../../src/store/session';
import type { Me, ScreenKey } from '../../src/api/types';
import { fakeApi, me, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

const admin = me({ name: '系统管理员', roles: ['admin'], roleLabels: ['管理员'], isStaff: true });
const dispatcher = me({ name: '赵调度', roles: ['dispatcher'], roleLabels: ['调度员'], isStaff: true });

const screenKey = (o: Partial<ScreenKey> = {}): ScreenKey => ({
  id: 's1',
  name: '一楼大厅',
  prefix: 'scr_AbCd',
  createdByName: '系统管理员',
  createdAt: '2026-12-01T01:00:00.000Z',
  revokedAt: null,
  revokedByName: null,
  lastUsedAt: null,
  ...o,
});

test('issues a link for a display and shows it once, with the key in the address fragment', async () => {
  // Catches: a link without the key (the display would ask for a sign-in), or the key put in the
  // query string before `#` (sent to the web server and its logs with every page load).
  setSession(session({ user: admin }));
  let issued = false;
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /measures/screens': () => ({ status: 200, body: { items: issued ? [screenKey()] : [] } }),
    'POST /measures/screens': () => {
      issued = true;
      return { status: 201, body: { screen: screenKey(), key: 'scr_secret-once' } };
    },
  });
  render(<ScreenKeysPage />);
  expect(await screen.findByText('还没有大屏链接')).toBeTruthy();
  fireEvent.click(screen.getByText('生成大屏链接'));
  expect(screen.getByText('请填写大屏名称，如：融媒中心一楼大厅')).toBeTruthy();
  fireEvent.change(document.querySelector('input')!, { target: { value: '一楼大厅' } });
  await act(async () => {
    fireEvent.click(screen.getByText('生成大屏链接'));
  });
  expect(log.find((r) => r.method === 'POST')!.data).toEqual({ name: '一楼大厅' });
  const url = screenUrl('scr_secret-once');
  expect(url.split('#')[0]).not.toContain('scr_secret-once');
  expect(url).toContain('#/packages/staff/pages/dashboard/index?key=scr_secret-once');
  expect(screen.getByText(url)).toBeTruthy();
  fireEvent.click(screen.getByText('复制链接'));
  await act(async () => undefined);
  expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: url });
  expect(await screen.findByText('一楼大厅')).toBeTruthy();
});

test('stopping a link asks first, then stops it and reloads', async () => {
  // Catches: a link stopped without a confirmation (a tap by mistake blanks the hall's screen).
  setSession(session({ user: admin }));
  let revoked = false;
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /measures/screens': () => ({ status: 200, body: { items: [screenKey(revoked ? { revokedAt: '2026-12-02T02:00:00.000Z', revokedByName: '系统管理员' } : {})] } }),
    'POST /measures/screens/s1/revoke': () => {
      revoked = true;
      return { status: 200, body: screenKey({ revokedAt: '2026-12-02T02:00:00.000Z' }) };
    },
  });
  render(<ScreenKeysPage />);
  const button = await screen.findByText('停用');
  await act(async () => {
    fireEvent.click(button);
  });
  expect(Taro.showModal).toHaveBeenCalled();
  expect(log.filter((r) => r.path === '/measures/screens/s1/revoke')).toHaveLength(1);
  expect(await screen.findByText(/已停用/)).toBeTruthy();
});

test('other staff are told it is for admins, and nothing is asked', async () => {
  // Catches: the page listing (or offering to mint) links for someone who is not an admin.
  setSession(session({ user: dispatcher }));
  const log = fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }) });
  render(<ScreenKeysPage />);
  expect(screen.getByText('只有管理员可以管理大屏链接')).toBeTruthy();
  await act(async () => undefined);
  expect(log.filter((r) => r.path.startsWith('/measures'))).toHaveLength(0);
});
