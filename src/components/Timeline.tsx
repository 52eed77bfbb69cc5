// A timeline of events (when, what, who, note), newest first, so the latest step is read first.
// Appeals (AppealTimeline) and articles (staff ArticleHistory) draw theirs with it.
import { Text, View } from '@tarojs/components';
import './Timeline.scss';

export interface TimelineItem {
  /** When, already formatted for display. */
  at: string;
  title: string;
  by: string;
  note?: string | null;
}

/** `entries` oldest first, as the server lists them; `empty` is shown when there are none. */
export function Timeline({ entries, empty }: { entries: TimelineItem[]; empty: string }) {
  if (entries.length === 0) return <Text className='timeline__empty'>{empty}</Text>;
  return (
    <View className='timeline'>
      {[...entries].reverse().map((e, i) => (
        <View className={`timeline__item${i === 0 ? ' timeline__item--latest' : ''}`} key={`${e.at}-${e.title}-${i}`}>
          <View className='timeline__dot' />
          <View className='timeline__content'>
            <View className='timeline__line'>
              <Text className='timeline__action'>{e.title}</Text>
              <Text className='timeline__time'>{e.at}</Text>
            </View>
            <Text className='timeline__who'>{e.by}</Text>
            {e.note ? <Text className='timeline__note'>{e.note}</Text> : null}
          </View>
        </View>
      ))}
    </View>
  );
}
