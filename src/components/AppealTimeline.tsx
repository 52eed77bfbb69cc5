// The appeal's timeline (every move and event: when, what, who, note), newest first, so the
// latest step is what a resident reads first.
import { Text, View } from '@tarojs/components';
import type { TimelineEntry } from '../api/types';
import { formatTime } from '../utils/appeal';
import './AppealTimeline.scss';

export function AppealTimeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <Text className='timeline__empty'>暂无办理记录</Text>;
  const newestFirst = [...entries].reverse();
  return (
    <View className='timeline'>
      {newestFirst.map((e, i) => (
        <View className={`timeline__item${i === 0 ? ' timeline__item--latest' : ''}`} key={`${e.at}-${e.action}-${i}`}>
          <View className='timeline__dot' />
          <View className='timeline__content'>
            <View className='timeline__line'>
              <Text className='timeline__action'>{e.actionLabel}</Text>
              <Text className='timeline__time'>{formatTime(e.at)}</Text>
            </View>
            <Text className='timeline__who'>{e.byName}</Text>
            {e.note ? <Text className='timeline__note'>{e.note}</Text> : null}
          </View>
        </View>
      ))}
    </View>
  );
}
