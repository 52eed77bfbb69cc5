// 诉求办理 / 待派单 / 直派复核 / 超期督办: one list page for the four staff views (?view=). The server
// scopes it to the caller's regions or department and orders it (overdue first, then newest).
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom, useRouter } from '@tarojs/taro';
import { appealsApi } from '../../../../api/endpoints';
import { errorMessage } from '../../../../api/request';
import type { AppealCounts, AppealState, AppealSummary } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { AppealInboxItem } from './AppealInboxItem';
import { STATE_LABELS } from '../../../../utils/appeal';
import { asStaffView, OPEN_STATES, staffPage, VIEW_TITLES, type StaffView } from '../../shared';
import './index.scss';
import { usePageClass } from '../../../../hooks/use-page-class';

const PAGE_SIZE = 20;

/** The state chips each view offers; direct and overdue lists are short and need none. */
const VIEW_STATES: Record<StaffView, readonly AppealState[]> = {
  inbox: [...OPEN_STATES, 'replied', 'closed', 'rejected', 'merged'],
  queue: ['submitted', 'accepted'],
  direct: [],
  overdue: [],
};

type Status = 'loading' | 'ready' | 'error';

/** The count a view's header shows when it has no chips. */
function viewTotal(view: StaffView, counts: AppealCounts | null): number | null {
  if (!counts) return null;
  if (view === 'direct') return counts.direct;
  if (view === 'overdue') return counts.overdue;
  return null;
}

export default function AppealInboxPage() {
  const pageClass = usePageClass('appeal-inbox');
  const view = asStaffView(useRouter().params.view);
  const [state, setState] = useState<AppealState | null>(null);
  const [items, setItems] = useState<AppealSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [counts, setCounts] = useState<AppealCounts | null>(null);
  // A reload (filter change, refresh, coming back) makes every answer still in flight stale.
  const generation = useRef(0);
  const stateRef = useRef<AppealState | null>(null);

  const loadFirst = useCallback(
    async (filter: AppealState | null) => {
      const gen = ++generation.current;
      stateRef.current = filter;
      setStatus('loading');
      setError('');
      setLoadingMore(false);
      appealsApi
        .counts({ toast: false })
        .then((c) => {
          if (gen === generation.current) setCounts(c);
        })
        .catch(() => undefined);
      try {
        const page = await appealsApi.list({ view, state: filter ?? undefined, limit: PAGE_SIZE }, { toast: false });
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
    },
    [view],
  );

  const loadMore = useCallback(async () => {
    if (!cursor || loadingMore || status !== 'ready') return;
    const gen = generation.current;
    setLoadingMore(true);
    try {
      const page = await appealsApi.list({ view, state: stateRef.current ?? undefined, cursor, limit: PAGE_SIZE });
      if (gen !== generation.current) return;
      // The same appeal can move between pages while one reads (a new one arrives on top): no twins.
      setItems((prev) => {
        const seen = new Set(prev.map((a) => a.id));
        return [...prev, ...page.items.filter((a) => !seen.has(a.id))];
      });
      setCursor(page.nextCursor);
    } catch {
      // the request wrapper showed why; 加载更多 stays to try again
    } finally {
      if (gen === generation.current) setLoadingMore(false);
    }
  }, [cursor, loadingMore, status, view]);

  // Back from the handle page: the appeal just handled has moved on.
  useDidShow(() => {
    // One page serves four views: the bar says which (the stand-in for tests has no bar).
    if (typeof Taro.setNavigationBarTitle === 'function') void Taro.setNavigationBarTitle({ title: VIEW_TITLES[view] });
    void loadFirst(stateRef.current);
  });
  usePullDownRefresh(() => {
    void loadFirst(stateRef.current).finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void loadMore());

  const pick = (s: AppealState | null) => {
    setState(s);
    void loadFirst(s);
  };
  const open = (a: AppealSummary) => void Taro.navigateTo({ url: staffPage('appeal-handle', { id: a.id }) });

  const chips = VIEW_STATES[view];
  const total = viewTotal(view, counts);

  return (
    <View className={pageClass}>
      <View className='appeal-inbox__head'>
        <Text className='appeal-inbox__title'>{VIEW_TITLES[view]}</Text>
        {total !== null ? <Text className='appeal-inbox__total'>共 {total} 件</Text> : null}
      </View>
      {chips.length > 0 ? (
        <View className='appeal-inbox__chips'>
          <Text className={`appeal-inbox__chip${state === null ? ' appeal-inbox__chip--on' : ''}`} onClick={() => pick(null)}>
            全部
          </Text>
          {chips.map((s) => {
            const n = counts?.byState[s];
            return (
              <Text key={s} className={`appeal-inbox__chip${state === s ? ' appeal-inbox__chip--on' : ''}`} onClick={() => pick(s)}>
                {STATE_LABELS[s]}
                {n !== undefined ? ` ${n}` : ''}
              </Text>
            );
          })}
        </View>
      ) : null}

      {status === 'loading' ? <LoadingState /> : null}
      {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void loadFirst(stateRef.current)} /> : null}
      {status === 'ready' && items.length === 0 ? <EmptyState text={state ? `没有「${STATE_LABELS[state]}」的诉求` : '暂无诉求'} /> : null}
      {status === 'ready' ? items.map((a) => <AppealInboxItem key={a.id} appeal={a} onOpen={open} />) : null}
      {status === 'ready' && cursor ? (
        <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? '加载中…' : '加载更多'}
        </Button>
      ) : null}
      {status === 'ready' && !cursor && items.length > 0 ? <Text className='appeal-inbox__end'>没有更多了</Text> : null}
    </View>
  );
}
