// A cursor-paged list (useCursorList) with the shared views around its items: loading, the error
// with 重试, a failed refresh above a kept list, the empty text, and at the end 加载更多 /
// 没有更多了. Used by the feed, search, notices and comments.
import type { ReactNode } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { CursorList } from '../hooks/use-cursor-list';
import { EmptyState, ErrorState, LoadingState } from './StateView';
import './NewsCursorList.scss';

export interface NewsCursorListProps<T> {
  list: CursorList<T>;
  renderItem: (item: T) => ReactNode;
  emptyText?: string;
}

export function NewsCursorList<T>({ list, renderItem, emptyText = '暂无内容' }: NewsCursorListProps<T>) {
  const { status, items, nextCursor, loadingMore, moreError, refreshError } = list;
  if (status === 'idle') return null;
  if (status === 'loading') return <LoadingState />;
  if (status === 'error') return <ErrorState message={`加载失败：${list.error}`} onRetry={() => void list.refresh()} />;
  return (
    <View className='news-list'>
      {refreshError ? (
        <View className='news-list__refresh-error'>
          <Text>{`刷新失败：${refreshError}`}</Text>
          <Button className='btn btn--secondary news-list__button' onClick={() => void list.refresh()}>
            重试
          </Button>
        </View>
      ) : null}
      {items.length === 0 ? <EmptyState text={emptyText} /> : items.map(renderItem)}
      {moreError ? <Text className='news-list__more-error'>{`加载失败：${moreError}`}</Text> : null}
      {nextCursor ? (
        <Button className='btn btn--secondary news-list__button' disabled={loadingMore} onClick={() => void list.loadMore()}>
          {loadingMore ? '加载中…' : moreError ? '重试' : '加载更多'}
        </Button>
      ) : null}
      {items.length > 0 && !nextCursor ? <Text className='news-list__end'>没有更多了</Text> : null}
    </View>
  );
}
