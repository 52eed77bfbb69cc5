// Choose your community: drill down county > township > community, then PATCH /me {regionId}.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { meApi, regionsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { Region, RegionLevel } from '../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { getSession, updateUser } from '../../store/session';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';

const PAGE_SIZE = 20;

const LEVEL_PROMPT: Record<RegionLevel, string> = {
  county: '请选择县（区）',
  township: '请选择乡镇/街道',
  community: '请选择社区/村',
  grid: '请选择网格',
};

const CHILD_LEVEL: Record<RegionLevel, RegionLevel> = {
  county: 'township',
  township: 'community',
  community: 'grid',
  grid: 'grid',
};

type Status = 'loading' | 'ready' | 'error';

export default function RegionPickerPage() {
  const pageClass = usePageClass('region-picker');
  const [trail, setTrail] = useState<Region[]>([]);
  const [items, setItems] = useState<Region[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [saving, setSaving] = useState<string | null>(null);
  const generation = useRef(0);

  const parent = trail.length > 0 ? trail[trail.length - 1] : null;

  const loadFirstPage = useCallback(async (parentId: string | undefined) => {
    const gen = ++generation.current;
    setStatus('loading');
    setError('');
    setItems([]);
    setTotal(0);
    setPage(1);
    try {
      const res = await regionsApi.list({ parentId, page: 1, pageSize: PAGE_SIZE }, { toast: false });
      if (gen !== generation.current) return;
      setItems(res.items);
      setTotal(res.total);
      setPage(1);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus('error');
    }
  }, []);

  useEffect(() => {
    void loadFirstPage(parent?.id);
  }, [parent, loadFirstPage]);

  const loadMore = async () => {
    if (loadingMore) return;
    const gen = generation.current;
    setLoadingMore(true);
    try {
      const next = page + 1;
      const res = await regionsApi.list({ parentId: parent?.id, page: next, pageSize: PAGE_SIZE });
      if (gen !== generation.current) return;
      setItems((prev) => [...prev, ...res.items.filter((r) => !prev.some((p) => p.id === r.id))]);
      setTotal(res.total);
      setPage(next);
    } catch {
      // the request wrapper already showed the message as a toast; the button stays for another try
    } finally {
      if (gen === generation.current) setLoadingMore(false);
    }
  };

  const choose = async (region: Region) => {
    if (!getSession()) {
      void Taro.showToast({ title: '请先登录', icon: 'none' });
      void Taro.navigateTo({ url: '/pages/login/index' });
      return;
    }
    if (saving) return;
    setSaving(region.id);
    try {
      const me = await meApi.update({ regionId: region.id });
      updateUser(me);
      void Taro.showToast({ title: `已选择${region.name}`, icon: 'success', duration: 1500 });
      Taro.navigateBack().catch(() => Taro.switchTab({ url: '/pages/me/index' }));
    } catch {
      // toast shown by the request wrapper
    } finally {
      setSaving(null);
    }
  };

  const onItem = (region: Region) => {
    if (region.level === 'community') {
      void choose(region);
    } else if (region.childCount > 0) {
      setLoadingMore(false);
      setTrail((t) => [...t, region]);
    } else {
      void Taro.showToast({ title: `${region.name}暂无下级社区`, icon: 'none' });
    }
  };

  const goUpTo = (depth: number) => {
    setLoadingMore(false);
    setTrail((t) => t.slice(0, depth));
  };

  const prompt = parent ? LEVEL_PROMPT[CHILD_LEVEL[parent.level]] : '请选择所在地区';

  return (
    <View className={pageClass}>
      <View className='region-picker__trail'>
        <Text className='region-picker__crumb' onClick={() => goUpTo(0)}>
          全部地区
        </Text>
        {trail.map((r, i) => (
          <Text className='region-picker__crumb' key={r.id} onClick={() => goUpTo(i + 1)}>
            <Text className='region-picker__sep'>›</Text>
            {r.name}
          </Text>
        ))}
      </View>
      <Text className='region-picker__prompt'>{prompt}</Text>

      <View className='card'>
        {status === 'loading' ? <LoadingState /> : null}
        {status === 'error' ? (
          <ErrorState message={`加载失败：${error}`} onRetry={() => void loadFirstPage(parent?.id)} />
        ) : null}
        {status === 'ready' && items.length === 0 ? <EmptyState text='暂无下级地区' /> : null}
        {status === 'ready'
          ? items.map((r) => (
              <View className='list-row' key={r.id} onClick={() => onItem(r)}>
                <View className='list-row__main'>
                  <Text className='region-picker__name'>{r.name}</Text>
                  {r.level === 'community' ? (
                    <Text className='list-row__sub'>{saving === r.id ? '正在保存…' : '点击选择此社区'}</Text>
                  ) : (
                    <Text className='list-row__sub'>下辖 {r.childCount} 个</Text>
                  )}
                </View>
                <Text className='list-row__arrow'>{r.level === 'community' ? '选择' : '›'}</Text>
              </View>
            ))
          : null}
      </View>

      {status === 'ready' && items.length < total ? (
        <Button className='btn btn--secondary' disabled={loadingMore} onClick={loadMore}>
          {loadingMore ? '加载中…' : '加载更多'}
        </Button>
      ) : null}

      {trail.length > 0 ? (
        <Button className='btn btn--secondary' onClick={() => goUpTo(trail.length - 1)}>
          返回上一级
        </Button>
      ) : null}
    </View>
  );
}
