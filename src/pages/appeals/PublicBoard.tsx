// 公开诉求: answered appeals their reporters made public, for anyone, signed in or not (the server
// masks names, phones, ID and house numbers). Filters by category and community, newest first,
// paged by cursor (加载更多, or the page's reach-bottom), with the shared list views (NewsCursorList).
import { useCallback } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { boardApi } from '../../api/endpoints';
import type { BoardItem } from '../../api/types';
import { NewsCursorList } from '../../components/NewsCursorList';
import { useCursorList, type CursorList } from '../../hooks/use-cursor-list';
import { boardItemUrl } from '../../utils/appeal';
import { BoardCard } from './BoardCard';
import { BoardFilters, type BoardFilter } from './BoardFilters';
import { BoardRatesCard } from './BoardRatesCard';

const PAGE_SIZE = 20;
const idOf = (i: BoardItem) => i.id;

/**
 * The board's list, read while `active` (a hidden segment reads nothing): its first page when it
 * becomes active and again when a filter changes; the page adds pull-down refresh and paging.
 */
export function useBoardList(active: boolean, filter: BoardFilter): CursorList<BoardItem> {
  const load = useCallback(
    (cursor: string | undefined) => boardApi.list({ limit: PAGE_SIZE, cursor, categoryId: filter.categoryId, regionId: filter.regionId }, { toast: false }),
    [filter.categoryId, filter.regionId],
  );
  return useCursorList(load, { idOf, enabled: active });
}

export function PublicBoard({ list, filter, onFilter }: { list: CursorList<BoardItem>; filter: BoardFilter; onFilter: (f: BoardFilter) => void }) {
  return (
    <View className='board'>
      <Text className='board__intro'>已答复的公开诉求。反映人的姓名、电话、证件号和门牌号已隐去。</Text>
      <BoardRatesCard />
      <BoardFilters value={filter} onChange={onFilter} />
      <NewsCursorList
        list={list}
        emptyText={filter.categoryId || filter.regionId ? '没有符合条件的公开诉求' : '暂无公开诉求'}
        renderItem={(i) => <BoardCard key={i.id} item={i} onClick={() => void Taro.navigateTo({ url: boardItemUrl(i.id) })} />}
      />
    </View>
  );
}
