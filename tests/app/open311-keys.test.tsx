// The admins' Open311 接口密钥 page: the keys listed (never the key itself), a new key issued and
// shown once with a copy button, a key revoked after a confirmation; and other staff kept out.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import Open311KeysPage from '../../src/packages/staff/pages/open311-keys/index';
import { setSession } from '../../src/store/session';
import type { Me, Open311Key } from '../../src/api/types';
import { fakeApi, me, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

const admin = me({ name: '系统管理员', roles: ['admin'], roleLabels: ['管理员'], isStaff: true });
const dispatcher = me({ name: '赵调度', roles: ['dispatcher'], roleLabels: ['调度员'], isStaff: true });
const signIn = (user: Me) => setSession(session({ user }));

const key = (o: Partial<Open311Key> = {}): Open311Key => ({
  id: 'k1',
  name: '市民随手拍',
  owner: '县数据局',
  prefix: 'o311_AbCdE',
  perHour: 100,
  createdByName: '系统管理员',
  createdAt: '2026-11-27T01:00:00.000Z',
  revokedAt: null,
  revokedByName: null,
  lastUsedAt: null,
  ...o,
});

test('lists the keys by name, unit, prefix and state, in China time', async () => {
  // Catches: a revoked key offered a 吊销 button, or times shown in UTC.
  signIn(admin);
  fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /open311/keys': () => ({ status: 200, body: { items: [key(), key({ id: 'k2', name: '旧系统', revokedAt: '2026-11-28T02:00:00.000Z', revokedByName: '系统管理员' })] } }),
  });
  render(<Open311KeysPage />);
  expect(await screen.findByText('市民随手拍（县数据局）')).toBeTruthy();
  const rows = [...document.querySelectorAll('.issued-keys__row')].map((r) => r.textContent);
  expect(rows[0]).toContain('密钥开头 o311_AbCdE…');
  expect(rows[0]).toContain('签发于 11月27日 09:00');
  expect(rows[0]).toContain('吊销');
  expect(rows[1]).toContain('已吊销（系统管理员，11月28日 10:00）');
  expect(screen.getAllByText('吊销')).toHaveLength(1);
});

test('issuing checks the form, sends it, and shows the key once with a copy button', async () => {
  // Catches: the key lost (not shown after issue), sent with a text perHour, or an empty name accepted.
  signIn(admin);
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /open311/keys': () => ({ status: 200, body: { items: [] } }),
    'POST /open311/keys': () => ({ status: 201, body: { key: key({ name: '网格 App' }), apiKey: 'o311_secret-value-shown-once' } }),
  });
  render(<Open311KeysPage />);
  expect(await screen.findByText('还没有签发密钥')).toBeTruthy();
  fireEvent.click(screen.getByText('签发新密钥'));
  await act(async () => {
    fireEvent.click(screen.getByText('签发'));
  });
  expect(screen.getByText('请填写系统名称')).toBeTruthy();
  const [name, owner, perHour] = [...document.querySelectorAll('input')];
  fireEvent.change(name, { target: { value: '网格 App' } });
  fireEvent.change(owner, { target: { value: '县数据局' } });
  fireEvent.change(perHour, { target: { value: '30' } });
  await act(async () => {
    fireEvent.click(screen.getByText('签发'));
  });
  expect(log.find((r) => r.method === 'POST')!.data).toEqual({ name: '网格 App', owner: '县数据局', perHour: 30 });
  expect(screen.getByText('o311_secret-value-shown-once')).toBeTruthy();
  expect(screen.getByText(/密钥只显示这一次/)).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByText('复制密钥'));
  });
  expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: 'o311_secret-value-shown-once' });
  fireEvent.click(screen.getByText('我已保存'));
  expect(screen.queryByText('o311_secret-value-shown-once')).toBeNull();
});

test('revoking asks first, then revokes and reloads', async () => {
  signIn(admin);
  let revoked = false;
  const log = fakeApi({
    'GET /me': () => ({ status: 200, body: admin }),
    'GET /open311/keys': () => ({ status: 200, body: { items: [key(revoked ? { revokedAt: '2026-11-28T02:00:00.000Z', revokedByName: '系统管理员' } : {})] } }),
    'POST /open311/keys/k1/revoke': () => {
      revoked = true;
      return { status: 200, body: key({ revokedAt: '2026-11-28T02:00:00.000Z' }) };
    },
  });
  render(<Open311KeysPage />);
  const button = await screen.findByText('吊销');
  await act(async () => {
    fireEvent.click(button);
  });
  expect(Taro.showModal).toHaveBeenCalled();
  expect(log.filter((r) => r.path === '/open311/keys/k1/revoke')).toHaveLength(1);
  expect(await screen.findByText(/已吊销/)).toBeTruthy();
});

test('other staff are told it is for admins, and nothing is asked', async () => {
  signIn(dispatcher);
  const log = fakeApi({ 'GET /me': () => ({ status: 200, body: dispatcher }) });
  render(<Open311KeysPage />);
  expect(screen.getByText('只有管理员可以管理 Open311 接口密钥')).toBeTruthy();
  await act(async () => undefined);
  expect(log.filter((r) => r.path.startsWith('/open311'))).toHaveLength(0);
});
