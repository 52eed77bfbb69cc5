// 通知公告: the notices for the reader's community (and the county's), emergency ones pinned on
// top, then important, then newest; paged by cursor, refreshed by pulling down.
import { useCallback } from 'react';
import { View } from '@tarojs/components';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { noticesApi } from '../../api/endpoints';
import type { NoticeSummary } from '../../api/types';
import { NewsCursorList } from '../../components/NewsCursorList';
import { NoticeCard } from '../../components/NoticeCard';
import { useCurrentUser } from '../../hooks/use-current-user';
import { useCursorList } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { noticeUrl } from '../../utils/news';
import './index.scss';

const PAGE_SIZE = 20;
const idOf = (n: NoticeSummary) => n.id;

export default function NoticesPage() {
  const pageClass = usePageClass('notices');
  const regionId = useCurrentUser()?.regionId ?? undefined;
  const load = useCallback((cursor: string | undefined) => noticesApi.list({ regionId, cursor, limit: PAGE_SIZE }, { toast: false }), [regionId]);
  const list = useCursorList(load, { idOf });

  usePullDownRefresh(() => {
    void list.refresh().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void list.loadMore());

  return (
    <View className={pageClass}>
      <NewsCursorList
        list={list}
        emptyText='暂无通知'
        renderItem={(n) => <NoticeCard key={n.id} notice={n} onClick={() => void Taro.navigateTo({ url: noticeUrl(n.id) })} />}
      />
    </View>
  );
}
