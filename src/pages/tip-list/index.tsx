// 我的爆料: the tips this resident sent, newest first, paged by cursor (加载更多 or reaching the
// bottom), read again each time the page shows (a tip opened from it may have an answer now) and on
// pull-down; loading, empty and failed states as the other lists (NewsCursorList).
import { useCallback } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useReachBottom } from '@tarojs/taro';
import { tipsApi } from '../../api/endpoints';
import type { TipSummary } from '../../api/types';
import { NewsCursorList } from '../../components/NewsCursorList';
import { useCursorList } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { TIP_NEW_PAGE, TipCard, tipDetailUrl, useReadAgain } from '../tip-detail/tip-view';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (t: TipSummary) => t.id;

export default function TipListPage() {
  const pageClass = usePageClass('tip-list');
  const load = useCallback((cursor: string | undefined) => tipsApi.list({ view: 'mine', limit: PAGE_SIZE, cursor }, { toast: false }), []);
  const list = useCursorList(load, { idOf });

  useReadAgain(list.refresh);
  useReachBottom(() => void list.loadMore());

  return (
    <View className={pageClass}>
      <Button className='btn btn--primary tip-list__new' onClick={() => void Taro.navigateTo({ url: TIP_NEW_PAGE })}>
        我要爆料
      </Button>
      <Text className='tip-list__hint'>身边的新鲜事、好人好事、需要关注的问题，都可以告诉编辑部。爆料只有编辑部能看到。</Text>
      <NewsCursorList list={list} emptyText='您还没有爆料' renderItem={(t) => <TipCard key={t.id} tip={t} onClick={() => void Taro.navigateTo({ url: tipDetailUrl(t.id) })} />} />
    </View>
  );
}
