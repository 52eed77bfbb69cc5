// The board's two filters: a category and a community (社区/村), each a picker whose first entry is
// 全部. The choices are the public catalogue and the county's communities (both cached by the server).
import { useEffect, useState } from 'react';
import { Picker, Text, View } from '@tarojs/components';
import { categoriesApi, regionsApi } from '../../api/endpoints';
import type { Category, Region } from '../../api/types';
import { regionLabel } from '../../utils/region';

export interface BoardFilter {
  categoryId?: string;
  regionId?: string;
}

const ALL_CATEGORIES = '全部分类';
const ALL_COMMUNITIES = '全部社区/村';

export function BoardFilters({ value, onChange }: { value: BoardFilter; onChange: (f: BoardFilter) => void }) {
  const [categories, setCategories] = useState<Category[]>([]);
  const [communities, setCommunities] = useState<Region[]>([]);

  // Without the lists the pickers offer only 全部: the board itself still shows.
  useEffect(() => {
    categoriesApi
      .list({ toast: false })
      .then((r) => setCategories(r.items.filter((c) => c.active)))
      .catch(() => undefined);
    regionsApi
      .list({ level: 'community', pageSize: 100 }, { toast: false })
      .then((r) => setCommunities(r.items))
      .catch(() => undefined);
  }, []);

  const categoryNames = [ALL_CATEGORIES, ...categories.map((c) => c.name)];
  const communityNames = [ALL_COMMUNITIES, ...communities.map((r) => regionLabel(r) ?? r.name)];
  const categoryIndex = Math.max(0, categories.findIndex((c) => c.id === value.categoryId) + 1);
  const communityIndex = Math.max(0, communities.findIndex((r) => r.id === value.regionId) + 1);

  return (
    <View className='board-filters'>
      <Picker mode='selector' range={categoryNames} value={categoryIndex} onChange={(e) => onChange({ ...value, categoryId: categories[Number(e.detail.value) - 1]?.id })}>
        <View className='board-filters__pick'>
          <Text>{categoryNames[categoryIndex]}</Text>
          <Text className='board-filters__arrow'>▾</Text>
        </View>
      </Picker>
      <Picker mode='selector' range={communityNames} value={communityIndex} onChange={(e) => onChange({ ...value, regionId: communities[Number(e.detail.value) - 1]?.id })}>
        <View className='board-filters__pick'>
          <Text>{communityNames[communityIndex]}</Text>
          <Text className='board-filters__arrow'>▾</Text>
        </View>
      </Picker>
    </View>
  );
}
