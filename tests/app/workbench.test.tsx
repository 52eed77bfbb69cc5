import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import RoomBindingPage from '../../src/packages/staff/pages/room-binding/index';
import ContactBindingPage from '../../src/packages/staff/pages/contact-binding/index';
import LoginFailuresPage from '../../src/packages/staff/pages/login-failures/index';
import { expiryLabel } from '../../src/packages/staff/components/BindingCodeCard';
import { setSession } from '../../src/store/session';
import type { BoundRoom, Me, RegionSummary } from '../../src/api/types';
import { apiError, deferred, fakeApi, me, region, session, type FakeResponse } from './helpers/fake-api';

beforeEach(() => resetTaro());

const xicheng: RegionSummary = { id: 'm2', name: '西城社区', level: 'community', pathNames: ['东溪县', '城关镇', '西城社区'] };
const communityStaff = me({
  name: '王建国',
  username: 'xicheng',
  roles: ['community_staff'],
  roleLabels: ['社区工作人员'],
  isStaff: true,
  scopeRegionIds: ['m2'],
  scopeRegions: [xicheng],
});
const gridWorker = me({
  name: '李秀英',
  roles: ['grid_worker'],
  roleLabels: ['网格员'],
  isStaff: true,
  scopeRegionIds: ['g1'],
  scopeRegions: [{ id: 'g1', name: '第一网格', level: 'grid', pathNames: ['东溪县', '城关镇', '西城社区', '第一网格'] }],
});
const admin = me({ name: '系统管理员', roles: ['admin'], roleLabels: ['管理员'], isStaff: true, scopeRegionIds: ['c1'], scopeRegions: [{ id: 'c1', name: '东溪县', level: 'county', pathNames: ['东溪县'] }] });

const room = (topic: string, r: RegionSummary = xicheng): BoundRoom => ({ roomId: `${topic}@chatroom`, topic, region: r, boundAt: '2025-11-26T06:00:00.000Z' });
const rooms = (...items: BoundRoom[]): FakeResponse => ({ status: 200, body: { items } });
/** 27 November 2025, 14:05 in China. */
const EXPIRES = '2025-11-27T06:05:00.000Z';
const created = (code: string, type: 'room' | 'contact', regionId: string | null): FakeResponse => ({ status: 201, body: { code, type, regionId, expiresAt: EXPIRES } });

/** The whole instruction line ('请在…发送：' and the message, which is its own never-breaking span). */
const instruction = () => document.querySelector('.binding-code__instruction')?.textContent ?? null;

function signIn(user: Me) {
  setSession(session({ user }));
}

describe('workbench home', () => {
  test('community staff: who they are, their regions, both entries', async () => {
    signIn(communityStaff);
    fakeApi({ 'GET /me': () => ({ status: 200, body: communityStaff }) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    expect(screen.getByText('王建国（社区工作人员）')).toBeTruthy();
    expect(screen.getByText('城关镇 · 西城社区')).toBeTruthy();
    expect(screen.getByText('尚未绑定')).toBeTruthy();
    fireEvent.click(screen.getByText('群聊绑定'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/room-binding/index' });
    fireEvent.click(screen.getByText('绑定我的微信'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/contact-binding/index' });
  });

  test('grid workers bind only their own WeChat', async () => {
    signIn(gridWorker);
    fakeApi({ 'GET /me': () => ({ status: 200, body: { ...gridWorker, wechatContactBound: true } }) });
    render(<WorkbenchPage />);
    expect(await screen.findByText('已绑定')).toBeTruthy();
    expect(screen.getByText('城关镇 · 西城社区 · 第一网格')).toBeTruthy();
    expect(screen.getByText('绑定我的微信')).toBeTruthy();
    expect(screen.queryByText('群聊绑定')).toBeNull();
    // Catches: the admins' security page offered to other staff.
    expect(screen.queryByText('登录失败记录')).toBeNull();
  });

  // Catches: an admin with no way to see that someone is guessing passwords (issue 14, 2c).
  test('admins get 登录失败记录', async () => {
    signIn(admin);
    fakeApi({ 'GET /me': () => ({ status: 200, body: admin }) });
    render(<WorkbenchPage />);
    await act(async () => undefined);
    fireEvent.click(screen.getByText('登录失败记录'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/login-failures/index' });
  });
});

describe('登录失败记录 (admins)', () => {
  const policy = { windowMinutes: 15, perAddressLimit: 5, accountThreshold: 20 };

  test('loading, then each account and masked address with its count and China times, newest first', async () => {
    // Catches: a list that drops the unknown-account marker, the count, or shows UTC times.
    signIn(admin);
    const answer = deferred<FakeResponse>();
    fakeApi({
      'GET /me': () => ({ status: 200, body: admin }),
      'GET /auth/failed-logins': () => answer.promise,
    });
    render(<LoginFailuresPage />);
    expect(screen.getByText('加载中…')).toBeTruthy();
    await act(async () => {
      answer.resolve({
        status: 200,
        body: {
          policy,
          items: [
            { username: 'ghost', accountExists: false, address: '2001:db8:1::/48', count: 1, firstAt: '2026-11-27T06:05:00.000Z', lastAt: '2026-11-27T06:05:00.000Z' },
            { username: 'admin', accountExists: true, address: '203.0.113.*', count: 50, firstAt: '2026-11-27T01:00:00.000Z', lastAt: '2026-11-27T06:00:00.000Z' },
          ],
        },
      });
    });
    const rows = [...document.querySelectorAll('.login-failures__row')].map((r) => r.textContent);
    expect(rows).toEqual([
      'ghost（账号不存在）网络地址：2001:db8:1::/48失败 1 次　首次 11月27日 14:05　最近 11月27日 14:05',
      'admin网络地址：203.0.113.*失败 50 次　首次 11月27日 09:00　最近 11月27日 14:00',
    ]);
    expect(screen.getByText(/15 分钟内密码错误 5 次/)).toBeTruthy();
    expect(screen.getByText(/账号本人不会被锁定/)).toBeTruthy();
  });

  test('empty: says there were none', async () => {
    signIn(admin);
    fakeApi({ 'GET /me': () => ({ status: 200, body: admin }), 'GET /auth/failed-logins': () => ({ status: 200, body: { policy, items: [] } }) });
    render(<LoginFailuresPage />);
    expect(await screen.findByText('近一天没有登录失败记录')).toBeTruthy();
  });

  test('an error says why inline and 重试 loads again', async () => {
    signIn(admin);
    let fail = true;
    fakeApi({
      'GET /me': () => ({ status: 200, body: admin }),
      'GET /auth/failed-logins': () => (fail ? apiError(503, 'DB_UNAVAILABLE', '服务暂时不可用，请稍后重试') : { status: 200, body: { policy, items: [] } }),
    });
    render(<LoginFailuresPage />);
    expect(await screen.findByText('加载失败：服务暂时不可用，请稍后重试')).toBeTruthy();
    fail = false;
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(await screen.findByText('近一天没有登录失败记录')).toBeTruthy();
  });

  test('other staff are told it is for admins, and nothing is asked', async () => {
    signIn(communityStaff);
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: communityStaff }) });
    render(<LoginFailuresPage />);
    expect(screen.getByText('只有管理员可以查看登录失败记录')).toBeTruthy();
    await act(async () => undefined);
    expect(log.filter((r) => r.path === '/auth/failed-logins')).toHaveLength(0);
  });
});

describe('group chat binding', () => {
  test('loading, then the empty state', async () => {
    signIn(communityStaff);
    const list = deferred<FakeResponse>();
    fakeApi({ 'GET /me': () => ({ status: 200, body: communityStaff }), 'GET /rooms': () => list.promise });
    render(<RoomBindingPage />);
    expect(screen.getByText('加载中…')).toBeTruthy();
    await act(async () => list.resolve(rooms()));
    expect(screen.queryByText('加载中…')).toBeNull();
    expect(screen.getByText('还没有绑定的群聊')).toBeTruthy();
    expect(screen.getByText('城关镇 · 西城社区')).toBeTruthy();
  });

  test('an error says why inline (no toast) and 重试 loads again', async () => {
    signIn(communityStaff);
    let calls = 0;
    fakeApi({
      'GET /me': () => ({ status: 200, body: communityStaff }),
      'GET /rooms': () => (++calls === 1 ? 'network-error' : rooms(room('西城社区邻里群'))),
    });
    render(<RoomBindingPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    expect(Taro.showToast).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(await screen.findByText('西城社区邻里群')).toBeTruthy();
    expect(screen.queryByText('重试')).toBeNull();
    expect(calls).toBe(2);
  });

  test('generating a code shows it large with its expiry and what to send; 复制 and 刷新列表', async () => {
    signIn(communityStaff);
    let bound: BoundRoom[] = [];
    const log = fakeApi({
      'GET /me': () => ({ status: 200, body: communityStaff }),
      'GET /rooms': () => rooms(...bound),
      'POST /binding-codes': () => created('123456', 'room', 'm2'),
    });
    render(<RoomBindingPage />);
    expect(await screen.findByText('还没有绑定的群聊')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByText('生成绑定码'));
    });
    expect(log.find((r) => r.method === 'POST')?.data).toEqual({ type: 'room', regionId: 'm2' });
    expect(screen.getByText('123456')).toBeTruthy();
    expect(screen.getByText('有效期至 11月27日 14:05')).toBeTruthy();
    expect(instruction()).toBe('请在要绑定的微信群里发送：绑定 123456');
    expect(screen.getByText('绑定 123456')).toBeTruthy();
    expect(screen.getByText('重新生成绑定码')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByText('复制'));
    });
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '绑定 123456' });

    // The code is said in the group, the bot redeems it; the list shows the room after a refresh.
    bound = [room('西城社区邻里群')];
    await act(async () => {
      fireEvent.click(screen.getByText('刷新列表'));
    });
    expect(await screen.findByText('西城社区邻里群')).toBeTruthy();
    expect(screen.queryByText('还没有绑定的群聊')).toBeNull();
  });

  test('a refused code is explained by the request wrapper toast', async () => {
    signIn(communityStaff);
    fakeApi({
      'GET /me': () => ({ status: 200, body: communityStaff }),
      'GET /rooms': () => rooms(),
      'POST /binding-codes': () => apiError(403, 'FORBIDDEN', '您不负责「西城社区」，不能为它生成绑定码'),
    });
    render(<RoomBindingPage />);
    await screen.findByText('还没有绑定的群聊');
    await act(async () => {
      fireEvent.click(screen.getByText('生成绑定码'));
    });
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '您不负责「西城社区」，不能为它生成绑定码' }));
    expect(screen.getByText('生成绑定码')).toBeTruthy();
    expect(instruction()).toBeNull();
  });

  test('admins pick from every community', async () => {
    signIn(admin);
    const log = fakeApi({
      'GET /me': () => ({ status: 200, body: admin }),
      'GET /rooms': () => rooms(),
      'GET /regions': () => ({
        status: 200,
        body: { items: [region('m1', '东城社区', 'community', 3), region('m2', '西城社区', 'community', 3)], total: 2, page: 1, pageSize: 100 },
      }),
      'POST /binding-codes': (req) => created('654321', 'room', req.data.regionId),
    });
    render(<RoomBindingPage />);
    expect(await screen.findByText('西城社区')).toBeTruthy();
    expect(log.find((r) => r.path === '/regions')?.query).toEqual({ level: 'community', pageSize: '100' });
    const buttons = screen.getAllByText('生成绑定码');
    expect(buttons).toHaveLength(2);
    await act(async () => {
      fireEvent.click(buttons[1]!);
    });
    expect(log.find((r) => r.method === 'POST')?.data).toEqual({ type: 'room', regionId: 'm2' });
    expect(instruction()).toBe('请在要绑定的微信群里发送：绑定 654321');
  });

  test('admins see communities beyond the first page', async () => {
    signIn(admin);
    const many = Array.from({ length: 130 }, (_, i) => region(`c${i}`, `社区${i + 1}`, 'community', 0));
    const log = fakeApi({
      'GET /me': () => ({ status: 200, body: admin }),
      'GET /rooms': () => rooms(),
      'GET /regions': (req) => {
        const page = Number(req.query.page ?? 1);
        return { status: 200, body: { items: many.slice((page - 1) * 100, page * 100), total: many.length, page, pageSize: 100 } };
      },
    });
    render(<RoomBindingPage />);
    expect(await screen.findByText('社区130', { exact: false })).toBeTruthy();
    expect(log.filter((r) => r.path === '/regions')).toHaveLength(2);
  });
});

describe('binding my WeChat', () => {
  test('not yet bound: a code to send the bot in a private chat', async () => {
    signIn(gridWorker);
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: gridWorker }), 'POST /binding-codes': () => created('246810', 'contact', null) });
    render(<ContactBindingPage />);
    await act(async () => undefined);
    expect(screen.getByText(/您的微信尚未绑定/)).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('生成绑定码'));
    });
    expect(log.find((r) => r.method === 'POST')?.data).toEqual({ type: 'contact' });
    expect(screen.getByText('246810')).toBeTruthy();
    expect(instruction()).toBe('请私聊群聊机器人「东溪融媒小助手」发送：绑定 246810');
    expect(screen.getByText('有效期至 11月27日 14:05')).toBeTruthy();
  });

  test('already bound: says that binding again replaces the old WeChat', async () => {
    const bound = { ...communityStaff, wechatContactBound: true };
    signIn(bound);
    fakeApi({ 'GET /me': () => ({ status: 200, body: bound }) });
    render(<ContactBindingPage />);
    await act(async () => undefined);
    expect(screen.getByText('您的微信已绑定，重新绑定将替换原来的微信')).toBeTruthy();
  });
});

// Catches: the expiry read in the phone's zone (a phone set to UTC would show 01:03) or with a padded day.
test('expiry in Chinese, in China time', () => {
  expect(expiryLabel('2025-01-05T01:03:00.000Z')).toBe('有效期至 1月5日 09:03');
  expect(expiryLabel('not a date')).toBe('');
});
