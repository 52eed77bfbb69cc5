import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import RegionPickerPage from '../../src/pages/region-picker/index';
import { getSession, setSession } from '../../src/store/session';
import { apiError, deferred, fakeApi, me, region, session, type FakeResponse } from './helpers/fake-api';
import type { Region } from '../../src/api/types';

const page = (items: Region[], total = items.length, pageNo = 1): FakeResponse => ({
  status: 200,
  body: { items, total, page: pageNo, pageSize: 20 },
});

const county = region('c1', '演示县', 'county', 2);
const township = region('t1', '城关镇', 'township', 2, 'c1');
const emptyTownship = region('t2', '新区街道', 'township', 0, 'c1');
const community = region('m1', '东关社区', 'community', 3, 't1');

beforeEach(() => resetTaro());

describe('region picker', () => {
  test('shows loading, then the roots, and drills down to a community', async () => {
    const roots = deferred<FakeResponse>();
    const log = fakeApi({
      'GET /regions': (req) => {
        if (!req.query.parentId) return roots.promise;
        if (req.query.parentId === 'c1') return page([township, emptyTownship]);
        if (req.query.parentId === 't1') return page([community]);
        return page([]);
      },
    });
    render(<RegionPickerPage />);
    expect(screen.getByText('加载中…')).toBeTruthy();

    await act(async () => roots.resolve(page([county])));
    expect(screen.queryByText('加载中…')).toBeNull();
    expect(log[0].query).toEqual({ page: '1', pageSize: '20' });

    fireEvent.click(await screen.findByText('演示县'));
    expect(await screen.findByText('城关镇')).toBeTruthy();
    expect(screen.getByText('请选择乡镇/街道')).toBeTruthy();
    expect(log[1].query.parentId).toBe('c1');

    fireEvent.click(screen.getByText('城关镇'));
    expect(await screen.findByText('东关社区')).toBeTruthy();
    expect(screen.getByText('请选择社区/村')).toBeTruthy();
    expect(log[2].query.parentId).toBe('t1');

    // the trail goes back up
    fireEvent.click(screen.getByText('返回上一级'));
    expect(await screen.findByText('新区街道')).toBeTruthy();
  });

  test('shows the empty state when a level has no children', async () => {
    fakeApi({ 'GET /regions': () => page([]) });
    render(<RegionPickerPage />);
    expect(await screen.findByText('暂无下级地区')).toBeTruthy();
  });

  test('shows the server message on error and retries', async () => {
    let calls = 0;
    fakeApi({
      'GET /regions': () => {
        calls += 1;
        return calls === 1 ? apiError(503, 'DB_UNAVAILABLE', '数据库暂时不可用') : page([county]);
      },
    });
    render(<RegionPickerPage />);
    expect(await screen.findByText('加载失败：数据库暂时不可用')).toBeTruthy();
    // the page shows its own error view, no extra toast
    expect(Taro.showToast).not.toHaveBeenCalled();
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByText('演示县')).toBeTruthy();
    expect(calls).toBe(2);
  });

  test('network failure shows the standard message', async () => {
    fakeApi({ 'GET /regions': () => 'network-error' });
    render(<RegionPickerPage />);
    expect(await screen.findByText('加载失败：网络不给力，请稍后重试')).toBeTruthy();
    expect(screen.getByText('重试')).toBeTruthy();
  });

  test('loads more pages while total exceeds what is shown', async () => {
    const first = Array.from({ length: 20 }, (_, i) => region(`m${i}`, `社区${i + 1}号`, 'community', 0, 't1'));
    const second = [region('m20', '社区21号', 'community', 0, 't1')];
    const log = fakeApi({
      'GET /regions': (req) => (req.query.page === '2' ? page(second, 21, 2) : page(first, 21)),
    });
    render(<RegionPickerPage />);
    expect(await screen.findByText('社区20号')).toBeTruthy();
    fireEvent.click(screen.getByText('加载更多'));
    expect(await screen.findByText('社区21号')).toBeTruthy();
    expect(screen.queryByText('加载更多')).toBeNull();
    expect(log[1].query).toEqual({ page: '2', pageSize: '20' });
  });

  test('choosing a community saves it on the profile and goes back', async () => {
    setSession(session());
    const log = fakeApi({
      'GET /regions': () => page([community]),
      'PATCH /me': (req) => ({
        status: 200,
        body: me({ regionId: req.data.regionId, region: { id: 'm1', name: '东关社区', level: 'community', pathNames: ['演示县', '城关镇', '东关社区'] } }),
      }),
    });
    render(<RegionPickerPage />);
    fireEvent.click(await screen.findByText('东关社区'));
    await act(async () => undefined);
    const patch = log.find((r) => r.method === 'PATCH');
    expect(patch?.data).toEqual({ regionId: 'm1' });
    expect(patch?.headers.Authorization).toBe('Bearer access-1');
    expect(getSession()?.user.regionId).toBe('m1');
    expect(Taro.navigateBack).toHaveBeenCalled();
  });

  test('choosing without a session asks to log in first', async () => {
    fakeApi({ 'GET /regions': () => page([community]) });
    render(<RegionPickerPage />);
    fireEvent.click(await screen.findByText('东关社区'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/login/index' });
  });
});
