// One notice: title, level, the regions it is for, who published it and when, and the body as
// written (line breaks kept), and 查看议事结果 when it is a consultation's decision (its link).
import { useCallback, useEffect, useRef } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { noticesApi } from '../../api/endpoints';
import { NoticeLevelTag } from '../../components/NoticeCard';
import { NewsTag } from '../../components/NewsTag';
import { PendingPage } from '../../components/StateView';
import { useLoadedItem } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { formatTime, noticeUrl, scopeNames } from '../../utils/news';
import type { NoticeDetail } from '../../api/types';
import { showShareMenus } from '../../utils/share';
import { consultationUrl } from '../consultation-detail/consultation-view';
import './index.scss';

export default function NoticePage() {
  const pageClass = usePageClass('notice');
  const id = useRouter().params.id ?? '';
  const load = useCallback(() => noticesApi.get(id, { toast: false }), [id]);
  const { item: notice, status, error, reload } = useLoadedItem(id ? load : null, '没有找到这条通知');
  const noticeRef = useRef<NoticeDetail | null>(null);
  noticeRef.current = notice;

  useEffect(() => {
    showShareMenus();
  }, []);
  // The share card says what kind of notice it is: 【紧急】停水通知.
  const shareTitle = () => (noticeRef.current ? `【${noticeRef.current.levelLabel}】${noticeRef.current.title}` : '县融通知公告');
  useShareAppMessage(() => ({ title: shareTitle(), path: noticeUrl(id) }));
  useShareTimeline(() => ({ title: shareTitle(), query: `id=${encodeURIComponent(id)}` }));

  if (status !== 'ready' || !notice) return <PendingPage className={pageClass} status={status} error={error} onRetry={id ? () => void reload() : undefined} />;

  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='notice__head'>
          <NoticeLevelTag level={notice.level} label={notice.levelLabel} />
          {notice.pinned ? <NewsTag tone='pinned'>置顶</NewsTag> : null}
        </View>
        <Text className='notice__title'>{notice.title}</Text>
        <View className='notice__meta'>
          <Text className='notice__meta-line'>{`发布：${notice.publisherName}`}</Text>
          <Text className='notice__meta-line'>{`时间：${formatTime(notice.publishedAt)}`}</Text>
          <Text className='notice__meta-line'>{`范围：${notice.regionNames.length > 0 ? scopeNames(notice.regionNames) : '全县'}`}</Text>
        </View>
        <Text className='notice__body'>{notice.body}</Text>
        {notice.link?.kind === 'consultation' ? (
          <Text className='notice__link' onClick={() => void Taro.navigateTo({ url: consultationUrl(notice.link!.id) })}>
            查看议事结果 ›
          </Text>
        ) : null}
      </View>
    </View>
  );
}
