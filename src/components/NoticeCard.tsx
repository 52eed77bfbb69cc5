// One notice in a list (通知公告, the home page's banner): level tag (紧急 red, 重要 orange, 通知
// grey, always with its word), title, an excerpt, the scope and the time.
import { Text, View } from '@tarojs/components';
import type { NoticeLevel, NoticeSummary } from '../api/types';
import { formatTime, scopeNames } from '../utils/news';
import { NewsTag } from './NewsTag';
import './NoticeCard.scss';

export function NoticeLevelTag({ level, label }: { level: NoticeLevel; label: string }) {
  return <NewsTag tone={level}>{label}</NewsTag>;
}

export function NoticeCard({ notice, onClick, compact = false }: { notice: NoticeSummary; onClick?: () => void; compact?: boolean }) {
  return (
    <View className={`notice-card notice-card--${notice.level}`} onClick={onClick}>
      <View className='notice-card__head'>
        <NoticeLevelTag level={notice.level} label={notice.levelLabel} />
        {notice.pinned ? <NewsTag tone='pinned'>置顶</NewsTag> : null}
        <Text className='notice-card__time'>{formatTime(notice.publishedAt)}</Text>
      </View>
      <Text className='notice-card__title'>{notice.title}</Text>
      {compact ? null : <Text className='notice-card__excerpt'>{notice.excerpt}</Text>}
      {compact || notice.regionNames.length === 0 ? null : <Text className='notice-card__scope'>{`范围：${scopeNames(notice.regionNames)}`}</Text>}
    </View>
  );
}
