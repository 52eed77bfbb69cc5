// Choose your community: drill down county > township > community, then PATCH /me {regionId}.
import { useEffect, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { meApi } from '../../api/endpoints';
import type { Region, RegionLevel } from '../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { getSession, updateUser } from '../../store/session';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';
import { useRegionPages } from '../../hooks/use-region-pages';

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

export default function RegionPickerPage() {
  const pageClass = usePageClass('region-picker');
  const [trail, setTrail] = useState<Region[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const list = useRegionPages();
  const { items, error, loadingMore } = list;
  // Before the first read starts, as while it runs.
  const status = list.status === 'idle' ? 'loading' : list.status;

  const parent = trail.length > 0 ? trail[trail.length - 1] : null;
  const loadFirstPage = list.first;

  useEffect(() => {
    void loadFirstPage({ parentId: parent?.id });
  }, [parent, loadFirstPage]);

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
      setTrail((t) => [...t, region]);
    } else {
      void Taro.showToast({ title: `${region.name}暂无下级社区`, icon: 'none' });
    }
  };

  const goUpTo = (depth: number) => {
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
          <ErrorState message={`加载失败：${error}`} onRetry={() => void loadFirstPage({ parentId: parent?.id })} />
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

      {list.hasMore ? (
        <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void list.more()}>
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
