// The board's two filters: a category, a picker of the public catalogue (cached by the server) whose
// first entry is 全部分类, and a community (社区/村), searched by name and paged (CommunityFilter).
import { useEffect, useState } from 'react';
import { Picker, Text, View } from '@tarojs/components';
import { categoriesApi } from '../../api/endpoints';
import type { Category } from '../../api/types';
import { CommunityFilter } from './CommunityFilter';

export interface BoardFilter {
  categoryId?: string;
  regionId?: string;
}

const ALL_CATEGORIES = '全部分类';

export function BoardFilters({ value, onChange }: { value: BoardFilter; onChange: (f: BoardFilter) => void }) {
  const [categories, setCategories] = useState<Category[]>([]);

  // Without the catalogue the picker offers only 全部: the board itself still shows.
  useEffect(() => {
    categoriesApi
      .list({ toast: false })
      .then((r) => setCategories(r.items.filter((c) => c.active)))
      .catch(() => undefined);
  }, []);

  const categoryNames = [ALL_CATEGORIES, ...categories.map((c) => c.name)];
  const categoryIndex = Math.max(0, categories.findIndex((c) => c.id === value.categoryId) + 1);

  return (
    <View className='board-filters'>
      <Picker mode='selector' range={categoryNames} value={categoryIndex} onChange={(e) => onChange({ ...value, categoryId: categories[Number(e.detail.value) - 1]?.id })}>
        <View className='board-filters__pick'>
          <Text>{categoryNames[categoryIndex]}</Text>
          <Text className='board-filters__arrow'>▾</Text>
        </View>
      </Picker>
      <CommunityFilter regionId={value.regionId} onChange={(regionId) => onChange({ ...value, regionId })} />
    </View>
  );
}
