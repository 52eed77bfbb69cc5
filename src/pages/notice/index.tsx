// One notice: title, level, the regions it is for, who published it and when, and the body as
// written (line breaks kept).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { noticesApi } from '../../api/endpoints';
import { errorMessage } from '../../api/request';
import type { NoticeDetail } from '../../api/types';
import { NoticeLevelTag } from '../../components/NoticeCard';
import { ErrorState, LoadingState } from '../../components/StateView';
import { usePageClass } from '../../hooks/use-page-class';
import { formatTime, scopeNames } from '../../utils/news';
import './index.scss';

type Status = 'loading' | 'ready' | 'error';

export default function NoticePage() {
  const pageClass = usePageClass('notice');
  const id = useRouter().params.id ?? '';
  const [status, setStatus] = useState<Status>('loading');
  const [notice, setNotice] = useState<NoticeDetail | null>(null);
  const [error, setError] = useState('');
  const generation = useRef(0);

  const load = useCallback(async () => {
    if (!id) {
      setError('没有找到这条通知');
      setStatus('error');
      return;
    }
    const gen = ++generation.current;
    setStatus('loading');
    try {
      const detail = await noticesApi.get(id, { toast: false });
      if (gen !== generation.current) return;
      setNotice(detail);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      setStatus('error');
    }
  }, [id]);

  useEffect(() => void load(), [load]);

  if (status === 'loading') {
    return (
      <View className={pageClass}>
        <LoadingState />
      </View>
    );
  }
  if (status === 'error' || !notice) {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${error}`} onRetry={id ? () => void load() : undefined} />
      </View>
    );
  }
  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='notice__head'>
          <NoticeLevelTag level={notice.level} label={notice.levelLabel} />
          {notice.pinned ? <Text className='notice__pinned'>置顶</Text> : null}
        </View>
        <Text className='notice__title'>{notice.title}</Text>
        <View className='notice__meta'>
          <Text className='notice__meta-line'>{`发布：${notice.publisherName}`}</Text>
          <Text className='notice__meta-line'>{`时间：${formatTime(notice.publishedAt)}`}</Text>
          {notice.regionNames.length > 0 ? <Text className='notice__meta-line'>{`范围：${scopeNames(notice.regionNames)}`}</Text> : null}
        </View>
        <Text className='notice__body'>{notice.body}</Text>
      </View>
    </View>
  );
}
