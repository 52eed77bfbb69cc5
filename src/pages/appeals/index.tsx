// The 诉求 tab: 我要反映, then the resident's own appeals (filed or followed: view=mine), newest
// first with the overdue on top, paged by cursor (scroll to the bottom or 加载更多), refreshed each
// time the tab shows and on pull-down.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { appealsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { AppealSummary } from '../../api/types';
import { AppealCard } from '../../components/AppealCard';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { getSession } from '../../store/session';
import { appealDetailUrl } from '../../utils/appeal';
import './index.scss';

const PAGE_SIZE = 20;
const NEW_APPEAL_PAGE = '/pages/appeal-new/index';
const LOGIN_PAGE = '/pages/login/index';

type Status = 'idle' | 'loading' | 'ready' | 'error';

export default function AppealsPage() {
  const [signedIn, setSignedIn] = useState(() => Boolean(getSession()));
  const [items, setItems] = useState<AppealSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>('idle');
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState('');
  // A refresh that failed while a list is shown keeps the list (a weak network should not blank it).
  const [refreshError, setRefreshError] = useState('');
  const shown = useRef(false);
  // A response that arrives after a newer reload started is dropped.
  const generation = useRef(0);
  const loadingMoreRef = useRef(false);

  const reload = useCallback(async () => {
    const hasSession = Boolean(getSession());
    setSignedIn(hasSession);
    if (!hasSession) {
      generation.current++;
      shown.current = false;
      setItems([]);
      setStatus('idle');
      return;
    }
    const gen = ++generation.current;
    loadingMoreRef.current = false;
    setLoadingMore(false);
    setMoreError('');
    // Keep what is shown while refreshing; only the first load shows the loading view.
    setStatus((s) => (s === 'ready' ? s : 'loading'));
    try {
      const page = await appealsApi.list({ view: 'mine', limit: PAGE_SIZE }, { toast: false });
      if (gen !== generation.current) return;
      setItems(page.items);
      setNextCursor(page.nextCursor);
      setError('');
      setRefreshError('');
      setStatus('ready');
      shown.current = true;
    } catch (e) {
      if (gen !== generation.current) return;
      if (shown.current) {
        setRefreshError(errorMessage(e));
      } else {
        setError(errorMessage(e));
        setStatus('error');
      }
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (loadingMoreRef.current || !nextCursor || status !== 'ready') return;
    const gen = generation.current;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    setMoreError('');
    try {
      const page = await appealsApi.list({ view: 'mine', limit: PAGE_SIZE, cursor: nextCursor }, { toast: false });
      if (gen !== generation.current) return;
      // An appeal that moved between pages (its order changed) is shown once.
      setItems((prev) => [...prev, ...page.items.filter((a) => !prev.some((p) => p.id === a.id))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      if (gen === generation.current) setMoreError(errorMessage(e));
    } finally {
      if (gen === generation.current) {
        loadingMoreRef.current = false;
        setLoadingMore(false);
      }
    }
  }, [nextCursor, status]);

  useDidShow(() => void reload());
  usePullDownRefresh(() => {
    void reload().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void loadMore());

  const report = () => void Taro.navigateTo({ url: signedIn ? NEW_APPEAL_PAGE : LOGIN_PAGE });

  return (
    <View className='page appeals'>
      <Button className='btn btn--primary appeals__report' onClick={report}>
        我要反映
      </Button>
      <Text className='appeals__kinds'>咨询、求助、投诉、举报、建议、表扬，都可以在这里反映。</Text>

      <Text className='appeals__title'>我的诉求</Text>
      {!signedIn ? (
        <View className='card'>
          <Text className='text-muted'>登录后可以提交诉求、查看办理进度。</Text>
          <Button className='btn btn--secondary' onClick={() => void Taro.navigateTo({ url: LOGIN_PAGE })}>
            去登录
          </Button>
        </View>
      ) : null}
      {signedIn && status === 'loading' ? <LoadingState /> : null}
      {signedIn && status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void reload()} /> : null}
      {signedIn && status === 'ready' && refreshError ? (
        <View className='appeals__refresh-error'>
          <Text>{`刷新失败：${refreshError}`}</Text>
          <Button className='btn btn--secondary' onClick={() => void reload()}>
            重试
          </Button>
        </View>
      ) : null}
      {signedIn && status === 'ready' && items.length === 0 ? <EmptyState text='您还没有提交诉求' /> : null}
      {signedIn && status === 'ready'
        ? items.map((a) => <AppealCard key={a.id} appeal={a} onClick={() => void Taro.navigateTo({ url: appealDetailUrl(a.id) })} />)
        : null}
      {signedIn && status === 'ready' && moreError ? <Text className='appeals__more-error'>{`加载失败：${moreError}`}</Text> : null}
      {signedIn && status === 'ready' && nextCursor ? (
        <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? '加载中…' : moreError ? '重试' : '加载更多'}
        </Button>
      ) : null}
      {signedIn && status === 'ready' && items.length > 0 && !nextCursor ? <Text className='appeals__end'>没有更多了</Text> : null}

      <Text className='appeals__hint'>急事请拨打 12345 政务服务便民热线</Text>
    </View>
  );
}
