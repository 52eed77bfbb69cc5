// The 诉求 tab: 我要反映, then two lists: 我的诉求 (filed or followed: view=mine, newest first with
// the overdue on top) and 公开诉求 (answered public appeals, for anyone: PublicBoard.tsx). A visitor
// who has not signed in reads the board, with a way to sign in; a signed-in resident switches
// between the two. Each list is paged by cursor (scroll to the bottom or 加载更多), refreshed each
// time the tab shows and on pull-down.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { appealsApi } from '../../api/endpoints';
import type { AppealSummary } from '../../api/types';
import { AppealCard } from '../../components/AppealCard';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateView';
import { useCursorList } from '../../hooks/use-cursor-list';
import { getSession } from '../../store/session';
import { appealDetailUrl } from '../../utils/appeal';
import type { BoardFilter } from './BoardFilters';
import { PublicBoard, useBoardList } from './PublicBoard';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';

const PAGE_SIZE = 20;
const NEW_APPEAL_PAGE = '/pages/appeal-new/index';
const LOGIN_PAGE = '/pages/login/index';

type Segment = 'mine' | 'board';
const SEGMENTS: { key: Segment; label: string }[] = [
  { key: 'mine', label: '我的诉求' },
  { key: 'board', label: '公开诉求' },
];

const idOf = (a: AppealSummary) => a.id;

export default function AppealsPage() {
  const pageClass = usePageClass('appeals');
  const [signedIn, setSignedIn] = useState(() => Boolean(getSession()));
  const [segment, setSegment] = useState<Segment>('mine');
  const [filter, setFilter] = useState<BoardFilter>({});
  const showMine = signedIn && segment === 'mine';
  const showBoard = !showMine;

  const load = useCallback((cursor: string | undefined) => appealsApi.list({ view: 'mine', limit: PAGE_SIZE, cursor }, { toast: false }), []);
  // Read again each time the tab shows (not on mount by itself); a signed-out reader gets no list.
  const list = useCursorList(load, { idOf, enabled: showMine, auto: false });
  const { items, status, error, refreshError, nextCursor, loadingMore, moreError, refresh, loadMore } = list;
  // The board reads its first page itself when it shows and when a filter changes.
  const board = useBoardList(showBoard, filter);

  const shown = useRef({ showMine, board });
  shown.current = { showMine, board };

  const reload = useCallback(async () => {
    const hasSession = Boolean(getSession());
    setSignedIn(hasSession);
    const { showMine: mine, board: b } = shown.current;
    if (hasSession && mine) await refresh();
    else if (!mine && b.status === 'ready') await b.refresh();
  }, [refresh]);

  useDidShow(() => void reload());
  usePullDownRefresh(() => {
    void reload().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void (shown.current.showMine ? loadMore() : shown.current.board.loadMore()));

  const report = () => void Taro.navigateTo({ url: signedIn ? NEW_APPEAL_PAGE : LOGIN_PAGE });
  const choose = (s: Segment) => {
    if (s === segment) return;
    setSegment(s);
    if (s === 'mine') void refresh();
  };

  return (
    <View className={pageClass}>
      <Button className='btn btn--primary appeals__report' onClick={report}>
        我要反映
      </Button>
      <Text className='appeals__kinds'>咨询、求助、投诉、举报、建议、表扬，都可以在这里反映。</Text>

      {signedIn ? (
        <View className='appeals__segments'>
          {SEGMENTS.map((s) => (
            <Button key={s.key} className={`appeals__segment${segment === s.key ? ' appeals__segment--on' : ''}`} onClick={() => choose(s.key)}>
              {s.label}
            </Button>
          ))}
        </View>
      ) : (
        <View className='card'>
          <Text className='text-muted'>登录后可以提交诉求、查看办理进度。</Text>
          <Button className='btn btn--secondary' onClick={() => void Taro.navigateTo({ url: LOGIN_PAGE })}>
            去登录
          </Button>
        </View>
      )}

      {showBoard ? (
        <>
          {!signedIn ? <Text className='appeals__title'>公开诉求</Text> : null}
          <PublicBoard list={board} filter={filter} onFilter={setFilter} />
        </>
      ) : (
        <>
          {status === 'loading' ? <LoadingState /> : null}
          {status === 'error' ? <ErrorState message={`加载失败：${error}`} onRetry={() => void reload()} /> : null}
          {status === 'ready' && refreshError ? (
            <View className='appeals__refresh-error'>
              <Text>{`刷新失败：${refreshError}`}</Text>
              <Button className='btn btn--secondary' onClick={() => void reload()}>
                重试
              </Button>
            </View>
          ) : null}
          {status === 'ready' && items.length === 0 ? <EmptyState text='您还没有提交诉求' /> : null}
          {status === 'ready' ? items.map((a) => <AppealCard key={a.id} appeal={a} onClick={() => void Taro.navigateTo({ url: appealDetailUrl(a.id) })} />) : null}
          {status === 'ready' && moreError ? <Text className='appeals__more-error'>{`加载失败：${moreError}`}</Text> : null}
          {status === 'ready' && nextCursor ? (
            <Button className='btn btn--secondary' disabled={loadingMore} onClick={() => void loadMore()}>
              {loadingMore ? '加载中…' : moreError ? '重试' : '加载更多'}
            </Button>
          ) : null}
          {status === 'ready' && items.length > 0 && !nextCursor ? <Text className='appeals__end'>没有更多了</Text> : null}
        </>
      )}

      <Text className='appeals__hint'>急事请拨打 12345 政务服务便民热线</Text>
    </View>
  );
}
