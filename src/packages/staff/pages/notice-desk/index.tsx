// 通知管理: the notices this person may manage (the server scopes them), by state, with how their
// deliveries to group chats stand; 新建通知. A draft opens the editor, a published one its deliveries.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { noticesApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { NoticeManageItem, NoticeState } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { usePageClass } from '../../../../hooks/use-page-class';
import { NOTICE_STATES, NOTICE_STATE_LABELS } from '../../../../../server/news/labels';
import { NoticeManageRow } from '../../components/NoticeManageRow';
import { staffPage } from '../../shared';
import './index.scss';

const PAGE_SIZE = 20;
type Status = 'loading' | 'ready' | 'error';

export default function NoticeDeskPage() {
  const pageClass = usePageClass('notice-desk');
  const [state, setState] = useState<NoticeState | null>(null);
  const [items, setItems] = useState<NoticeManageItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const stateRef = useRef<NoticeState | null>(null);

  const loadFirst = useCallback(async (filter: NoticeState | null) => {
    const gen = ++generation.current;
    stateRef.current = filter;
    setState(filter);
    setStatus('loading');
    setError('');
    setLoadingMore(false);
    try {
      const page = await noticesApi.manage({ state: filter ?? undefined, limit: PAGE_SIZE }, { toast: false });
      if (gen !== generation.current) return;
      setItems(page.items);
      setCursor(page.nextCursor);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setItems([]);
      setCursor(null);
      setError(errorMessage(e));
      setStatus('error');
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (!cursor || loadingMore || status !== 'ready') return;
    const gen = generation.current;
    setLoadingMore(true);
    try {
      const page = await noticesApi.manage({ state: stateRef.current ?? undefined, cursor, limit: PAGE_SIZE });
      if (gen !== generation.current) return;
      setItems((prev) => {
        const seen = new Set(prev.map((n) => n.id));
        return [...prev, ...page.items.filter((n) => !seen.has(n.id))];
      });
      setCursor(page.nextCursor);
    } catch {
      // the request wrapper said why; 加载更多 stays to try again
    } finally {
      if (gen === generation.current) setLoadingMore(false);
    }
  }, [cursor, loadingMore, status]);

  // Back from the editor or the deliveries: counts and states have moved on.
  useDidShow(() => void loadFirst(stateRef.current));
  usePullDownRefresh(() => {
    void loadFirst(stateRef.current).finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void loadMore());

  const open = (n: NoticeManageItem) =>
    void Taro.navigateTo({ url: staffPage(n.state === 'draft' ? 'notice-edit' : 'notice-deliveries', { id: n.id }) });

  return (
    <View className={pageClass}>
      <Button className='btn btn--primary news-button' onClick={() => void Taro.navigateTo({ url: staffPage('notice-edit') })}>
        新建通知
      </Button>
      <View className='news-tabs'>
        <Text className={`news-tab news-tab--sub${state === null ? ' news-tab--on' : ''}`} onClick={() => void loadFirst(null)}>
          全部
        </Text>
        {NOTICE_STATES.map((s) => (
          <Text key={s} className={`news-tab news-tab--sub${state === s ? ' news-tab--on' : ''}`} onClick={() => void loadFirst(s)}>
            {NOTICE_STATE_LABELS[s]}
          </Text>
        ))}
      </View>

      {status === 'loading' ? <LoadingState /> : null}
      {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void loadFirst(stateRef.current)} /> : null}
      {status === 'ready' && items.length === 0 ? <EmptyState text={state ? `没有「${NOTICE_STATE_LABELS[state]}」的通知` : '还没有通知'} /> : null}
      {status === 'ready' && items.length > 0 ? (
        <View className='card'>
          {items.map((n) => (
            <NoticeManageRow key={n.id} notice={n} onOpen={open} />
          ))}
        </View>
      ) : null}
      {status === 'ready' && cursor ? (
        <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? '加载中…' : '加载更多'}
        </Button>
      ) : null}
      {status === 'ready' && !cursor && items.length > 0 ? <Text className='news-end'>没有更多了</Text> : null}
    </View>
  );
}
