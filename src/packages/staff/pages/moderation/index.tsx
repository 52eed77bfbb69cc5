// 评论审核: comments held for a sensitive word (待审核) and comments hidden by readers' reports
// (被举报). 通过 shows the comment, 删除 removes it; a decided comment leaves the list. When another
// editor decided first (409) the wrapper's toast says so and the list reloads.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { commentsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { ModerationItem } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { usePageClass } from '../../../../hooks/use-page-class';
import { ModerationRow } from '../../components/ModerationRow';
import { isConflict } from '../../components/NewsAccess';
import './index.scss';

type Tab = 'held' | 'hidden';
const TABS: { tab: Tab; label: string; empty: string }[] = [
  { tab: 'held', label: '待审核', empty: '没有待审核的评论' },
  { tab: 'hidden', label: '被举报', empty: '没有被举报的评论' },
];
const PAGE_SIZE = 20;
type Status = 'loading' | 'ready' | 'error';

export default function ModerationPage() {
  const pageClass = usePageClass('moderation');
  const [tab, setTab] = useState<Tab>('held');
  const [items, setItems] = useState<ModerationItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);
  const generation = useRef(0);
  const tabRef = useRef<Tab>('held');

  const loadFirst = useCallback(async (t: Tab) => {
    const gen = ++generation.current;
    tabRef.current = t;
    setTab(t);
    setStatus('loading');
    setError('');
    setLoadingMore(false);
    try {
      const page = await commentsApi.moderation({ state: t, limit: PAGE_SIZE }, { toast: false });
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
      const page = await commentsApi.moderation({ state: tabRef.current, cursor, limit: PAGE_SIZE });
      if (gen !== generation.current) return;
      setItems((prev) => {
        const seen = new Set(prev.map((c) => c.id));
        return [...prev, ...page.items.filter((c) => !seen.has(c.id))];
      });
      setCursor(page.nextCursor);
    } catch {
      // the request wrapper said why; 加载更多 stays to try again
    } finally {
      if (gen === generation.current) setLoadingMore(false);
    }
  }, [cursor, loadingMore, status]);

  useDidShow(() => void loadFirst(tabRef.current));
  usePullDownRefresh(() => {
    void loadFirst(tabRef.current).finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void loadMore());

  const decide = async (item: ModerationItem, decision: 'approve' | 'remove') => {
    if (busyId) return;
    if (decision === 'remove') {
      const { confirm } = await Taro.showModal({ title: '删除评论', content: '删除后读者将看不到这条评论，确定吗？', confirmText: '删除' });
      if (!confirm) return;
    }
    setBusyId(item.id);
    try {
      await commentsApi.decide(item.id, { decision });
      setItems((prev) => prev.filter((c) => c.id !== item.id));
      void Taro.showToast({ title: decision === 'approve' ? '已通过' : '已删除', icon: 'success' });
    } catch (e) {
      // Another editor decided first: show the list as it is now.
      if (isConflict(e)) await loadFirst(tabRef.current);
    } finally {
      setBusyId(null);
    }
  };

  const empty = TABS.find((t) => t.tab === tab)!.empty;

  return (
    <View className={pageClass}>
      <View className='news-tabs'>
        {TABS.map((t) => (
          <Text key={t.tab} className={`news-tab${tab === t.tab ? ' news-tab--on' : ''}`} onClick={() => void loadFirst(t.tab)}>
            {t.label}
          </Text>
        ))}
      </View>

      {status === 'loading' ? <LoadingState /> : null}
      {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void loadFirst(tabRef.current)} /> : null}
      {status === 'ready' && items.length === 0 ? <EmptyState text={empty} /> : null}
      {status === 'ready' && items.length > 0 ? (
        <View className='card'>
          {items.map((c) => (
            <ModerationRow key={c.id} item={c} busy={busyId !== null} onDecide={(i, d) => void decide(i, d)} />
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
