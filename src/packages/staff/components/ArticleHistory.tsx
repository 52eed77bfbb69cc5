// An article's history (every edit, submission and review step), newest first, drawn with the
// appeal timeline's styles (components/AppealTimeline.scss, imported by the page).
import { Text, View } from '@tarojs/components';
import type { ArticleEvent } from '../../../api/types';
import { REVIEW_LEVEL_LABELS } from '../../../../server/news/labels';
import { beijingLabel } from './NewsAccess';

export function ArticleHistory({ events }: { events: ArticleEvent[] }) {
  if (events.length === 0) return <Text className='timeline__empty'>暂无记录</Text>;
  return (
    <View className='timeline'>
      {[...events].reverse().map((e, i) => (
        <View className={`timeline__item${i === 0 ? ' timeline__item--latest' : ''}`} key={`${e.at}-${e.action}-${i}`}>
          <View className='timeline__dot' />
          <View className='timeline__content'>
            <View className='timeline__line'>
              <Text className='timeline__action'>
                {e.actionLabel}
                {e.level ? `（${REVIEW_LEVEL_LABELS[e.level] ?? `第${e.level}级`}）` : ''}
              </Text>
              <Text className='timeline__time'>{beijingLabel(e.at)}</Text>
            </View>
            <Text className='timeline__who'>{e.byName}</Text>
            {e.note ? <Text className='timeline__note'>{e.note}</Text> : null}
          </View>
        </View>
      ))}
    </View>
  );
}
